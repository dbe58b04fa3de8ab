"""Reads for teams, workers and cases. Each returns rows already ordered and joined for its page."""
from __future__ import annotations

from datetime import date

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from workload.models import (
    Allocation,
    AllocationRole,
    Case,
    CaseloadSnapshot,
    Membership,
    Team,
    TeamPolicy,
    TeamScheme,
    TeamSnapshot,
    Worker,
)


def team_scheme_on(*, team: Team, month: date) -> TeamScheme | None:
    """The scheme assignment in force for a month: the latest that starts on or before it."""
    return (
        TeamScheme.objects.filter(team=team, valid_from__lte=month)
        .select_related("scheme_version")
        .order_by("-valid_from")
        .first()
    )


def team_policy_on(*, team: Team, month: date) -> TeamPolicy | None:
    return (
        TeamPolicy.objects.filter(team=team, valid_from__lte=month)
        .select_related("preset")
        .order_by("-valid_from")
        .first()
    )


def _latest_for_team(model, *, month: date, field: str):
    return Subquery(
        model.objects.filter(team=OuterRef("pk"), valid_from__lte=month).order_by("-valid_from").values(field)[:1]
    )


def team_list(*, teams: QuerySet[Team], month: date, snapshot_on: date | None) -> QuerySet[Team]:
    """Teams with headcount, FTE and the snapshot's children, all aggregated in the database.

    Subqueries rather than joins, so the aggregates don't multiply each other."""
    workers = Worker.objects.filter(team=OuterRef("pk"), is_active=True, case_holding=True)
    snapshots = CaseloadSnapshot.objects.filter(team=OuterRef("pk"), taken_on=snapshot_on)
    team_snapshots = TeamSnapshot.objects.filter(team=OuterRef("pk"), taken_on=snapshot_on)
    return (
        teams.select_related("service_area")
        .annotate(
            headcount=Coalesce(
                Subquery(workers.values("team").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0
            ),
            fte=Coalesce(
                Subquery(workers.values("team").annotate(s=Sum("wte")).values("s")[:1], output_field=DecimalField()),
                0,
                output_field=DecimalField(),
            ),
            allocated_children=Subquery(
                snapshots.values("team").annotate(s=Sum("allocated_children")).values("s")[:1],
                output_field=IntegerField(),
            ),
            unallocated_children=Subquery(team_snapshots.values("unallocated_children")[:1]),
            scheme_label=_latest_for_team(TeamScheme, month=month, field="scheme_version__label"),
            preset_label=_latest_for_team(TeamPolicy, month=month, field="preset__label"),
        )
        .order_by("service_area__name", "name")
    )


def latest_snapshot_date(*, on_or_before: date, kind: str | None = None) -> date | None:
    qs = CaseloadSnapshot.objects.filter(taken_on__lte=on_or_before)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-taken_on").values_list("taken_on", flat=True).first()


def team_worker_list(*, team: Team) -> QuerySet[Worker]:
    return Worker.objects.for_team(team).active().select_related("user").order_by("surname", "first_name", "pk")


def worker_allocation_list(*, worker: Worker, day: date) -> QuerySet[Allocation]:
    """The worker's allocations open on a day, with each case's other holders for co-working."""
    return (
        Allocation.objects.current_on(day)
        .filter(worker=worker)
        .select_related("case")
        .prefetch_related(
            Prefetch(
                "case__allocations",
                queryset=Allocation.objects.current_on(day).select_related("worker"),
                to_attr="open_allocations",
            )
        )
        .order_by("case__reference")
    )


def team_unallocated_cases(*, team: Team, day: date) -> QuerySet[Case]:
    """REPORTS.md §1.1: open to the team, no allocated worker and not awaiting a named worker."""
    held = Allocation.objects.current_on(day).filter(role__in=[AllocationRole.ALLOCATED, AllocationRole.AWAITING])
    return Case.objects.for_team(team).open_on(day).exclude(pk__in=held.values("case_id")).order_by("reference")


def worker_membership_list(*, worker: Worker) -> QuerySet[Membership]:
    return Membership.objects.filter(worker=worker).select_related("team").order_by("-start")


def worker_snapshot_list(*, worker: Worker, kind: str, limit: int = 12) -> list[CaseloadSnapshot]:
    rows = CaseloadSnapshot.objects.filter(worker=worker, kind=kind).order_by("-taken_on")[:limit]
    return list(reversed(rows))
