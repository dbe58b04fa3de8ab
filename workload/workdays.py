"""Months and working days: England and Wales bank holidays (POLICIES POL-17), month ends and the
"N working days after" arithmetic that reminders, escalations and report due dates all use."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache

import holidays


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(day: date, months: int) -> date:
    """Same day N months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb, POL-3)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays (POLICIES POL-17), as GOV.UK lists them: a holiday that falls at a
    weekend is replaced by its weekday substitute, so only weekdays are returned.

    From the `holidays` package (England; Wales has the same days), which carries the proclaimed one-offs
    (VE Day 2020, the 2022 jubilee and state funeral, the 2023 coronation) and gains future ones with an
    upgrade instead of a code change."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(day for day in days if day.weekday() < 5)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_after(start: date, end: date) -> int:
    """Working days d with start < d <= end (0 when end <= start): how long something has waited."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count
