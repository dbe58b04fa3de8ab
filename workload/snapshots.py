"""Caseload snapshots taken from current allocations (REPORTS.md §1.1, REP-8): one row per worker per date,
one per team per date. The daily beat task (reporting.tasks.snapshots_take_due) decides which kind is due.

Taking a snapshot twice for one date changes nothing: the first snapshot of a date stands (its rows may
also come from an import or a manager's entry, which a rerun must not overwrite); only a weekly row is
relabelled month end when the month-end snapshot falls on the same date (REP-8: a month-end snapshot wins).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum

from workload.models import (
    Allocation,
    AllocationRole,
    Case,
    CaseloadSnapshot,
    EmploymentType,
    EstablishmentPost,
    Membership,
    Position,
    SnapshotKind,
    SnapshotSource,
    Team,
    TeamSnapshot,
)
from workload.workdays import is_working_day, month_end


@dataclass(frozen=True)
class SnapshotTaken:
    day: date
    kind: str
    worker_rows: int  # rows written now (0 on a rerun)
    team_rows: int


def last_working_day_of_iso_week(day: date) -> date | None:
    """The last working day of the day's ISO week (normally Friday; Thursday when Friday is a bank holiday)."""
    sunday = day + timedelta(days=6 - day.weekday())
    candidate = sunday
    while candidate.isocalendar()[:2] == day.isocalendar()[:2]:
        if is_working_day(candidate):
            return candidate
        candidate -= timedelta(days=1)
    return None  # a week with no working day at all


def snapshot_kind_due(day: date) -> str | None:
    """Which snapshot the day takes: month end on the month's last calendar day (it wins when that is also
    the week's last working day: one row per worker per date), weekly on the ISO week's last working day."""
    if day == month_end(day):
        return SnapshotKind.MONTH_END
    if last_working_day_of_iso_week(day) == day:
        return SnapshotKind.WEEKLY
    return None


