"""Months and working days: England and Wales bank holidays (POLICIES POL-17), month ends and the
"N working days after" arithmetic that reminders, escalations and report due dates all use."""
from __future__ import annotations

import calendar
from datetime import date, timedelta
from functools import lru_cache


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(day: date, months: int) -> date:
    """Same day N months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb, POL-3)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


# Proclaimed one-off changes to the England and Wales calendar: (added, removed).
_BANK_HOLIDAY_CHANGES = {
    2020: ({date(2020, 5, 8)}, {date(2020, 5, 4)}),  # VE Day moved the early May holiday
    2022: ({date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19)}, {date(2022, 5, 30)}),  # jubilee, funeral
    2023: ({date(2023, 5, 8)}, set()),  # coronation
}


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays (POLICIES POL-17), with weekend substitutes."""

    def first_monday(month: int) -> date:
        day = date(year, month, 1)
        return day + timedelta(days=(7 - day.weekday()) % 7)

    def last_monday(month: int) -> date:
        day = month_end(date(year, month, 1))
        return day - timedelta(days=day.weekday())

    new_year = date(year, 1, 1)
    while new_year.weekday() >= 5:
        new_year += timedelta(days=1)
    easter = _easter(year)
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Monday and Tuesday
        christmas, boxing = date(year, 12, 27), date(year, 12, 28)
    elif christmas.weekday() == 6:  # Sunday: Boxing Day Monday, Christmas Tuesday
        christmas = date(year, 12, 27)
    elif boxing.weekday() == 5:  # Friday Christmas: Boxing Day on Monday
        boxing = date(year, 12, 28)
    days = {new_year, easter - timedelta(days=2), easter + timedelta(days=1), first_monday(5), last_monday(5),
            last_monday(8), christmas, boxing}
    added, removed = _BANK_HOLIDAY_CHANGES.get(year, (set(), set()))
    return frozenset((days - removed) | added)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_after(start: date, end: date) -> int:
    """Working days d with start < d <= end (0 when end <= start): how long something has waited."""
    count, day = 0, start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count
