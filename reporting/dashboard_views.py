"""The dashboards people open: authority (SMT), service area (head of service), team, and "Who needs
attention". Thin: check scope, parse the query string, call the selectors and the measures, render."""
from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_tables2 import RequestConfig

from reporting.attention import Reason, attention_list
from reporting.dashboard_filters import AttentionFilter, MonthForm, WorkerListForm
from reporting.dashboard_selectors import (
    authority_panel,
    dashboard_teams,
    default_month,
    measure_worker_list,
    month_snapshot_date,
    sees_authority,
    service_area_get_for_user,
    service_areas_for_user,
    service_panel,
    team_panel,
    team_worker_rows,
    worker_list_measures,
)
from reporting.dashboard_tables import AttentionTable
from reporting.exports import EXPORT_FORMATS, export_response
from reporting.measures import AUTHORITY, Scope, team_scope
from workload.access import team_get_for_user
from workload.capabilities import can


def _month(request: HttpRequest, today: date) -> tuple[MonthForm, date, int]:
    """The month picker: (form, month, status). A bad or future month is a 400 with the message next to the
    field, and the page for this month."""
    form = MonthForm({"month": request.GET.get("month", "")}, today=today)
    if form.is_valid():
        return form, form.cleaned_data["month"] or default_month(today=today), 200
    return form, default_month(today=today), 400


def _require_dashboards(user) -> None:
    if not can(user, "team.view"):
        raise Http404("No dashboards for this account.")


@login_required
@require_GET
def authority_view(request: HttpRequest) -> HttpResponse:
    """SMT and administrators: the authority. Others who see teams: the service areas and teams they may
    open (a head of service's areas, a team manager's teams). A social worker: 404."""
    _require_dashboards(request.user)
    today = timezone.localdate()
    form, month, status = _month(request, today)
    context = {"form": form, "month": month, "today": today}
    if not sees_authority(request.user):
        context.update(areas=list(service_areas_for_user(request.user)),
                       teams=list(dashboard_teams(user=request.user)))
        return render(request, "reporting/dashboards/chooser.html", context, status=status)
    teams = list(dashboard_teams(user=request.user))
    context.update(
        scope_label="Authority",
        areas=list(service_areas_for_user(request.user)),
        snapshot_on=month_snapshot_date(month=month),
        panel=authority_panel(teams=teams, month=month),
    )
    return render(request, "reporting/dashboards/authority.html", context, status=status)


@login_required
@require_GET
def service_view(request: HttpRequest, pk: int) -> HttpResponse:
    area = service_area_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    form, month, status = _month(request, today)
    teams = list(dashboard_teams(user=request.user, service_area=area))
    context = {
        "form": form, "month": month, "today": today, "area": area, "teams": teams,
        "snapshot_on": month_snapshot_date(month=month),
        "panel": service_panel(area=area, teams=teams, month=month),
        "sees_authority": sees_authority(request.user),
    }
    return render(request, "reporting/dashboards/service.html", context, status=status)


@login_required
@require_GET
def team_view(request: HttpRequest, pk: int) -> HttpResponse:
    team = team_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    form, month, status = _month(request, today)
    snapshot_on = month_snapshot_date(month=month)
    context = {
        "form": form, "month": month, "today": today, "team": team, "snapshot_on": snapshot_on,
        "workers": list(team_worker_rows(team=team, month=month, snapshot_on=snapshot_on)),
        "panel": team_panel(team=team, month=month),
        "sees_authority": sees_authority(request.user),
        "area_link": service_areas_for_user(request.user).filter(pk=team.service_area_id).exists(),
    }
    return render(request, "reporting/dashboards/team.html", context, status=status)


@login_required
@require_GET
def attention_view(request: HttpRequest) -> HttpResponse:
    """Who needs attention in the user's teams: filtered (team, service area, reason, month, N of M),
    sorted and paginated; `?export=csv` or `xlsx` downloads exactly the filtered rows."""
    _require_dashboards(request.user)
    today = timezone.localdate()
    teams = dashboard_teams(user=request.user)
    data = request.GET.copy()
    if not data.get("month"):  # the picker shows the month the list is for, not a blank field
        data["month"] = f"{default_month(today=today):%Y-%m}"
    attention_filter = AttentionFilter(data, queryset=teams, request=request, today=today)
    valid = attention_filter.is_valid()
    if valid:
        reason, high_in, high_of = attention_filter.settings()
        month = attention_filter.form.cleaned_data.get("month") or default_month(today=today)
        chosen = attention_filter.qs
    else:
        reason, high_in, high_of, month, chosen = "", 3, 6, default_month(today=today), teams
    attention = attention_list(teams=chosen, month=month, high_in=high_in, high_of=high_of)
    rows = [row for row in attention.rows if not reason or row.reason == reason]
    table = AttentionTable(rows)
    export = request.GET.get("export", "")
    if export in EXPORT_FORMATS and valid:
        RequestConfig(request, paginate=False).configure(table)
        return export_response(table, export=export, filename=f"attention-{month:%Y-%m}",
                               title=f"Attention {month:%b %Y}")
    RequestConfig(request, paginate={"per_page": AttentionTable.PER_PAGE}).configure(table)
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("page", None)
    context = {
        "filter": attention_filter, "table": table, "attention": attention, "month": month, "today": today,
        "reason_label": Reason(reason).label if reason else "", "row_count": len(rows),
        "export_query": query.urlencode(), "bad_export": bool(export) and export not in EXPORT_FORMATS,
    }
    return render(request, "reporting/dashboards/attention.html", context, status=200 if valid else 400)


def _scope_for(request: HttpRequest, kind: str, pk: int | None) -> tuple[Scope, str, str]:
    """The scope a worker list is about, with the page it came from (url, name); 404 outside the user's."""
    if kind == "team":
        team = team_get_for_user(user=request.user, pk=pk)
        return team_scope(team), reverse("dashboards:team", args=[team.pk]), team.name
    if kind == "service":
        area = service_area_get_for_user(user=request.user, pk=pk)
        return Scope("service", area.pk, area.name), reverse("dashboards:service", args=[area.pk]), area.name
    if not sees_authority(request.user):
        raise Http404("No authority dashboard for this account.")
    return AUTHORITY, reverse("dashboards:authority"), "Authority"


@login_required
@require_GET
def workers_view(request: HttpRequest, pk: int | None = None, kind: str = "authority") -> HttpResponse:
    """The workers behind a count on a dashboard card (more than N cases, managers holding cases, long absence
    holding cases), in the card's scope and month: as many rows as the figure. Bad parameters: 400 with the
    message beside the field."""
    scope, back_url, back_label = _scope_for(request, kind, pk)
    today = timezone.localdate()
    form = WorkerListForm(request.GET, today=today, measures=worker_list_measures())
    context = {"form": form, "scope": scope, "back_url": back_url, "back_label": back_label, "today": today}
    if not form.is_valid():
        return render(request, "reporting/dashboards/workers.html", context, status=400)
    month = form.cleaned_data["month"] or default_month(today=today)
    context.update(month=month, listing=measure_worker_list(
        scope=scope, month=month, measure=form.cleaned_data["measure"], threshold=form.cleaned_data["n"]))
    return render(request, "reporting/dashboards/workers.html", context)
