"""Pure policy rules of the monthly cycle: plain values in, decisions out, no database.

The caseload panel of REPORTS.md (a) field 6, which policy reasons a month triggers (field 8) and which
required fields are still blank, how often a worker is supervised and when an absence counts as long.
The page's live score, the save, the submit check and the demo generator all call these same functions, so
what the manager is told and what the server refuses never drift apart. Unit-tested without a database.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from workload.models import Position

if TYPE_CHECKING:  # type hints only: rules read attributes, they never query
    from supervision.models import ProformaEntry
    from workload.models import Absence, CapacityReduction, TeamPolicy, Worker
from workload.workdays import add_months, month_end, working_days_after

# Positions that never have a monthly pro-forma: students co-work only and managers hold no cases
# (REPORTS.md (b): "S1 not listed"; POLICIES R01).
NO_PROFORMA_POSITIONS = (Position.STUDENT, Position.TEAM_MANAGER)


LONG_ABSENCE_WORKING_DAYS = 15  # POLICIES R14 / §6 long_absence_working_days (default)


def line_counts(lines: Iterable[Any]) -> tuple[int, int, int]:
    """(children, family groups, co-worked children) on the pro-forma basis: a "not allocated" line is
    scored but not counted (REP-24); co-worked lines count in full (CNT-3)."""
    children = families = coworked = 0
    for line in lines:
        get = line.get if isinstance(line, Mapping) else lambda name, line=line: getattr(line, name)
        if get("not_allocated"):
            continue
        children += get("children") or 0
        families += 1
        if get("co_worked"):
            coworked += get("children") or 0
    return children, families, coworked


@dataclass(frozen=True)
class CaseloadPanel:
    """REPORTS.md (a) field 6, from the team's caseload policy preset (POLICIES R03, R06, R10, R25)."""

    children: int
    family_groups: int
    coworked_children: int
    preset_label: str = ""
    expected_low: Decimal | None = None
    expected_high: Decimal | None = None
    expected_note: str = ""
    maximum: Decimal | None = None
    threshold_basis: str = ""
    over_maximum: bool = False
    deviation: str = ""  # "higher", "lower" or ""
    reduction_percent: int | None = None
    reduction_until: date | None = None
    reduced_max_points: Decimal | None = None

    @property
    def has_expected(self) -> bool:
        return self.expected_low is not None


# The scheme's upper "sustainable" threshold for the R25 note (POL-25), first key present wins.
_UPPER_THRESHOLD_KEYS = ("max_points", "sustainable_max", "bandwidth_max", "target_max")


def caseload_panel(
    *,
    worker: Worker,
    wte: Decimal,
    position: str,
    lines: Sequence[Any],
    policy: TeamPolicy | None,
    reductions: Sequence[CapacityReduction],
    on: date,
    band_thresholds: Mapping[str, Any] | None = None,
) -> CaseloadPanel:
    """The caseload panel and its two policy checks: deviation from the expected caseload (R06, with the
    ASYE agreed level of R10 and the POL-8 tolerance) and over the maximum (R03, on the preset's
    threshold_basis). An R25 reduction active on `on` scales the expected caseload and the maximum."""
    children, families, coworked = line_counts(lines)
    base = CaseloadPanel(children=children, family_groups=families, coworked_children=coworked)
    if policy is None:
        return base
    preset = policy.preset
    team_type = preset.team_type(policy.team_type)
    reduction = next((r for r in reductions if r.start <= on <= r.end), None)
    factor = Decimal(1) - Decimal(reduction.reduction_percent) / 100 if reduction else Decimal(1)
    wte = Decimal(wte)
    is_asye = position == Position.ASYE or worker.is_asye_on(on)
    low, high, note = expected_band(preset_data=preset.data, team_type=team_type, wte=wte, factor=factor,
                                    is_asye=is_asye)
    basis = preset.data.get("threshold_basis", "pro_rata")
    maximum = team_type.get("max")
    maximum = None if maximum is None else Decimal(str(maximum)) * (wte if basis == "pro_rata" else 1) * factor
    deviation = ""
    if low is not None:
        if children > high and not worker.non_statutory:  # POL-20: non-statutory workers may carry more
            deviation = "higher"
        elif children < low:
            deviation = "lower"
    reduced_max = None
    if reduction and band_thresholds:
        key = next((k for k in _UPPER_THRESHOLD_KEYS if k in band_thresholds), None)
        if key:
            reduced_max = Decimal(str(band_thresholds[key])) * factor
    return CaseloadPanel(
        children=children,
        family_groups=families,
        coworked_children=coworked,
        preset_label=preset.label,
        expected_low=low,
        expected_high=high,
        expected_note=note,
        maximum=maximum,
        threshold_basis=basis,
        over_maximum=maximum is not None and children > maximum,
        deviation=deviation,
        reduction_percent=reduction.reduction_percent if reduction else None,
        reduction_until=reduction.end if reduction else None,
        reduced_max_points=reduced_max,
    )


