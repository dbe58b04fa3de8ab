"""The response deadline of a workload concern (POLICIES R09): N working days after the day it was raised,
England and Wales bank holidays excluded. No database."""
from datetime import date

import pytest

from supervision.concerns import overdue_raised_on_or_before, respond_by


@pytest.mark.parametrize(("raised_on", "days", "expected"), [
    (date(2025, 7, 1), 5, date(2025, 7, 8)),  # Tuesday: the next Tuesday
    (date(2025, 7, 4), 5, date(2025, 7, 11)),  # Friday: the weekend does not count
    (date(2025, 7, 5), 5, date(2025, 7, 11)),  # raised on a Saturday: Monday is the first working day
    (date(2025, 8, 22), 5, date(2025, 9, 1)),  # Friday before the August bank holiday (Mon 25 Aug)
    (date(2025, 12, 23), 5, date(2026, 1, 2)),  # Christmas, Boxing Day and New Year's Day do not count
    (date(2025, 7, 1), 3, date(2025, 7, 4)),  # a shorter setting
])
def test_respond_by_counts_working_days(raised_on, days, expected):
    assert respond_by(raised_on, days=days) == expected


def test_a_concern_is_overdue_only_after_its_deadline_day():
    # raised Tue 1 Jul: due Tue 8 Jul, so overdue from Wed 9 Jul; one raised Wed 2 Jul is due that day
    assert overdue_raised_on_or_before(date(2025, 7, 8), days=5) == date(2025, 6, 30)
    assert overdue_raised_on_or_before(date(2025, 7, 9), days=5) == date(2025, 7, 1)
    # Monday 14 Jul: due dates up to Fri 11 Jul have passed, i.e. raised up to Fri 4 Jul and the weekend after
    assert overdue_raised_on_or_before(date(2025, 7, 14), days=5) == date(2025, 7, 6)
