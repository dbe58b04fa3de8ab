"""Reads and scoping for the measure inputs: who may enter what, and the lists the pages show (already joined and
ordered). Administrators enter for every team; a head of service for their own teams (workload.access), and the
trend rows of one of their teams or of a service area they lead."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from reporting.models import CpaConferenceCount, ImportedAggregate, MeasureAnalysis, TrendRow
from workload.access import teams_for_user
from workload.capabilities import can
from workload.models import Position, ServiceArea, Team, Worker


def can_enter_inputs(user) -> bool:
    return can(user, "inputs.enter")


def input_teams_for_user(user) -> QuerySet[Team]:
    """Teams whose figures this user may enter: every team for an administrator, a head of service's own."""
    if can(user, "team.manage_all"):
        return Team.objects.all()
    if can(user, "team.view_led"):
        return teams_for_user(user)
    return Team.objects.none()


def input_service_areas_for_user(user) -> QuerySet[ServiceArea]:
    if can(user, "team.manage_all"):
        return ServiceArea.objects.all()
    if can(user, "team.view_led"):
        return ServiceArea.objects.filter(head_of_service=user)
    return ServiceArea.objects.none()


def trend_rows_for_user(user) -> QuerySet[TrendRow]:
    """Rows this user may change and analyse. Rows for the authority or a team type span other services, so
    only an administrator changes them."""
    if can(user, "team.manage_all"):
        return TrendRow.objects.all()
    if can(user, "team.view_led"):
        return TrendRow.objects.filter(
            Q(scope_kind=TrendRow.ScopeKind.TEAM, team__in=input_teams_for_user(user).values("pk"))
            | Q(scope_kind=TrendRow.ScopeKind.SERVICE_AREA, service_area__head_of_service=user))
    return TrendRow.objects.none()


def trend_row_scope_allowed(user, row: TrendRow) -> bool:
    """Whether the user may give a row this scope (the same rule as trend_rows_for_user, for an unsaved row)."""
    if can(user, "team.manage_all"):
        return True
    if row.scope_kind == TrendRow.ScopeKind.TEAM and row.team_id:
        return input_teams_for_user(user).filter(pk=row.team_id).exists()
    if row.scope_kind == TrendRow.ScopeKind.SERVICE_AREA and row.service_area_id:
        return input_service_areas_for_user(user).filter(pk=row.service_area_id).exists()
    return False


def trend_row_get_for_user(*, user, pk: int) -> TrendRow:
    try:
        return trend_rows_for_user(user).select_related("team", "service_area").get(pk=pk)
    except TrendRow.DoesNotExist as exc:
        raise Http404("No such trend row.") from exc


def aggregate_list(*, user) -> QuerySet[ImportedAggregate]:
    return (ImportedAggregate.objects.filter(team__in=input_teams_for_user(user).values("pk"))
            .select_related("team", "entered_by").order_by("-month", "team__name", "measure"))


def trend_row_list(*, user) -> QuerySet[TrendRow]:
    return trend_rows_for_user(user).select_related("team", "service_area").order_by("position", "pk")


def analysis_list(*, trend_row: TrendRow) -> QuerySet[MeasureAnalysis]:
    return trend_row.analyses.select_related("author").order_by("-month", "-created_at", "-pk")


def cpa_workers_for_user(user) -> QuerySet[Worker]:
    return (Worker.objects.active().filter(position=Position.CPA, team__in=input_teams_for_user(user).values("pk"))
            .select_related("team").order_by("surname", "first_name", "pk"))


def conference_count_list(*, user) -> QuerySet[CpaConferenceCount]:
    return (CpaConferenceCount.objects.filter(worker__team__in=input_teams_for_user(user).values("pk"))
            .select_related("worker", "worker__team").order_by("-week_start", "worker__surname", "pk"))
