"""Warnings on the pro-forma while editing: allowed but unusual values, said before saving."""
from decimal import Decimal

from supervision.entry_warnings import EntryWarning, LineSeen, entry_warnings, half_month_hours

BASE = dict(wte=Decimal("1"), fulltime_hours=Decimal(37), extra_duty_hours=None, extra_duty_explanation="",
            lines=[], is_asye=False, children=0, expected_high=None, deviation_reason="")


def test_half_a_months_contracted_hours_at_full_and_part_time():
    assert half_month_hours(wte=Decimal("1"), fulltime_hours=Decimal(37)).quantize(Decimal("0.01")) == Decimal("80.17")
    assert half_month_hours(wte=Decimal("0.6"), fulltime_hours=Decimal(37)).quantize(Decimal("0.01")) == Decimal("48.10")


def test_extra_duty_hours_above_half_the_month_warn_until_explained():
    assert entry_warnings(**{**BASE, "extra_duty_hours": Decimal("80")}) == []
    assert entry_warnings(**{**BASE, "extra_duty_hours": Decimal("81")}) == [EntryWarning(
        "id_extra_duty_hours",
        "81 hours of extra duties is more than half of this worker's contracted hours in a month (80.2 hours at "
        "WTE 1). Check the figure, and explain the duties.")]
    assert entry_warnings(**{**BASE, "extra_duty_hours": Decimal("81"),
                             "extra_duty_explanation": "Fostering panel chair, three full days."}) == []


def test_more_than_ten_children_on_a_line_warns():
    lines = [LineSeen(0, "F-1", 10), LineSeen(1, "F-2", 12), LineSeen(2, "", 11), LineSeen(3, "F-4", None)]
    assert entry_warnings(**{**BASE, "lines": lines}) == [
        EntryWarning("id_lines-1-children", "Line 2 (F-2) has 12 children. More than 10 on one family group is "
                                            "unusual: check the number."),
        EntryWarning("id_lines-2-children", "Line 3 has 11 children. More than 10 on one family group is unusual: "
                                            "check the number."),
    ]


def test_an_asye_above_the_protected_caseload_warns_until_the_reason_is_given():
    asye = {**BASE, "is_asye": True, "children": 9, "expected_high": Decimal("8.00")}
    assert entry_warnings(**asye) == [EntryWarning(
        "id_deviation_reason",
        "This worker is in their first year in practice (ASYE): 9 children is more than their protected caseload "
        "allows (8). The policy asks for the reason in section 8.")]
    assert entry_warnings(**{**asye, "deviation_reason": "Agreed in supervision: a sibling group."}) == []
    assert entry_warnings(**{**asye, "is_asye": False}) == []
    assert entry_warnings(**{**asye, "children": 8}) == []
