"""Dates and random draws the simulation shares: month arithmetic, weekdays, weighted choices.

Case and allocation events fall on weekdays only, so a count taken on a Friday and one taken on the weekend
month end that follows agree.
"""
from __future__ import annotations

import random
from datetime import date, timedelta


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def random_weekday(rng: random.Random, lo: date, hi: date) -> date | None:
    """A weekday in [lo, hi], or None if there is none."""
    lo, hi = weekday_on_or_after(lo), weekday_on_or_before(hi)
    if lo > hi:
        return None
    for _ in range(8):
        day = lo + timedelta(days=rng.randint(0, (hi - lo).days))
        if day.weekday() < 5:
            return day
    return lo


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]
