"""Pure rules of the pro-forma workflow (no database): working days, supervision frequency, the caseload
panel (POLICIES R03, R06, R10, R25), triggered reasons (R21-R23), names, diffs and hashes."""
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from supervision.diff import entry_diff
from supervision.hashing import content_hash
from supervision.models import EntryLine, ProformaEntry
from supervision.rules import caseload_panel, policy_triggers, required_reason_errors, supervision_next_due
from supervision.services import normalise_name
from workload.models import CapacityReduction, CaseloadPreset, Position, TeamPolicy, Worker
from workload.workdays import add_months, bank_holidays, working_days_after

BARNET = json.loads((Path(__file__).resolve().parents[2] / "workload/presets/barnet_2019.json").read_text())
JAN_31 = date(2025, 1, 31)


def policy(preset: dict = BARNET, team_type: str = "duty_and_assessment") -> TeamPolicy:
    return TeamPolicy(preset=CaseloadPreset(code=preset["code"], label=preset["label"], data=preset),
                      team_type=team_type)


def lines(*children: int) -> list[dict]:
    return [{"children": n, "co_worked": False, "not_allocated": False} for n in children]


def panel_for(worker: Worker, children: int, *, wte: str = "1.0", reductions=(), band_thresholds=None):
    return caseload_panel(worker=worker, wte=Decimal(wte), position=worker.position, lines=lines(children),
                          policy=policy(), reductions=list(reductions), on=JAN_31, band_thresholds=band_thresholds)


# ------------------------------------------------------------------------------------ working days


def test_england_and_wales_bank_holidays_2025():
    assert sorted(bank_holidays(2025)) == [
        date(2025, 1, 1), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26),
        date(2025, 8, 25), date(2025, 12, 25), date(2025, 12, 26),
    ]


@pytest.mark.parametrize(("year", "christmas", "boxing"), [
    (2026, date(2026, 12, 25), date(2026, 12, 28)),  # Friday: Boxing Day moves to Monday
    (2027, date(2027, 12, 27), date(2027, 12, 28)),  # Saturday: Monday and Tuesday
    (2022, date(2022, 12, 27), date(2022, 12, 26)),  # Sunday: Boxing Day Monday, Christmas Tuesday
])
def test_christmas_substitute_days(year, christmas, boxing):
    assert {christmas, boxing} <= bank_holidays(year)


def test_proclaimed_one_off_holidays():
    assert {date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8)} <= (
        bank_holidays(2022) | bank_holidays(2023))
    assert date(2022, 5, 30) not in bank_holidays(2022)  # spring holiday moved to 2 June


def test_working_days_after_skips_weekends_and_bank_holidays():
    assert working_days_after(date(2025, 7, 1), date(2025, 7, 8)) == 5  # Tue -> next Tue
    assert working_days_after(date(2025, 12, 19), date(2025, 12, 31)) == 6  # 25, 26 Dec and weekends
    assert working_days_after(date(2025, 7, 8), date(2025, 7, 1)) == 0


# -------------------------------------------------------------------------------- supervision dates


def test_asye_weekly_for_six_weeks_then_fortnightly_then_monthly():
    asye = Worker(first_name="A", surname="Y", position=Position.ASYE, asye_start=date(2025, 9, 1),
                  wte=Decimal("1"))
    assert supervision_next_due(worker=asye, held_on=date(2025, 9, 8)) == date(2025, 9, 15)
    assert supervision_next_due(worker=asye, held_on=date(2025, 10, 10)) == date(2025, 10, 17)  # week 6
    assert supervision_next_due(worker=asye, held_on=date(2025, 10, 13)) == date(2025, 10, 27)  # fortnightly
    assert supervision_next_due(worker=asye, held_on=date(2026, 9, 1)) == date(2026, 10, 1)  # ASYE over
    other = Worker(first_name="B", surname="Z", position=Position.SOCIAL_WORKER, wte=Decimal("1"))
    assert supervision_next_due(worker=other, held_on=date(2025, 1, 31)) == date(2025, 2, 28)


def test_add_months_clamps_to_the_month_end():
    assert (add_months(date(2024, 12, 31), 2), add_months(date(2025, 3, 31), -1)) == (
        date(2025, 2, 28), date(2025, 2, 28))


# ------------------------------------------------------------------ caseload panel (POLICIES rule check)


@pytest.mark.parametrize(("position", "wte", "asye_start", "children", "expected", "deviation", "over_max"), [
    (Position.SENIOR_PRACTITIONER, "1.0", None, 16, ("14.4", "17.6"), "", False),  # W1
    (Position.SOCIAL_WORKER, "1.0", None, 24, ("14.4", "17.6"), "higher", True),  # W2: 24 > 22
    (Position.SOCIAL_WORKER, "0.6", None, 14, ("8.64", "10.56"), "higher", True),  # W3: 14 > 13.2
    (Position.ASYE, "1.0", date(2024, 9, 2), 13, ("7.2", "8.8"), "higher", False),  # W4: agreed level 8
    (Position.ASYE, "0.8", date(2024, 10, 1), 6, ("5.76", "7.04"), "", False),  # W5: 8 × 0.8 = 6.4
])
def test_caseload_panel_reproduces_the_policies_rule_check(position, wte, asye_start, children, expected,
                                                           deviation, over_max):
    worker = Worker(first_name="W", surname="X", position=position, asye_start=asye_start, wte=Decimal(wte))
    panel = panel_for(worker, children, wte=wte)
    assert (panel.expected_low.normalize(), panel.expected_high.normalize()) == tuple(
        Decimal(x).normalize() for x in expected)
    assert (panel.deviation, panel.over_maximum) == (deviation, over_max)