def expected_band(*, preset_data: Mapping[str, Any], team_type: Mapping[str, Any], wte: Decimal, factor: Decimal,
                  is_asye: bool) -> tuple[Decimal | None, Decimal | None, str]:
    """(low, high, how it was worked out) of the expected caseload (R06): a single target ± the tolerance, a
    range as it stands, or an ASYE's agreed level ± the tolerance (R10); each × WTE × any R25 reduction.
    (None, None, "") when the team type has no target."""
    target_low, target_high = team_type.get("target_low"), team_type.get("target_high")
    if target_high is None:
        return None, None, ""
    tolerance = Decimal(str(preset_data.get("deviation_tolerance", "0.10")))
    target_low = Decimal(str(target_low if target_low is not None else target_high))
    target_high = Decimal(str(target_high))
    if is_asye:
        ratio = Decimal(str(preset_data.get("asye_ratio_default", "0.5")))
        agreed = ratio * target_high * wte * factor
        return (agreed * (1 - tolerance), agreed * (1 + tolerance),
                f"ASYE agreed level {plain(agreed)} ({plain(ratio * 100)} % of {plain(target_high)} × WTE)")
    if target_low == target_high:
        return (target_high * wte * factor * (1 - tolerance), target_high * wte * factor * (1 + tolerance),
                f"{plain(target_high)} × WTE ± {plain(tolerance * 100)} %")
    return target_low * wte * factor, target_high * wte * factor, f"{plain(target_low)}–{plain(target_high)} × WTE"


def plain(value: Decimal) -> str:
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# The reasons of REPORTS.md (a) fields 3 and 8, by the field that holds them.
REASON_FIELDS = {
    "extra_duty_explanation": "extra_duty",
    "deviation_reason": "deviation",
    "over_max_reason": "over_max",
    "over_max_until": "over_max",
    "over_max_review_on": "over_max",
    "demanding_until": "demanding",
    "high_priorities": "high",
    "over_capacity_reason": "over_capacity",
    "remedial_action": "remedial",
}


def policy_triggers(
    *, band: str | None, extra_duty_hours: Decimal | None, panel: CaseloadPanel, previous_band: str | None
) -> frozenset[str]:
    """Which policy reasons this month needs (REPORTS.md (a) field 8; shown only when triggered)."""
    triggers = set()
    if extra_duty_hours:
        triggers.add("extra_duty")
    if panel.deviation:
        triggers.add("deviation")  # R06
    if panel.over_maximum:
        triggers.add("over_max")  # R03
    if band == "demanding":
        triggers.add("demanding")  # R21
    if band == "high":
        triggers.add("high")  # R22
    if band == "over_capacity":
        triggers.add("over_capacity")  # R23
        if previous_band == "over_capacity":
            triggers.add("remedial")  # R23, two consecutive months (POL-11)
    return frozenset(triggers)