def _memberships_on(day: date) -> dict[int, Membership]:
    """worker id -> the membership in force on the day (on a move day, the newer one)."""
    rows = (
        Membership.objects.filter(start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .filter(Q(worker__is_active=True) | Q(end__isnull=False))
        .select_related("worker")
        .order_by("worker_id", "start")
    )
    return {m.worker_id: m for m in rows}  # later start wins


def _counts_on(day: date, worker_ids) -> dict[int, list[int]]:
    """worker id -> [allocated children, family groups, co-worked children, awaiting children], one query.

    Shared allocations count in full for each allocated worker (SCHEMES CNT-3). A student is never the
    allocated worker (POLICIES R12): whatever role a student's line carries, it is their co-work, counted
    only in their own row; the allocated worker keeps the children in theirs (POL-14)."""
    rows = (
        Allocation.objects.current_on(day)
        .filter(worker_id__in=worker_ids)
        .filter(Q(case__closed__isnull=True) | Q(case__closed__gte=day), case__opened__lte=day)
        .values("worker_id", "role", "worker__position")
        .annotate(children=Sum("case__children"), lines=Count("pk"))
        .order_by()
    )
    counts: dict[int, list[int]] = {}
    for row in rows:
        slot = counts.setdefault(row["worker_id"], [0, 0, 0, 0])
        role, children = row["role"], row["children"] or 0
        if row["worker__position"] == Position.STUDENT and role != AllocationRole.AWAITING:
            slot[2] += children
        elif role == AllocationRole.ALLOCATED:
            slot[0] += children
            slot[1] += row["lines"]
        elif role == AllocationRole.CO_WORKER:
            slot[2] += children
        else:
            slot[3] += children
    return counts


def _unallocated_on(day: date) -> dict[int, int]:
    """team id -> unallocated children, by the rule of workload.selectors.team_unallocated_cases, for every
    team in one query."""
    held = Allocation.objects.current_on(day).filter(role__in=[AllocationRole.ALLOCATED, AllocationRole.AWAITING])
    rows = (
        Case.objects.open_on(day).exclude(pk__in=held.values("case_id"))
        .values("team_id").annotate(children=Sum("children")).order_by()
    )
    return {row["team_id"]: row["children"] or 0 for row in rows}


def _establishment_on(day: date) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """team id -> (establishment, vacant, agency-covered FTE) from the posts in force (M16): a post with no
    holder is vacant; a post held by an agency worker is vacant and agency-covered (REP-15)."""
    agency = Q(holder__employment_type=EmploymentType.AGENCY)
    rows = (
        EstablishmentPost.objects.in_force_on(day)
        .values("team_id")
        .annotate(
            total=Sum("fte"),
            vacant=Sum("fte", filter=Q(holder__isnull=True) | agency),
            agency=Sum("fte", filter=agency),
        )
        .order_by()
    )
    zero = Decimal("0")
    return {r["team_id"]: (r["total"] or zero, r["vacant"] or zero, r["agency"] or zero) for r in rows}


@transaction.atomic
def snapshot_take(*, day: date, kind: str) -> SnapshotTaken:
    """Take the caseload snapshot of a date from current allocations, in a fixed number of queries.

    One CaseloadSnapshot per worker in a team on the day (by dated membership) with their WTE, one
    TeamSnapshot per active team (or team with members). Existing rows of the date are kept as they are;
    only `kind` moves from weekly to month end when a month-end snapshot is taken on the same date."""
    if kind not in SnapshotKind.values:
        raise ValueError(f"Unknown snapshot kind {kind!r}.")
    memberships = _memberships_on(day)
    counts = _counts_on(day, list(memberships))
    worker_rows = []
    for worker_id, membership in memberships.items():
        allocated, families, coworked, awaiting = counts.get(worker_id, (0, 0, 0, 0))
        worker_rows.append(CaseloadSnapshot(
            worker_id=worker_id, team_id=membership.team_id, taken_on=day, kind=kind,
            source=SnapshotSource.ALLOCATIONS, wte=membership.worker.wte, allocated_children=allocated,
            family_groups=families, coworked_children=coworked, awaiting_allocation_children=awaiting,
        ))
    team_ids = set(Team.objects.active().values_list("pk", flat=True)) | {m.team_id for m in memberships.values()}
    unallocated, establishment = _unallocated_on(day), _establishment_on(day)
    zero = Decimal("0")
    team_rows = [
        TeamSnapshot(
            team_id=team_id, taken_on=day, kind=kind, unallocated_children=unallocated.get(team_id, 0),
            establishment_fte=establishment.get(team_id, (zero,) * 3)[0],
            vacant_fte=establishment.get(team_id, (zero,) * 3)[1],
            agency_fte=establishment.get(team_id, (zero,) * 3)[2],
        )
        for team_id in sorted(team_ids)
    ]
    before = (CaseloadSnapshot.objects.on(day).count(), TeamSnapshot.objects.filter(taken_on=day).count())
    # ignore_conflicts: the unique constraints (worker, date) and (team, date) make a rerun a no-op
    CaseloadSnapshot.objects.bulk_create(worker_rows, ignore_conflicts=True, batch_size=500)
    TeamSnapshot.objects.bulk_create(team_rows, ignore_conflicts=True, batch_size=500)
    if kind == SnapshotKind.MONTH_END:
        CaseloadSnapshot.objects.on(day).filter(kind=SnapshotKind.WEEKLY).update(kind=SnapshotKind.MONTH_END)
        TeamSnapshot.objects.filter(taken_on=day, kind=SnapshotKind.WEEKLY).update(kind=SnapshotKind.MONTH_END)
    after = (CaseloadSnapshot.objects.on(day).count(), TeamSnapshot.objects.filter(taken_on=day).count())
    return SnapshotTaken(day=day, kind=kind, worker_rows=after[0] - before[0], team_rows=after[1] - before[1])
