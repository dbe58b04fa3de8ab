"""Report periods: a calendar quarter (`2025-Q1`), an ISO week (`2025-W05`) or a month (`2025-01`), parsed
into a Period with its first and last day and the labels people read; the quarterly return's dates (REPORTS
(c), REP-11: due on the 28th of the reporting month or the working day before, reminders from 5 working days
before, the authority pack on the first working day after) and its quarter block columns (REP-27).

Pure: no ORM and no clock. Whoever checks "not in the future" passes `today` in."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from workload.workdays import add_months, is_working_day, month_end

QUARTER, WEEK, MONTH = "quarter", "week", "month"
_PATTERNS = (
    (QUARTER, re.compile(r"^(\d{4})-Q(\d)$")),
    (WEEK, re.compile(r"^(\d{4})-W(\d{2})$")),
    (MONTH, re.compile(r"^(\d{4})-(\d{2})$")),
)
REMINDER_WORKING_DAYS = 5  # REP-11 default: reminders from 5 working days before the due date
DUE_DAY = 28  # "by 28th" (S004 L1285, L1487)
FORMAT_HELP = "Use 2025-Q3 for a quarter, 2025-W41 for a week or 2025-11 for a month."


def day_label(day: date) -> str:
    """'Fri 28 Mar 2025': the weekday helps people check a date against a calendar."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def month_label(month: date) -> str:
    """'Jan-25': month labels are generated from dates, never typed (REPORTS 1.1, REP-12)."""
    return f"{month:%b-%y}"


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def working_day_after(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day`."""
    while count:
        day -= timedelta(days=1)
        count -= is_working_day(day)
    return day


def week_end(day: date) -> date:
    """The weekly snapshot date of the ISO week that contains `day`: its last working day (REPORTS 1.1,
    normally Friday; Thursday when Friday is a bank holiday)."""
    monday = day - timedelta(days=day.weekday())
    return working_day_on_or_before(monday + timedelta(days=4))


def latest_week_end_on_or_before(day: date) -> date:
    """The latest weekly snapshot date on or before `day` (the quarter block's third column, REP-27)."""
    end = week_end(day)
    return end if end <= day else week_end(day - timedelta(days=7))


@dataclass(frozen=True)
class QuarterColumn:
    """One column of the quarter block: a month-end snapshot, or the latest weekly one before completion."""

    label: str  # "Jan-25" or "w/e 21 Mar 2025"
    month: date  # the calendar month whose figures it shows (first day)
    snapshot_until: date | None  # None: the month's own snapshot (REPORTS 1.1); else the weekly one up to it
    week_start: date | None = None  # the ISO week of that weekly snapshot (Monday)


@dataclass(frozen=True)
class Period:
    kind: str  # quarter | week | month
    key: str  # "2025-Q1", "2025-W05", "2025-01": the only way period keys are made (STYLE §3)
    first_day: date
    last_day: date
    label: str  # what people read: "January to March 2025", "week ending Fri 31 Jan 2025", "January 2025"
    financial_label: str = ""  # quarters only: "2024/25 Q4" (the financial year starts in April)

    # ---- parsing and making ------------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, today: date | None = None) -> Period:
        """A period from its key. ValueError with a message people understand when the key is malformed,
        the quarter, week or month does not exist, or (with `today`) the period has not started yet."""
        raw = (text or "").strip()
        for kind, pattern in _PATTERNS:
            match = pattern.match(raw)
            if match:
                year, number = int(match[1]), int(match[2])
                period = cls._make(kind, year, number, raw)
                break
        else:
            raise ValueError(f"'{raw}' is not a period. {FORMAT_HELP}")
        if today is not None and period.first_day > today:
            label = period.label[:1].upper() + period.label[1:]
            raise ValueError(f"{label} ({period.key}) has not started yet: reports cover past "
                             "or current periods only.")
        return period

    @classmethod
    def _make(cls, kind: str, year: int, number: int, raw: str) -> Period:
        if not 2000 <= year <= 2099:
            raise ValueError(f"'{raw}': the year must be between 2000 and 2099.")
        if kind == QUARTER:
            if not 1 <= number <= 4:
                raise ValueError(f"'{raw}': a quarter is Q1, Q2, Q3 or Q4.")
            return cls.quarter(year, number)
        if kind == MONTH:
            if not 1 <= number <= 12:
                raise ValueError(f"'{raw}': the month must be 01 to 12.")
            return cls.month(date(year, number, 1))
        weeks = date(year, 12, 28).isocalendar()[1]  # 28 Dec is always in the year's last ISO week
        if not 1 <= number <= weeks:
            raise ValueError(f"'{raw}': {year} has weeks W01 to W{weeks}.")
        return cls.week(date.fromisocalendar(year, number, 1))

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        first = date(year, 3 * number - 2, 1)
        last = month_end(date(year, 3 * number, 1))
        fy_start = year if number > 1 else year - 1  # Apr–Jun is the financial Q1
        fy_quarter = (number + 2) % 4 + 1
        return cls(QUARTER, f"{year}-Q{number}", first, last, f"{first:%B} to {last:%B %Y}",
                   f"{fy_start}/{(fy_start + 1) % 100:02d} Q{fy_quarter}")

    @classmethod
    def month(cls, month: date) -> Period:
        first = month.replace(day=1)
        return cls(MONTH, f"{first:%Y-%m}", first, month_end(first), f"{first:%B %Y}")

    @classmethod
    def week(cls, day: date) -> Period:
        monday = day - timedelta(days=day.weekday())
        year, number, _ = monday.isocalendar()
        return cls(WEEK, f"{year}-W{number:02d}", monday, monday + timedelta(days=6),
                   f"week ending {day_label(week_end(monday))}")

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    # ---- what each kind means --------------------------------------------------------------------------

    @property
    def reporting_month(self) -> date:
        """First day of the month whose pro-formas and measures the report shows: a quarter's third month,
        the month itself, or the month of a week's snapshot."""
        if self.kind == QUARTER:
            return self.last_day.replace(day=1)
        if self.kind == WEEK:
            return self.snapshot_on.replace(day=1)
        return self.first_day

    @property
    def snapshot_on(self) -> date:
        """A week's snapshot date (its last working day); a month's or quarter's last day."""
        return week_end(self.first_day) if self.kind == WEEK else self.last_day

    def previous(self) -> Period:
        if self.kind == WEEK:
            return Period.week(self.first_day - timedelta(days=7))
        if self.kind == MONTH:
            return Period.month(add_months(self.first_day, -1))
        return Period.quarter_of(self.first_day - timedelta(days=1))

    # ---- the quarterly return's dates (REPORTS (c), REP-11) ---------------------------------------------

    def _require_quarter(self) -> None:
        if self.kind != QUARTER:
            raise ValueError(f"{self.key} is not a quarter: due dates belong to quarterly returns.")

    @property
    def due_on(self) -> date:
        """The 28th of the reporting month, or the working day before when it is not a working day."""
        self._require_quarter()
        return working_day_on_or_before(self.reporting_month.replace(day=DUE_DAY))

    @property
    def reminders_from(self) -> date:
        return working_days_before(self.due_on, REMINDER_WORKING_DAYS)

    @property
    def pack_on(self) -> date:
        """The authority pack goes on the first working day after the due date."""
        return working_day_after(self.due_on)

    def quarter_columns(self, completed_on: date) -> tuple[QuarterColumn, ...]:
        """The quarter block (REP-27): the two complete month-ends, then the latest weekly snapshot on or
        before the date of completion, labelled with its date."""
        self._require_quarter()
        months = [add_months(self.first_day, k) for k in range(3)]
        week = latest_week_end_on_or_before(min(completed_on, self.last_day))
        columns = [QuarterColumn(month_label(m), m, None) for m in months[:2]]
        columns.append(QuarterColumn(f"w/e {week.day} {week:%b %Y}", week.replace(day=1), week,
                                     week - timedelta(days=week.weekday())))
        return tuple(columns)


def parse_period(text: str, *, kind: str | None = None, today: date | None = None) -> Period:
    """Period.parse, and (with `kind`) a check that it is that kind of period."""
    period = Period.parse(text, today=today)
    if kind is not None and period.kind != kind:
        examples = {QUARTER: "2025-Q3", WEEK: "2025-W41", MONTH: "2025-11"}
        raise ValueError(f"'{period.key}' is a {period.kind}, but this report needs a {kind} (e.g. {examples[kind]}).")
    return period
