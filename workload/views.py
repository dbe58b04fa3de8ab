"""Thin views: check access, parse, call one selector or service, render."""
from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from workload.access import can_manage_team, team_get_for_user, teams_for_user, worker_get_for_user
from workload.filters import TeamFilter
from workload.forms import (
    ADD_LINES_DEFAULT,
    LINES_PREFIX,
    MAX_LINES,
    SchemeChoiceForm,
    WhatIfWorkerForm,
    line_formset,
    lines_total_error,
)
from workload.models import SchemeVersion, SnapshotKind, Team, Worker
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
from workload.templatetags.caseweight import category_labels
from workload.whatif import FieldError, carried_month, month_input_build, what_if_score


def current_month():
    return timezone.localdate().replace(day=1)


# A scheme slug or team type code as the request may carry it; anything else (a NUL, which PostgreSQL
# refuses in text, or 5,000 characters) is ignored like an unknown code and never reaches the database.
_CODE = re.compile(r"[-a-zA-Z0-9_]{1,80}\Z")


def _code(*values) -> str:
    """The first value that can be a code, else ""."""
    return next((value for value in values if isinstance(value, str) and _CODE.match(value)), "")


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
    scheme = team_scheme_on(team=worker.team, month=today) if worker.team_id else None
    context = {
        "worker": worker,
        # cases show their category by its label (issue 10: no scheme codes on a page)
        "category_labels": category_labels(scheme.scheme_version.tables()) if scheme else {},
        "allocations": worker_allocation_list(worker=worker, day=today),
        "memberships": worker_membership_list(worker=worker),
        "snapshots": worker_snapshot_list(worker=worker, kind=SnapshotKind.MONTH_END),
        "today": today,
    }
    return render(request, "workload/worker_detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def what_if_view(request: HttpRequest) -> HttpResponse:
    """Score a month under any scheme without saving: pick a scheme, enter cases, read the explanation.

    Case data travels only in POST bodies: the scoring form (with its scheme in hidden fields), and a
    "carry" post that pre-fills the page (the pro-forma's compare button, a change of scheme). A GET
    reads only the scheme and team type, so a bookmark holds no case."""
    posted = request.method == "POST"
    body = request.POST if posted else {}
    versions = SchemeVersion.objects.order_by("label")
    slug = _code(body.get("scheme"), request.GET.get("scheme"))
    own_slug, own_team_type = ("", "") if slug else _own_scheme(request.user)
    slug = slug or own_slug
    version = (versions.filter(slug=slug).first() if slug else None) or versions.first()
    tables = version.tables()
    team_type = _code(body.get("team_type"), request.GET.get("team_type")) or own_team_type
    if team_type not in tables.team_types:  # unknown or from another scheme: start at the first
        team_type = next(iter(tables.team_types))
    chooser = SchemeChoiceForm(initial={"scheme": version, "team_type": team_type}, tables=tables)
    carrying = posted and "carry" in request.POST
    data = request.POST if posted and not carrying else None
    worker_initial, lines_initial, carried = (
        carried_month(request.POST, max_lines=MAX_LINES) if carrying else ({}, [], [])
    )
    lines_error = lines_total_error(data) if data is not None else None
    if data is not None and "add_lines" in data and lines_error is None:
        data = _with_more_lines(data)
    if lines_error is not None:  # refused before any line form is built: show a fresh page and say why
        data = None
    worker_form = WhatIfWorkerForm(data, tables=tables, prefix="worker", initial=worker_initial or None)
    lines = line_formset(tables=tables, team_type=team_type, data=data, initial=lines_initial)
    score = score_error = None
    if data is not None:
        score, score_error = _what_if_result(version.slug, team_type, tables, worker_form, lines)
    context = {
        "chooser": chooser, "version": version, "carried": carried, "tables": tables, "team_type": team_type,
        "worker_form": worker_form, "lines": lines, "score": score, "score_error": score_error,
        "lines_error": lines_error, "max_lines": MAX_LINES, "add_lines_default": ADD_LINES_DEFAULT,
        "wte": worker_form.cleaned_data.get("wte") if worker_form.is_bound and worker_form.is_valid() else None,
    }
    # htmx posts get the whole page too and swap only #what-if (hx-select), so field errors show in place
    return render(request, "workload/what_if.html", context, status=400 if lines_error else 200)


def _own_scheme(user) -> tuple[str, str]:
    """The scheme slug and team type of the user's own team this month: the team of their worker record,
    else the first team they manage by name; ("", "") if they have neither (an administrator, SMT)."""
    team = next((w.team for w in Worker.objects.filter(user=user, team__isnull=False).select_related("team")), None)
    team = team or Team.objects.filter(managers=user).order_by("name", "pk").first()
    assignment = team_scheme_on(team=team, month=current_month()) if team else None
    return (assignment.scheme_version.slug, assignment.team_type) if assignment else ("", "")


def _with_more_lines(data):
    """The posted month with more blank lines: as many as asked in "add_count" (4 if missing or not a whole
    number), never beyond the maximum: "Add lines" on the page."""
    data = data.copy()
    total = int(data[f"{LINES_PREFIX}-TOTAL_FORMS"])
    raw = data.get("add_count", "")
    wanted = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 3 else ADD_LINES_DEFAULT
    data[f"{LINES_PREFIX}-TOTAL_FORMS"] = str(min(total + max(wanted, 1), MAX_LINES))
    return data


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
