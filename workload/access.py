"""Who may see what. Every scoped read goes through these querysets; views never filter by role.

Which roles reach which teams is read from the capability map (workload/capabilities.py):
- `team.view_all` (administrator, SMT): every team (SMT read-only);
- `team.view_led` (head of service): the teams of the service areas they lead, and the teams they are
  service manager of;
- `team.view_managed` (team manager): the teams they manage;
- anyone: their own worker record (a social worker sees no team, only their own record).
Changing a team's records follows `team.manage_all` / `team.manage_managed` the same way.
A person may hold several roles; what they may see is the union.
"""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from workload.capabilities import can
from workload.models import Team, Worker


def _managed_by(user) -> Q:
    # a subquery, not a join on the M2M, so no duplicate rows and no DISTINCT
    return Q(pk__in=Team.managers.through.objects.filter(user=user).values("team_id"))


def teams_for_user(user) -> QuerySet[Team]:
    if can(user, "team.view_all"):
        return Team.objects.all()
    condition = Q(pk__in=[])
    if can(user, "team.view_led"):
        # a service manager holds the head-of-service role for the teams they manage (POLICIES §1:
        # one person may be both); they see the teams they are service manager of
        condition |= Q(service_area__head_of_service=user) | Q(service_manager=user)
    if can(user, "team.view_managed"):
        condition |= _managed_by(user)
    return Team.objects.filter(condition)


def managed_teams_for_user(user) -> QuerySet[Team]:
    """Teams whose records this user may change (pro-formas, supervision, team fields)."""
    if can(user, "team.manage_all"):
        return Team.objects.all()
    if can(user, "team.manage_managed"):
        return Team.objects.filter(_managed_by(user))
    return Team.objects.none()


def workers_for_user(user) -> QuerySet[Worker]:
    if can(user, "team.view_all"):
        return Worker.objects.all()
    condition = Q(pk__in=[])
    if can(user, "team.view"):
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
