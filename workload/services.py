"""Writes with rules for teams, workers, cases and schemes. Every write validates and is atomic."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from workload.models import (
    Allocation,
    AllocationRole,
    Case,
    Membership,
    Position,
    Scheme,
    SchemeVersion,
    Team,
    TeamPolicy,
    TeamScheme,
    Worker,
)


@transaction.atomic
def worker_create(*, team: Team, start: date, **fields) -> Worker:
    """Create a worker and their first team membership together, so no worker is ever teamless by accident."""
    worker = Worker(team=team, **fields)
    worker.full_clean()
    worker.save()
    membership = Membership(worker=worker, team=team, start=start)
    membership.full_clean()
    membership.save()
    return worker


@transaction.atomic
def membership_move(*, worker: Worker, team: Team, start: date) -> Membership:
    """Move a worker to another team from `start`, closing the open membership the day before.

    A worker is in one team at a time: a move that would overlap a later recorded membership is refused."""
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    memberships = list(Membership.objects.filter(worker=worker).order_by("start"))
    current = next((m for m in memberships if m.end is None), None)
    if current and current.team_id == team.pk:
        raise ValidationError({"team": f"{worker.full_name} is already in {team.name}."})
    if current and start <= current.start:
        raise ValidationError(
            {"start": f"The move must start after {current.start:%d %b %Y}, when the current membership began."}
        )
    for other in memberships:
        if other is not current and other.overlaps(start, None):
            raise ValidationError(
                {"start": f"{worker.full_name} was in {other.team.name} on those dates; memberships cannot overlap."}
            )
    if current:
        current.end = start - timedelta(days=1)
        current.full_clean()
        current.save(update_fields=["end"])
    membership = Membership(worker=worker, team=team, start=start)
    membership.full_clean()
    membership.save()
    worker.team = team
    worker.save(update_fields=["team", "updated_at"])
    return membership


def membership_add(*, worker: Worker, team: Team, start: date, end: date | None) -> Membership:
    """Record a past or current membership (imports, corrections); refuses overlapping dates."""
    with transaction.atomic():
        Worker.objects.select_for_update().filter(pk=worker.pk).first()
        for other in Membership.objects.filter(worker=worker).select_related("team"):
            if other.overlaps(start, end):
                raise ValidationError(
                    {"start": f"{worker.full_name} is already in {other.team.name} for some of those dates."}
                )
        membership = Membership(worker=worker, team=team, start=start, end=end)
        membership.full_clean()
        membership.save()
        return membership


@transaction.atomic
def case_allocate(
    *,
    case: Case,
    worker: Worker,
    start: date,
    role: str = AllocationRole.ALLOCATED,
    co_work_share: Decimal | None = None,
) -> Allocation:
    """Allocate a case to a worker. A case has at most two workers at once (an allocated worker and
    one co-worker or a shared allocation); students never hold the allocation (POLICIES R12)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.closed and case.closed < start:
        raise ValidationError({"start": f"Case {case.reference} closed on {case.closed:%d %b %Y}."})
    if worker.position == Position.STUDENT and role == AllocationRole.ALLOCATED:
        raise ValidationError({"worker": "A student on placement cannot be the allocated worker; record co-work."})
    current = Allocation.objects.filter(case=case).filter(Q(end__isnull=True) | Q(end__gte=start))
    if current.filter(worker=worker).exists():
        raise ValidationError({"worker": f"{worker.full_name} already holds case {case.reference}."})
    if current.count() >= Allocation.MAX_WORKERS:
        raise ValidationError(
            {"worker": f"Case {case.reference} already has {Allocation.MAX_WORKERS} workers; end one allocation first."}
        )
    allocation = Allocation(case=case, worker=worker, role=role, co_work_share=co_work_share, start=start)
    allocation.full_clean()
    allocation.save()
    return allocation


@transaction.atomic
def allocation_end(*, allocation: Allocation, end: date) -> Allocation:
    allocation.end = end
    allocation.full_clean()
    allocation.save(update_fields=["end"])
    return allocation


@transaction.atomic
def case_close(*, case: Case, closed: date) -> Case:
    """Close a case and end its open allocations on the same day."""
    case.closed = closed
    case.full_clean()
    case.save(update_fields=["closed", "updated_at"])
    Allocation.objects.filter(case=case, end__isnull=True).update(end=closed)
    return case


@transaction.atomic
def scheme_version_add(*, slug: str, label: str, data: dict, created_by=None) -> SchemeVersion:
    """Add a new version of a scheme. Versions are never edited: countersigned months point at them."""
    from workload.scoring.tables import SchemeTables

    if SchemeVersion.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A scheme version '{slug}' already exists; versions are never changed."})
    try:
        SchemeTables.from_data(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError({"data": f"The scheme data is not usable: {exc}"}) from exc
    family = data.get("family") or slug.rsplit("-", 1)[0]
    scheme, _ = Scheme.objects.get_or_create(
        code=family, defaults={"name": data.get("family_label") or label, "rules": data["rules"]}
    )
    if scheme.rules != data["rules"]:
        raise ValidationError({"data": f"Scheme {scheme.name} uses the '{scheme.rules}' rules, not '{data['rules']}'."})
    version = SchemeVersion(scheme=scheme, slug=slug, label=label, data={**data, "slug": slug}, created_by=created_by)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def team_scheme_set(
    *, team: Team, scheme_version: SchemeVersion, team_type: str, valid_from: date, agreed_through: date | None
) -> TeamScheme:
    """Record the scheme version a team uses from a month on. Never retroactive over agreed months.

    `agreed_through` is the team's latest month with a countersigned pro-forma (None if it has none). The
    caller reads it from supervision, which workload may not import (imports go reporting -> supervision
    -> workload); it is required, so no caller can leave the rule out by accident."""
    if agreed_through is not None and valid_from <= agreed_through:
        raise ValidationError(
            {"valid_from": f"Countersigned pro-formas exist up to {agreed_through:%B %Y}; choose a later month."}
        )
    assignment = TeamScheme.objects.filter(team=team, valid_from=valid_from).first() or TeamScheme(
        team=team, valid_from=valid_from
    )
    assignment.scheme_version, assignment.team_type = scheme_version, team_type
    assignment.full_clean()
    assignment.save()
    return assignment


@transaction.atomic
def team_policy_set(
    *, team: Team, preset, team_type: str, valid_from: date, overrides: dict | None = None
) -> TeamPolicy:
    """Record the caseload policy a team follows from a month on. `overrides` (None: none) replaces the team's
    per-team figures for that month; changes people make go through workload.policy_services (approval)."""
    assignment = TeamPolicy.objects.filter(team=team, valid_from=valid_from).first() or TeamPolicy(
        team=team, valid_from=valid_from
    )
    assignment.preset, assignment.team_type = preset, team_type
    assignment.overrides = overrides or {}
    assignment.full_clean()
    assignment.save()
    return assignment
