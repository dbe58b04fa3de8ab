"""The home page: what each role needs first. It reads across workload and supervision, so it lives in
reporting (imports flow reporting -> supervision -> workload)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from supervision.concerns import waiting_items
from supervision.selectors import worker_home_summary
from supervision.supervision_due import overdue_supervisions
from supervision.team_month import proformas_to_start, team_month_progress
from workload.access import managed_teams_for_user, teams_for_user
from workload.capabilities import can
from workload.policy_selectors import changes_waiting_count
from workload.roles import Role, user_roles
from workload.selectors import latest_snapshot_date, snapshot_source, team_list
from workload.views import current_month


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    month = current_month()
    context: dict = {"month": month, "roles": roles, "Role": Role}
    if can(request.user, "team.view"):
        snapshot_on = latest_snapshot_date(on_or_before=timezone.localdate())
        teams = list(team_list(teams=teams_for_user(request.user), month=month, snapshot_on=snapshot_on))
        context.update(teams=teams, snapshot_on=snapshot_on, figures_source=snapshot_source(snapshot_on),
                       progress=team_month_progress(teams=teams, month=month))
    if can(request.user, "supervision.view"):
        # supervision that is due is the first thing a manager acts on (POLICIES §5)
        context["overdue"] = overdue_supervisions(teams=teams_for_user(request.user), today=timezone.localdate())
    if can(request.user, "team.manage_managed"):
        # a team manager's month starts here: supervision recorded and the pro-forma opened in one step
        context["to_start"], context["to_start_more"] = proformas_to_start(
            teams=managed_teams_for_user(request.user), month=month)
    worker = getattr(request.user, "worker", None)
    if worker is not None:
        context["my"] = worker_home_summary(worker=worker)
    # what waits for this person's action: the same counts as the navigation's badge (one query, shared)
    context["waiting_for_you"] = waiting_items(user=request.user, today=timezone.localdate())
    if can(request.user, "team.view_led"):  # changes to their teams' caseload policy wait for their approval
        context["policy_changes_waiting"] = changes_waiting_count(user=request.user, today=timezone.localdate())
    return render(request, "workload/home.html", context)
