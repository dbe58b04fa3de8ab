"""Thin views: check access, parse, call one selector or service, render."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from workload.access import can_manage_team, team_get_for_user, teams_for_user, worker_get_for_user
from workload.models import SnapshotKind
from workload.roles import Role, user_roles
from workload.selectors import (
    latest_snapshot_date,
    team_list,
    team_policy_on,
    team_scheme_on,
    team_unallocated_cases,
    team_worker_list,
    worker_allocation_list,
    worker_membership_list,
    worker_snapshot_list,
)


def current_month():
    return timezone.localdate().replace(day=1)


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    from supervision.selectors import team_month_progress, worker_home_summary

    roles = user_roles(request.user)
    month = current_month()
    context: dict = {"month": month, "roles": roles, "Role": Role}
    if roles & {Role.ADMINISTRATOR, Role.SMT, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER}:
        snapshot_on = latest_snapshot_date(on_or_before=timezone.localdate())
        teams = list(team_list(teams=teams_for_user(request.user), month=month, snapshot_on=snapshot_on))
        context.update(teams=teams, snapshot_on=snapshot_on, progress=team_month_progress(teams=teams, month=month))
    worker = getattr(request.user, "worker", None)
    if worker is not None:
        context["my"] = worker_home_summary(worker=worker)
    return render(request, "workload/home.html", context)


@login_required
def team_list_view(request: HttpRequest) -> HttpResponse:
    month = current_month()
    snapshot_on = latest_snapshot_date(on_or_before=timezone.localdate())
    teams = team_list(teams=teams_for_user(request.user), month=month, snapshot_on=snapshot_on)
    return render(request, "workload/team_list.html", {"teams": teams, "snapshot_on": snapshot_on, "month": month})


@login_required
def team_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    month = current_month()
    context = {
        "team": team,
        "month": month,
        "scheme": team_scheme_on(team=team, month=month),
        "policy": team_policy_on(team=team, month=month),
        "workers": team_worker_list(team=team),
        "unallocated": team_unallocated_cases(team=team, day=today),
        "can_manage": can_manage_team(request.user, team),
        "managers": list(team.managers.order_by("last_name")),
    }
    return render(request, "workload/team_detail.html", context)


@login_required
def worker_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    worker = worker_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    context = {
        "worker": worker,
        "allocations": worker_allocation_list(worker=worker, day=today),
        "memberships": worker_membership_list(worker=worker),
        "snapshots": worker_snapshot_list(worker=worker, kind=SnapshotKind.MONTH_END),
        "today": today,
    }
    return render(request, "workload/worker_detail.html", context)


def what_if_view(request: HttpRequest) -> HttpResponse:  # replaced by the scoring page below
    raise NotImplementedError
