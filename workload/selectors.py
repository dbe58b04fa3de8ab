"""Reads for teams, workers and cases. Each returns rows already ordered and joined for its page."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

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
from workload.workdays import month_end


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


# ================================================================== snapshot figures (one source)
# Children, family groups and unallocated children come from the caseload snapshots, never from live
# allocations, on every page (home, team list, team page, team month): the latest snapshot date on or
# before the day a page is about, the same date for every team, so the pages agree (docs/architecture.md).


def snapshot_source(snapshot_on: date | None) -> str:
    """What a snapshot figure says about where it comes from, e.g. "snapshot 28 Nov 2026"."""
    return f"snapshot {snapshot_on.day} {snapshot_on:%b %Y}" if snapshot_on else "no snapshot yet"


def _latest_snapshot_on(day: date):
    """The latest snapshot date on or before the day, across all teams, as a subquery."""
    return Subquery(
        CaseloadSnapshot.objects.filter(taken_on__lte=day).order_by("-taken_on").values("taken_on")[:1]
    )


def _figure_annotations(snapshot_on) -> dict:
    """children, family_groups and unallocated_children of each team on a snapshot date (a date or an
    expression). Subqueries rather than joins, so the sums don't multiply each other; a team with no rows on
    that date gets None ("–", no data), never 0 (REPORTS.md 1.3)."""
    snapshots = CaseloadSnapshot.objects.filter(team=OuterRef("pk"), taken_on=snapshot_on).values("team")
    return {
        "children": Subquery(
            snapshots.annotate(s=Sum("allocated_children")).values("s")[:1], output_field=IntegerField()
        ),
        "family_groups": Subquery(
            snapshots.annotate(s=Sum("family_groups")).values("s")[:1], output_field=IntegerField()
        ),
        "unallocated_children": Subquery(
            TeamSnapshot.objects.filter(team=OuterRef("pk"), taken_on=snapshot_on).values("unallocated_children")[:1]
        ),
    }


@dataclass(frozen=True)
class TeamFigures:
    """A team's caseload figures from one snapshot (REPORTS.md 1.1): children = Σ allocated children of the
    team's workers, unallocated children = M15a, family groups shown alongside (never a caseload measure)."""

    snapshot_on: date | None
    children: int | None
    family_groups: int | None
    unallocated_children: int | None

    @property
    def source(self) -> str:
        return snapshot_source(self.snapshot_on)


def team_figures(*, team: Team, day: date) -> TeamFigures:
    """The team's figures from the latest snapshot on or before the day (one query: the date and the sums)."""
    row = (
        Team.objects.filter(pk=team.pk)
        .annotate(snapshot_on=_latest_snapshot_on(day))
        .annotate(**_figure_annotations(OuterRef("snapshot_on")))
        .values("snapshot_on", "children", "family_groups", "unallocated_children")
        .get()
    )
    return TeamFigures(**row)


def team_list(*, teams: QuerySet[Team], month: date, snapshot_on: date | None) -> QuerySet[Team]:
    """Teams with headcount and FTE (current case-holding workers) and the snapshot figures, all aggregated
    in the database."""
    workers = Worker.objects.filter(team=OuterRef("pk"), is_active=True, case_holding=True)
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
            **_figure_annotations(snapshot_on),
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


# ============================================================================ membership by month


def memberships_in_month(*, month: date) -> QuerySet[Membership]:
    """Memberships during the month: start <= month end and (no end, or end >= the 1st).

    Who belongs to a team's month is decided here, for the team month, its progress counts and the
    start of a pro-forma. A worker who has left (inactive) counts only within a membership that was
    closed, so a leaver whose membership was never ended is not listed for every month after."""
    return (
        Membership.objects.filter(start__lte=month_end(month))
        .filter(Q(end__isnull=True) | Q(end__gte=month))
        .filter(Q(worker__is_active=True) | Q(end__isnull=False))
    )


def worker_team_in_month(*, worker: Worker, month: date, on: date, team: Team | None = None) -> Team | None:
    """The team whose month a worker's pro-forma belongs to, or None if they were in no such team.

    With `team`: that team, if the worker was a member of it during the month (even if they moved since).
    Without: the team of the membership in force on `on` (the day the pro-forma reads allocations), else the
    latest membership during the month. One query."""
    memberships = memberships_in_month(month=month).filter(worker=worker).select_related("team")
    if team is not None:
        memberships = memberships.filter(team=team)
    rows = sorted(memberships, key=lambda m: m.start, reverse=True)
    in_force = [m for m in rows if m.start <= on and (m.end is None or m.end >= on)]
    chosen = (in_force or rows or [None])[0]
    return chosen.team if chosen else None


def team_member_get(*, team: Team, pk: int) -> Worker:
    """A worker who has ever been a member of the team (a past month's pro-forma can be started after they
    moved); Http404 otherwise. The team itself must already be in the user's scope."""
    worker = Worker.objects.filter(pk=pk, pk__in=Membership.objects.filter(team=team).values("worker_id")).first()
    if worker is None:
        raise Http404("No such worker in this team.")
    return worker


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
