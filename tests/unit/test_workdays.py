"""England and Wales bank holidays from the `holidays` package, checked against GOV.UK's published lists
(https://www.gov.uk/bank-holidays) for the years with proclaimed one-offs and weekend substitutes."""
from datetime import date

import pytest

from workload.workdays import bank_holidays, is_working_day, working_days_after


@pytest.mark.parametrize(("year", "expected"), [
    (2020, [  # VE Day: the early May bank holiday moved from Mon 4 to Fri 8 May
        date(2020, 1, 1), date(2020, 4, 10), date(2020, 4, 13), date(2020, 5, 8), date(2020, 5, 25),
        date(2020, 8, 31), date(2020, 12, 25), date(2020, 12, 28),  # Boxing Day (Saturday): Monday 28
    ]),
    (2021, [  # Christmas Day and Boxing Day at the weekend: Monday 27 and Tuesday 28
        date(2021, 1, 1), date(2021, 4, 2), date(2021, 4, 5), date(2021, 5, 3), date(2021, 5, 31),
        date(2021, 8, 30), date(2021, 12, 27), date(2021, 12, 28),
    ]),
    (2022, [  # New Year's Day (Saturday): Monday 3; spring holiday moved to 2 June, jubilee 3 June; funeral
        date(2022, 1, 3), date(2022, 4, 15), date(2022, 4, 18), date(2022, 5, 2), date(2022, 6, 2),
        date(2022, 6, 3), date(2022, 8, 29), date(2022, 9, 19), date(2022, 12, 26), date(2022, 12, 27),
    ]),
    (2023, [  # the coronation, Monday 8 May; New Year's Day (Sunday): Monday 2
        date(2023, 1, 2), date(2023, 4, 7), date(2023, 4, 10), date(2023, 5, 1), date(2023, 5, 8),
        date(2023, 5, 29), date(2023, 8, 28), date(2023, 12, 25), date(2023, 12, 26),
    ]),
])
def test_bank_holidays_match_gov_uk(year, expected):
    assert sorted(bank_holidays(year)) == expected


def test_a_holiday_at_the_weekend_is_not_listed_its_substitute_is():
    assert (is_working_day(date(2021, 12, 24)), date(2021, 12, 25) in bank_holidays(2021)) == (True, False)
    assert [is_working_day(date(2021, 12, day)) for day in range(24, 30)] == [True, False, False, False, False, True]


def test_working_days_after_counts_across_the_new_year_substitute():
    # Fri 30 Dec 2022 -> Fri 6 Jan 2023: weekend, Mon 2 Jan (substitute), then Tue-Fri = 4
    assert working_days_after(date(2022, 12, 30), date(2023, 1, 6)) == 4
