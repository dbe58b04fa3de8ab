"""Thin views: check access, parse, call one selector or service, render."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tables2 import RequestConfig

from workload.access import can_manage_team, team_get_for_user, teams_for_user, worker_get_for_user
from workload.filters import TeamFilter
from workload.forms import SchemeChoiceForm, WhatIfWorkerForm, line_formset
from workload.models import SchemeVersion, SnapshotKind
from workload.selectors import (
    latest_snapshot_date,
    team_figures,
    team_list,
    team_policy_on,
    team_scheme_on,
    team_unallocated_cases,
    team_worker_list,
    worker_allocation_list,
    worker_membership_list,
    worker_snapshot_list,
)
from workload.tables import TeamTable
from workload.whatif import FieldError, month_input_build, what_if_score


def current_month():
    return timezone.localdate().replace(day=1)


def _prefill(query) -> tuple[dict, list[dict]]:
    """Worker and line values passed in the query string (e.g. from a pro-forma's "compare under
    another scheme" link). Codes the chosen scheme doesn't have are simply not pre-selected."""
    worker = {key.removeprefix("worker-"): query.getlist(key) if key in ("worker-personal", "worker-extras")
              else query.get(key) for key in query if key.startswith("worker-")}
    lines: dict[int, dict] = {}
    for key in query:
        parts = key.split("-", 2)
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit() and int(parts[1]) < 60:
            value = query.getlist(key) if parts[2] == "factors" else query.get(key)
            lines.setdefault(int(parts[1]), {})[parts[2]] = value
    return worker, [lines[i] for i in sorted(lines)]


@login_required
def team_list_view(request: HttpRequest) -> HttpResponse:
    """Sortable, paginated teams with a filter. A bad filter value is a 400 showing the unfiltered list with
    the message next to the field; an unknown sort column is ignored and a page past the end shows the last."""
    month = current_month()
    snapshot_on = latest_snapshot_date(on_or_before=timezone.localdate())
    teams = team_list(teams=teams_for_user(request.user), month=month, snapshot_on=snapshot_on)
    team_filter = TeamFilter(request.GET or None, queryset=teams, request=request)
    valid = not team_filter.is_bound or team_filter.is_valid()
    table = TeamTable(team_filter.qs if valid else teams, snapshot_on=snapshot_on)
    RequestConfig(request, paginate={"per_page": TeamTable.PER_PAGE}).configure(table)
    context = {"table": table, "filter": team_filter, "snapshot_on": snapshot_on, "month": month}
    return render(request, "workload/team_list.html", context, status=200 if valid else 400)


@login_required
def team_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    month = current_month()
    context = {
        "team": team,
        "month": month,
        "today": today,
        "scheme": team_scheme_on(team=team, month=month),
        "policy": team_policy_on(team=team, month=month),
        "figures": team_figures(team=team, day=today),
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


@login_required
def what_if_view(request: HttpRequest) -> HttpResponse:
    """Score a month under any scheme without saving: pick a scheme, enter cases, read the explanation."""
    versions = SchemeVersion.objects.order_by("label")
    version = versions.filter(slug=request.GET.get("scheme", "")).first() or versions.first()
    tables = version.tables()
    team_type = request.GET.get("team_type", "")
    if team_type not in tables.team_types:  # unknown or from another scheme: start at the first
        team_type = next(iter(tables.team_types))
    chooser = SchemeChoiceForm(initial={"scheme": version, "team_type": team_type}, tables=tables)
    data = request.POST if request.method == "POST" else None
    worker_initial, lines_initial = _prefill(request.GET)
    worker_form = WhatIfWorkerForm(data, tables=tables, prefix="worker", initial=worker_initial or None)
    lines = line_formset(tables=tables, team_type=team_type, data=data, initial=lines_initial)
    score = score_error = None
    if data is not None:
        score, score_error = _what_if_result(version.slug, team_type, tables, worker_form, lines)
    context = {
        "chooser": chooser, "version": version, "carried": [
            (key, value) for key in request.GET if key.startswith(("worker-", "lines-"))
            for value in request.GET.getlist(key)
        ], "tables": tables, "team_type": team_type,
        "worker_form": worker_form, "lines": lines, "score": score, "score_error": score_error,
        "wte": worker_form.cleaned_data.get("wte") if worker_form.is_bound and worker_form.is_valid() else None,
    }
    # htmx posts get the whole page too and swap only #what-if (hx-select), so field errors show in place
    return render(request, "workload/what_if.html", context)


def _what_if_result(slug, team_type, tables, worker_form, lines):
    """Score the filled lines; put a form error or an engine error next to the field it names."""
    if not worker_form.is_valid() or not lines.is_valid():
        return None, FieldError(line=None, field=None, message="Correct the fields marked below to see the score.")
    filled = [(i, form.cleaned_data) for i, form in enumerate(lines.forms) if form.cleaned_data.get("category")]
    if not filled:
        return None, None
    month = month_input_build(
        scheme_slug=slug, team_type=team_type, worker=worker_form.cleaned_data, lines=[line for _, line in filled]
    )
    score, error = what_if_score(month=month, tables=tables, line_indexes=[i for i, _ in filled])
    if error is not None:
        form = lines.forms[error.line] if error.line is not None else worker_form
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message)
    return score, error
