"""Report periods (reporting/periods.py): keys, labels, the quarterly return's dates and quarter block, from
REPORTS.md's worked example."""
from datetime import date

import pytest

from reporting.periods import Period, parse_period


@pytest.mark.parametrize(("key", "due", "reminders", "pack"), [
    ("2025-Q1", date(2025, 3, 28), date(2025, 3, 21), date(2025, 3, 31)),  # Fri 28 Mar; pack Mon 31 Mar
    ("2025-Q2", date(2025, 6, 27), date(2025, 6, 20), date(2025, 6, 30)),  # 28 Jun is a Saturday
    ("2025-Q3", date(2025, 9, 26), date(2025, 9, 19), date(2025, 9, 29)),  # 28 Sep is a Sunday
    ("2025-Q4", date(2025, 12, 24), date(2025, 12, 17), date(2025, 12, 29)),  # 25, 26 Dec bank holidays
])
def test_quarter_dates_of_the_worked_example(key, due, reminders, pack):
    period = Period.parse(key)
    assert (period.due_on, period.reminders_from, period.pack_on) == (due, reminders, pack)


def test_worked_example_weekdays():
    q4 = Period.parse("2025-Q4")
    assert [f"{d:%a}" for d in (q4.due_on, q4.reminders_from, q4.pack_on)] == ["Wed", "Wed", "Mon"]


def test_quarter_block_columns_for_completion_on_25_march_2025():
    columns = Period.parse("2025-Q1").quarter_columns(date(2025, 3, 25))
    assert [c.label for c in columns] == ["Jan-25", "Feb-25", "w/e 21 Mar 2025"]
    assert [(c.month, c.snapshot_until, c.week_start) for c in columns] == [
        (date(2025, 1, 1), None, None),
        (date(2025, 2, 1), None, None),
        (date(2025, 3, 1), date(2025, 3, 21), date(2025, 3, 17)),
    ]


def test_quarter_block_on_a_friday_takes_that_friday():
    assert Period.parse("2025-Q1").quarter_columns(date(2025, 3, 28))[2].label == "w/e 28 Mar 2025"


def test_quarter_keys_and_labels():
    q3 = Period.parse("2025-Q3")
    assert (q3.kind, q3.key, q3.first_day, q3.last_day, q3.label, q3.financial_label) == (
        "quarter", "2025-Q3", date(2025, 7, 1), date(2025, 9, 30), "July to September 2025", "2025/26 Q2",
    )
    assert q3.reporting_month == date(2025, 9, 1)
    assert [Period.parse(f"2025-Q{n}").financial_label for n in (1, 2, 3, 4)] == [
        "2024/25 Q4", "2025/26 Q1", "2025/26 Q2", "2025/26 Q3",
    ]


def test_week_key_label_and_snapshot():
    week = Period.parse("2025-W05")
    assert (week.kind, week.first_day, week.last_day, week.snapshot_on, week.label) == (
        "week", date(2025, 1, 27), date(2025, 2, 2), date(2025, 1, 31), "week ending Fri 31 Jan 2025",
    )
    assert week.reporting_month == date(2025, 1, 1)
    assert week.previous().key == "2025-W04"
    # Good Friday 18 Apr 2025: the week's snapshot is Thursday
    assert Period.parse("2025-W16").snapshot_on == date(2025, 4, 17)
    assert Period.parse("2026-W53").first_day == date(2026, 12, 28)  # 2026 has 53 ISO weeks


def test_month_key_and_label():
    month = Period.parse(" 2026-11 ")
    assert (month.kind, month.key, month.first_day, month.last_day, month.label) == (
        "month", "2026-11", date(2026, 11, 1), date(2026, 11, 30), "November 2026",
    )
    assert month.previous().key == "2026-10"
    assert Period.parse("2025-01").previous().key == "2024-12"


@pytest.mark.parametrize(("text", "message"), [
    ("", "'' is not a period. Use 2025-Q3 for a quarter, 2025-W41 for a week or 2025-11 for a month."),
    ("2025Q1", "'2025Q1' is not a period. Use 2025-Q3 for a quarter, 2025-W41 for a week or 2025-11 for a month."),
    ("2025-Q5", "'2025-Q5': a quarter is Q1, Q2, Q3 or Q4."),
    ("2025-13", "'2025-13': the month must be 01 to 12."),
    ("2025-W53", "'2025-W53': 2025 has weeks W01 to W52."),
    ("2025-W00", "'2025-W00': 2025 has weeks W01 to W52."),
    ("1999-01", "'1999-01': the year must be between 2000 and 2099."),
])
def test_malformed_periods_say_what_is_wrong(text, message):
    with pytest.raises(ValueError) as error:
        Period.parse(text)
    assert str(error.value) == message


def test_future_period_is_refused_and_current_one_accepted():
    today = date(2026, 12, 3)
    with pytest.raises(ValueError) as error:
        Period.parse("2027-Q1", today=today)
    assert str(error.value) == "January to March 2027 (2027-Q1) has not started yet: reports cover past or " \
                               "current periods only."
    assert Period.parse("2026-Q4", today=today).key == "2026-Q4"
    with pytest.raises(ValueError, match="has not started yet"):
        Period.parse("2026-W50", today=today)


def test_kind_mismatch_names_the_kind():
    with pytest.raises(ValueError) as error:
        parse_period("2025-W05", kind="quarter")
    assert str(error.value) == "'2025-W05' is a week, but this report needs a quarter (e.g. 2025-Q3)."
    with pytest.raises(ValueError, match="is not a quarter"):
        _ = Period.parse("2025-01").due_on