def required_reason_errors(*, entry: ProformaEntry, triggers: frozenset[str], panel: CaseloadPanel) -> dict[str, str]:
    """Field -> message for every triggered reason left blank, plus fields 2 and 7 (required on submit)."""
    errors: dict[str, str] = {}
    end = month_end(entry.month)
    if entry.date_of_score is None:
        errors["date_of_score"] = "Enter the date of the score (the supervision date)."
    elif not entry.month <= entry.date_of_score <= end:
        errors["date_of_score"] = f"The date of score must be in {entry.month:%B %Y}."
    if entry.workload_manageable is None:
        errors["workload_manageable"] = "Say whether the workload is manageable in the hours worked."
    if not entry.workload_comment.strip():
        errors["workload_comment"] = "Give detail on the workload; it is required before submitting."
    if "extra_duty" in triggers and not entry.extra_duty_explanation.strip():
        errors["extra_duty_explanation"] = (
            f"Explain the {plain(entry.extra_duty_hours)} hours of extra duties; it is required when hours are entered."
        )
    if "deviation" in triggers and not entry.deviation_reason.strip():
        errors["deviation_reason"] = (
            f"{panel.children} children is {panel.deviation} than the expected caseload "
            f"({plain(panel.expected_low.quantize(Decimal('0.01')))}–{plain(panel.expected_high.quantize(Decimal('0.01')))}): "
            "record the reason agreed in supervision."
        )
    if "over_max" in triggers:
        limit = plain(panel.maximum.quantize(Decimal("0.01")))
        if not entry.over_max_reason.strip():
            errors["over_max_reason"] = f"{panel.children} children is over the maximum of {limit}: record the reason."
        if entry.over_max_until is None:
            errors["over_max_until"] = "Set a time limit for holding more than the maximum."
        if entry.over_max_review_on is None:
            errors["over_max_review_on"] = "Set a date to review the caseload above the maximum."
    if "demanding" in triggers:
        if entry.demanding_until is None:
            errors["demanding_until"] = "Demanding band: record until when the worker may hold this level of work."
        elif entry.date_of_score and entry.demanding_until < entry.date_of_score:
            errors["demanding_until"] = "The end date must not be before the date of score."
    if "high" in triggers and not entry.high_priorities.strip():
        errors["high_priorities"] = "High band: record the agreed priorities and how the workload will be managed."
    if "over_capacity" in triggers and not entry.over_capacity_reason.strip():
        errors["over_capacity_reason"] = "Over capacity: record this month's reason."
    if "remedial" in triggers and not entry.remedial_action.strip():
        errors["remedial_action"] = "Over capacity two months running: record the remedial action."
    return errors


def long_absent(absence: Absence, on: date) -> bool:
    """POLICIES R14: an absence expected to exceed 15 working days, or one without an expected end that
    has passed them, on the date."""
    if absence.start > on or (absence.actual_return and absence.actual_return <= on):
        return False
    if absence.expected_return:
        return working_days_after(absence.start, absence.expected_return) > LONG_ABSENCE_WORKING_DAYS
    return working_days_after(absence.start, on) >= LONG_ABSENCE_WORKING_DAYS


def supervision_next_due(*, worker: Worker, held_on: date) -> date:
    """When the next worker supervision is due after one held on `held_on` (POLICIES §5; docs/supervision.md):
    ASYE weekly for the first 6 weeks from the ASYE start, then fortnightly until the ASYE ends; everyone
    else monthly (same day next month)."""
    if worker.asye_start and worker.asye_start <= held_on < worker.asye_start + timedelta(weeks=6):
        return held_on + timedelta(weeks=1)
    if worker.is_asye_on(held_on) or (worker.position == Position.ASYE and worker.asye_start is None):
        return held_on + timedelta(weeks=2)
    return add_months(held_on, 1)