def test_a_non_statutory_worker_may_carry_more_without_a_deviation():
    worker = Worker(first_name="N", surname="S", non_statutory=True, wte=Decimal("1"))
    assert panel_for(worker, 20).deviation == ""
    assert panel_for(worker, 10).deviation == "lower"


def test_a_capacity_reduction_scales_the_policy_figures_not_the_band():
    worker = Worker(first_name="R", surname="D", wte=Decimal("1"))
    reduction = CapacityReduction(reduction_percent=25, start=date(2025, 1, 1), end=date(2025, 3, 31))
    panel = panel_for(worker, 13, reductions=[reduction], band_thresholds={"sustainable_max": "95"})
    assert (panel.expected_low, panel.expected_high, panel.maximum) == (
        Decimal("10.80"), Decimal("13.20"), Decimal("16.500"))
    assert (panel.reduced_max_points, panel.reduction_until) == (Decimal("71.25"), date(2025, 3, 31))


def test_no_policy_means_counts_only():
    worker = Worker(first_name="N", surname="P", wte=Decimal("1"))
    panel = caseload_panel(worker=worker, wte=Decimal("1"), position=worker.position,
                           lines=[*lines(3, 2), {"children": 4, "co_worked": True, "not_allocated": False},
                                  {"children": 5, "co_worked": False, "not_allocated": True}],
                           policy=None, reductions=[], on=JAN_31)
    assert (panel.children, panel.family_groups, panel.coworked_children, panel.has_expected) == (9, 3, 4, False)


# ---------------------------------------------------------------------------- triggered reasons


def test_triggers_follow_the_band_hours_and_panel():
    worker = Worker(first_name="W", surname="X", wte=Decimal("1"))
    panel = panel_for(worker, 16)
    assert policy_triggers(band="sustainable", extra_duty_hours=Decimal(0), panel=panel, previous_band=None) == set()
    assert policy_triggers(band="demanding", extra_duty_hours=Decimal(6), panel=panel,
                           previous_band=None) == {"demanding", "extra_duty"}
    assert policy_triggers(band="over_capacity", extra_duty_hours=None, panel=panel,
                           previous_band="over_capacity") == {"over_capacity", "remedial"}


def test_required_reasons_name_each_blank_field():
    worker = Worker(first_name="W", surname="X", wte=Decimal("1"))
    panel = panel_for(worker, 24)
    entry = ProformaEntry(month=date(2025, 1, 1), date_of_score=date(2025, 2, 3), workload_manageable=None,
                          high_priorities="Court first", extra_duty_hours=Decimal("0"))
    errors = required_reason_errors(entry=entry, triggers=frozenset({"high", "deviation", "over_max"}), panel=panel)
    assert sorted(errors) == ["date_of_score", "deviation_reason", "over_max_reason", "over_max_review_on",
                              "over_max_until", "workload_comment", "workload_manageable"]
    assert errors["date_of_score"] == "The date of score must be in January 2025."
    assert errors["deviation_reason"].startswith("24 children is higher than the expected caseload (14.4–17.6)")


# ------------------------------------------------------------------------------ names, diff, hash


@pytest.mark.parametrize(("typed", "matches"), [("Sam Worker", True), ("  sam   WORKER ", True),
                                                 ("Sam  Worker.", False), ("Sam", False)])
def test_typed_name_matching(typed, matches):
    assert (normalise_name(typed) == normalise_name("Sam Worker")) is matches


def _entry(**fields) -> ProformaEntry:
    base = dict(worker_id=1, team_id=1, month=date(2025, 7, 1), revision=1, scheme_version_id=1, team_type="assessment",
                position="social_worker", wte=Decimal("1.00"), grade="", personal=[], extra_duty_hours=Decimal("0"),
                extras=[], case_points=Decimal("21.000"), personal_points=Decimal("0"), extra_points=Decimal("0"),
                total_points=Decimal("21.000"), band="below_sustainable", band_label="Below sustainable",
                workload_weight=None, case_count=None, case_band="", children_count=4, family_groups=1,
                workload_manageable=True, workload_comment="Fine", workload_context="", workload_action="",
                deviation_reason="", demanding_until=None, high_priorities="", over_capacity_reason="")
    base.update(fields)
    return ProformaEntry(**base)


def _line(reference: str, **fields) -> EntryLine:
    base = dict(reference=reference, children=4, category="s47_icpc", factors=[], co_worked=False,
                co_work_share=None, not_allocated=False, points=Decimal("21.000"))
    base.update(fields)
    return EntryLine(**base)


def test_content_hash_ignores_trailing_zeros_and_sees_every_change():
    one = content_hash(_entry(), [_line("F-1")])
    assert one == content_hash(_entry(total_points=Decimal("21")), [_line("F-1", points=Decimal("21"))])
    assert one != content_hash(_entry(workload_comment="Changed"), [_line("F-1")])
    assert one != content_hash(_entry(), [_line("F-1", factors=["interpreter"])])


def test_entry_diff_lists_field_and_line_changes():
    old = _entry(revision=1)
    new = _entry(revision=2, total_points=Decimal("22"), workload_comment="Interpreter now needed")
    diff = entry_diff(old=old, old_lines=[_line("F-1"), _line("F-2")], new=new,
                      new_lines=[_line("F-1", factors=["interpreter"], points=Decimal("22")), _line("F-3")])
    assert [(c.label, c.old, c.new) for c in diff.fields] == [
        ("Total points", "21", "22"),
        ("Workload comments (please give detail)", "Fine", "Interpreter now needed"),
    ]
    assert [(c.reference, c.kind, [(f.label, f.old, f.new) for f in c.changes]) for c in diff.lines] == [
        ("F-1", "changed", [("Additional factors", "–", "interpreter"), ("Points", "21", "22")]),
        ("F-3", "added", []),
        ("F-2", "removed", []),
    ]
