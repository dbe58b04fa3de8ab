"""Who may see what. Every scoped read goes through these querysets; views never filter by role.

- administrator and SMT: every team (SMT read-only);
- head of service: the teams of the service areas they lead (a service manager: the teams they serve);
- team manager: the teams they manage;
- social worker: their own worker record only (and their own team, for its name).
A person may hold several roles; what they may see is the union.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from workload.models import Team, Worker
from workload.roles import Role, user_roles

WIDE_ROLES = {Role.ADMINISTRATOR, Role.SMT}


def teams_for_user(user) -> QuerySet[Team]:
    roles = user_roles(user)
    if roles & WIDE_ROLES:
        return Team.objects.all()
    condition = Q(pk__in=[])
    if Role.HEAD_OF_SERVICE in roles:
        # a service manager holds the head-of-service role for the teams they manage (POLICIES §1:
        # one person may be both); they see the teams they are service manager of
        condition |= Q(service_area__head_of_service=user) | Q(service_manager=user)
    if Role.TEAM_MANAGER in roles:
        # a subquery, not a join on the M2M, so no duplicate rows and no DISTINCT
        condition |= Q(pk__in=Team.managers.through.objects.filter(user=user).values("team_id"))
    return Team.objects.filter(condition)


def managed_teams_for_user(user) -> QuerySet[Team]:
    """Teams whose records this user may change (pro-formas, supervision, team fields)."""
    roles = user_roles(user)
    if Role.ADMINISTRATOR in roles:
        return Team.objects.all()
    if Role.TEAM_MANAGER in roles:
        return Team.objects.filter(pk__in=Team.managers.through.objects.filter(user=user).values("team_id"))
    return Team.objects.none()


def workers_for_user(user) -> QuerySet[Worker]:
    roles = user_roles(user)
    if roles & WIDE_ROLES:
        return Worker.objects.all()
    condition = Q(pk__in=[])
    if roles & {Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER}:
        condition |= Q(team__in=teams_for_user(user).values("pk"))
    if getattr(user, "is_authenticated", False):
        condition |= Q(user=user)
    return Worker.objects.filter(condition)


def team_get_for_user(*, user, pk: int) -> Team:
    try:
        return teams_for_user(user).select_related("service_area").get(pk=pk)
    except Team.DoesNotExist as exc:
        raise Http404("No such team.") from exc


def worker_get_for_user(*, user, pk: int) -> Worker:
    try:
        return workers_for_user(user).select_related("team", "user").get(pk=pk)
    except Worker.DoesNotExist as exc:
        raise Http404("No such worker.") from exc


def can_manage_team(user, team: Team) -> bool:
    return managed_teams_for_user(user).filter(pk=team.pk).exists()
