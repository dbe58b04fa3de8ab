"""Who needs attention: one list across a person's teams of the workers a manager should act on this month.

A row is one worker and one reason (a worker can have several). The reasons (POLICIES.md §3, §4):
- over the caseload threshold: children on the team type's case basis over N × WTE (`threshold_basis`
  pro_rata) or over N (raw), N being the team type's maximum, else its lowest reporting threshold;
- a countersigned band of High / Over capacity / Above bandwidth this month, and the same band in at least
  N of the last M months (persistent);
- an ASYE over the protected caseload (the preset's ASYE limit, else the default agreed level: the ASYE
  ratio × the team target × WTE, POL-6);
- a long absence (R14) while still holding cases;
- a manager holding cases (R01; Warrington practice managers are scored as case-holders, POL-23).
Each row carries the open escalation (reporting.models.Escalation, filled by the daily evaluation) that
matches it, with its deadline.

A fixed number of queries whatever the number of teams or workers: the teams, their policies and schemes,
the snapshot rows of the date, the month-end history, the countersigned bands, the absences and the open
escalations are each read once, and the rules are applied to those rows in memory.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from django.db import models
from django.db.models import Q, QuerySet

from reporting.escalations import MANAGER_POSITIONS  # the managers-holding-cases rule has one list
from reporting.models import Escalation, EscalationKind, EscalationState
from supervision.models import ProformaEntry
from supervision.rules import long_absent
from workload.models import (
    Absence,
    CaseloadSnapshot,
    Position,
    Team,
    TeamPolicy,
    TeamScheme,
)
from workload.workdays import add_months, month_end

HIGH_BANDS = frozenset({"high", "over_capacity", "above_bandwidth"})
NOT_IN_POPULATION = frozenset({*MANAGER_POSITIONS, Position.STUDENT})
HISTORY_MONTHS = 24  # how far back "months over" looks


class Reason(models.TextChoices):
    OVER_THRESHOLD = "over_threshold", "Over the caseload threshold"
    HIGH_BAND = "high_band", "High workload band this month"
    PERSISTENT_HIGH = "persistent_high", "High workload band month after month"
    ASYE_OVER = "asye_over", "ASYE over the protected caseload"
    LONG_ABSENCE = "long_absence", "Long absence while holding cases"
    MANAGER_HOLDING = "manager_holding", "Manager holding cases"


# The escalation kinds that answer each reason (the first open one, by deadline, is shown).
ESCALATION_KINDS = {
    Reason.OVER_THRESHOLD: (EscalationKind.HOS_AGREEMENT, EscalationKind.SUSTAINED),
    Reason.LONG_ABSENCE: (EscalationKind.LONG_ABSENCE,),
    Reason.MANAGER_HOLDING: (EscalationKind.MANAGER_HOLDING_CASES,),
}


@dataclass
class AttentionRow:
    worker_id: int
    worker_name: str
    worker_sort: str
    team_id: int
    team_name: str
    service_area: str
    reason: str
    reason_label: str
    cases: int | None
    wte: Decimal
    threshold: Decimal | None = None
    threshold_text: str = ""
    months_over: int | None = None
    detail: str = ""
    escalation: str = ""
    escalation_due: date | None = None
    escalation_id: int | None = None


@dataclass(frozen=True)
class Attention:
    month: date
    snapshot_on: date | None
    rows: list[AttentionRow]
    high_in: int
    high_of: int


def plain_number(value: Decimal) -> str:
    """12.00 -> "12", 13.20 -> "13.2": thresholds as a person writes them (no rounding of N × WTE)."""
    text = format(value.normalize(), "f")
    return text


def _latest_by_team(rows) -> dict[int, object]:
    """rows ordered by team then newest first -> {team_id: newest}."""
    found: dict[int, object] = {}
    for row in rows:
        found.setdefault(row.team_id, row)
    return found


@dataclass(frozen=True)
class _Policy:
    basis: str  # pro_rata | raw
    threshold: Decimal | None
    case_basis_b: bool
    asye_limit: Decimal | None  # raw N, per basis
    asye_target: Decimal | None  # the default agreed level before × WTE (ratio × target)

    @classmethod
    def from_settings(cls, settings: dict) -> _Policy:
        maximum = settings.get("max")
        thresholds = [t for t in settings.get("reporting_thresholds") or [] if t is not None]
        threshold = maximum if maximum is not None else (min(thresholds) if thresholds else None)
        target = settings.get("target_high")
        ratio = settings.get("asye_ratio_default")
        limit = settings.get("asye_limit_cases")
        return cls(
            basis=settings.get("threshold_basis") or "pro_rata",
            threshold=Decimal(str(threshold)) if threshold is not None else None,
            case_basis_b=bool(settings.get("care_leavers")) and settings.get("case_basis") == "B",
            asye_limit=Decimal(str(limit)) if limit is not None else None,
            asye_target=(Decimal(str(ratio)) * Decimal(str(target))) if ratio and target else None,
        )

    def cases(self, snap) -> int:
        if self.case_basis_b:
            return snap.allocated_children + snap.coworked_children + snap.awaiting_allocation_children
        return snap.allocated_children

    def scaled(self, n: Decimal, wte: Decimal) -> Decimal:
        return n * wte if self.basis == "pro_rata" else n

    def threshold_text(self, n: Decimal, wte: Decimal) -> str:
        if self.basis == "pro_rata" and wte != 1:
            return f"{plain_number(n)} × {plain_number(wte)} WTE = {plain_number(n * wte)}"
        return plain_number(n)


def _months_over(history: list, *, policy: _Policy, current_month: date) -> int:
    """Consecutive months, ending with the current one, whose month-end snapshot was over the threshold; a
    month without a snapshot ends the run."""
    by_month = {row.taken_on.replace(day=1): row for row in history}  # oldest first: the month's last wins
    count, month = 0, current_month
    while month in by_month:
        row = by_month[month]
        if policy.cases(row) <= policy.scaled(policy.threshold, row.wte):
            break
        count += 1
        month = add_months(month, -1)
    return count


def _consecutive(months: set[date], current_month: date) -> int:
    count, month = 0, current_month
    while month in months:
        count += 1
        month = add_months(month, -1)
    return count


def _add_row(rows: list[AttentionRow], reason: Reason, *, worker, team: Team, wte: Decimal, **fields) -> None:
    rows.append(AttentionRow(
        worker_id=worker.pk, worker_name=worker.full_name, worker_sort=f"{worker.surname} {worker.first_name}",
        team_id=team.pk, team_name=team.name, service_area=team.service_area.name,
        reason=reason.value, reason_label=reason.label, wte=wte, **fields,
    ))


def attention_list(*, teams: QuerySet[Team], month: date, high_in: int = 3, high_of: int = 6) -> Attention:
    """The attention rows for the month in the given teams (already scoped to the user and filtered)."""
    end = month_end(month)
    snapshot_on = (
        CaseloadSnapshot.objects.filter(taken_on__lte=end).order_by("-taken_on").values_list("taken_on", flat=True)
        .first()
    )
    if snapshot_on is None:
        return Attention(month=month, snapshot_on=None, rows=[], high_in=high_in, high_of=high_of)
    team_list = {team.pk: team for team in teams.select_related("service_area")}
    team_ids = list(team_list)
    policies = _latest_by_team(
        TeamPolicy.objects.filter(team_id__in=team_ids, valid_from__lte=month).select_related("preset")
        .order_by("team_id", "-valid_from")
    )
    schemes = _latest_by_team(
        TeamScheme.objects.filter(team_id__in=team_ids, valid_from__lte=month)
        .select_related("scheme_version__scheme").order_by("team_id", "-valid_from")
    )
    rules = {team_id: _Policy.from_settings(policy.settings()) for team_id, policy in policies.items()}
    snapshots = list(
        CaseloadSnapshot.objects.filter(team_id__in=team_ids, taken_on=snapshot_on).select_related("worker")
    )
    workers = CaseloadSnapshot.objects.filter(team_id__in=team_ids, taken_on=snapshot_on).values("worker_id")
    history: dict[int, list] = defaultdict(list)
    for row in (
        CaseloadSnapshot.objects.filter(
            # every kind: a month's snapshot is its month-end one, else its last weekly one (REPORTS 1.1);
            # rows come oldest first, so the latest of each month wins in _months_over
            worker_id__in=workers, taken_on__lt=month, taken_on__gte=add_months(month, -HISTORY_MONTHS),
        ).only("worker_id", "taken_on", "wte", "allocated_children", "coworked_children",
               "awaiting_allocation_children").order_by("taken_on")
    ):
        history[row.worker_id].append(row)
    window_start = add_months(month, -(max(high_of, 12) - 1))
    high_months: dict[int, set[date]] = defaultdict(set)
    band_now: dict[int, str] = {}
    for entry in (
        ProformaEntry.objects.current().countersigned()
        .filter(worker_id__in=workers, month__gte=window_start, month__lte=month)
        .values("worker_id", "month", "band", "band_label")
    ):
        if entry["band"] in HIGH_BANDS:
            high_months[entry["worker_id"]].add(entry["month"])
            if entry["month"] == month:
                band_now[entry["worker_id"]] = entry["band_label"] or entry["band"]
    absences: dict[int, list[Absence]] = defaultdict(list)
    for absence in Absence.objects.filter(worker_id__in=workers, start__lte=snapshot_on).filter(
        Q(actual_return__isnull=True) | Q(actual_return__gt=snapshot_on)
    ):
        absences[absence.worker_id].append(absence)
    escalations: dict[tuple[int, str], list[Escalation]] = defaultdict(list)
    for escalation in Escalation.objects.open_on(snapshot_on).filter(team_id__in=team_ids, worker__isnull=False):
        escalations[(escalation.worker_id, escalation.kind)].append(escalation)

    rows: list[AttentionRow] = []
    persistent_from = add_months(month, -(high_of - 1))
    for snap in snapshots:
        worker, team = snap.worker, team_list[snap.team_id]
        policy = rules.get(snap.team_id)

        add = partial(_add_row, rows, worker=worker, team=team, wte=snap.wte)

        long_absence = next((a for a in absences.get(worker.pk, []) if long_absent(a, snapshot_on)), None)
        is_manager = worker.position in MANAGER_POSITIONS and not (
            worker.position == Position.PRACTICE_MANAGER and snap.team_id in schemes
            and schemes[snap.team_id].scheme_version.scheme.rules == "warrington"
        )
        cases = policy.cases(snap) if policy else snap.allocated_children
        if is_manager and snap.allocated_children >= 1:
            add(Reason.MANAGER_HOLDING, cases=snap.allocated_children, detail="Managers hold no cases")
        if long_absence is not None and snap.allocated_children >= 1:
            expected = (f"expected back {long_absence.expected_return:%-d %b %Y}" if long_absence.expected_return
                        else "no expected return")
            add(Reason.LONG_ABSENCE, cases=snap.allocated_children,
                detail=f"{long_absence.get_kind_display()} since {long_absence.start:%-d %b %Y}, {expected}")
        in_population = worker.position not in NOT_IN_POPULATION and long_absence is None
        if in_population and policy and policy.threshold is not None:
            limit = policy.scaled(policy.threshold, snap.wte)
            if cases > limit:
                add(Reason.OVER_THRESHOLD, cases=cases, threshold=limit,
                    threshold_text=policy.threshold_text(policy.threshold, snap.wte),
                    months_over=1 + _months_over(history.get(worker.pk, []), policy=policy,
                                                 current_month=add_months(month, -1)))
        if in_population and policy and worker.is_asye_on(snapshot_on):
            if policy.asye_limit is not None:
                limit, text = policy.scaled(policy.asye_limit, snap.wte), policy.threshold_text(policy.asye_limit,
                                                                                                snap.wte)
            elif policy.asye_target is not None:
                limit = policy.asye_target * snap.wte
                text = f"{plain_number(policy.asye_target)} × {plain_number(snap.wte)} WTE = {plain_number(limit)}"
            else:
                limit = None
            if limit is not None and cases > limit:
                add(Reason.ASYE_OVER, cases=cases, threshold=limit, threshold_text=text)
        highs = high_months.get(worker.pk, set())
        if worker.pk in band_now:
            add(Reason.HIGH_BAND, cases=cases, detail=f"Countersigned band: {band_now[worker.pk]}",
                months_over=_consecutive(highs, month))
        recent = sum(1 for m in highs if m >= persistent_from)
        if recent >= high_in:
            add(Reason.PERSISTENT_HIGH, cases=cases, months_over=recent,
                detail=f"High band in {recent} of the last {high_of} months")

    for row in rows:
        kinds = ESCALATION_KINDS.get(Reason(row.reason), ())
        found = [e for kind in kinds for e in escalations.get((row.worker_id, kind), [])]
        if found:
            # one waiting for action first, then the nearest deadline
            first = min(found, key=lambda e: (e.state != EscalationState.OPEN, e.due_on or date.max, e.pk))
            row.escalation = f"{first.get_kind_display()}: {first.get_state_display().lower()}"
            row.escalation_due = first.due_on
            row.escalation_id = first.pk
    rows.sort(key=lambda r: (r.team_name, r.worker_sort, r.worker_id, list(Reason.values).index(r.reason)))
    return Attention(month=month, snapshot_on=snapshot_on, rows=rows, high_in=high_in, high_of=high_of)
