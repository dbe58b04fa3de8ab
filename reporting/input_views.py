"""Pages where a performance officer (an administrator) or a head of service enters the measure inputs: the
monthly figures of the child-level measures, the trend table's rows and their analysis, and the conferences
chaired by child protection advisers. Thin: access, parse, one service, render; bad input is a 400 with the
message beside the field and nothing saved."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from reporting.input_forms import (
    AggregateForm,
    AnalysisForm,
    ConferenceCountForm,
    TrendRowForm,
    team_type_choices,
)
from reporting.input_selectors import (
    aggregate_list,
    analysis_list,
    can_enter_inputs,
    conference_count_list,
    cpa_workers_for_user,
    input_service_areas_for_user,
    input_teams_for_user,
    trend_row_get_for_user,
    trend_row_list,
)
from reporting.input_services import (
    aggregate_save,
    analysis_add,
    conference_count_save,
    trend_row_save,
)
from reporting.input_tables import AggregateTable, AnalysisTable, ConferenceCountTable, TrendRowTable

NOT_ALLOWED = "Measure inputs are entered by administrators and heads of service."
PER_PAGE = 25


def _require(request: HttpRequest) -> None:
    if not can_enter_inputs(request.user):
        raise PermissionDenied(NOT_ALLOWED)


def _paginated(request: HttpRequest, table):
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return table


def _save(form, service, **kwargs) -> bool:
    """Call the service with the form's data; its errors go beside the field they name. True if saved."""
    if not form.is_valid():
        return False
    try:
        service(**form.cleaned_data, **kwargs)
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    return True


@login_required
def inputs_home_view(request: HttpRequest) -> HttpResponse:
    _require(request)
    return render(request, "reporting/inputs/home.html")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def aggregate_view(request: HttpRequest) -> HttpResponse:
    """The monthly figures of the child-level measures (case supervision, conferences, visits), per team."""
    _require(request)
    teams = input_teams_for_user(request.user)
    form = AggregateForm(request.POST or None, teams=teams,
                         initial={"month": timezone.localdate().replace(day=1)})
    if request.method == "POST":
        if _save(form, aggregate_save, entered_by=request.user, today=timezone.localdate()):
            messages.success(request, "Figures saved.")
            return redirect("inputs:figures")
    table = _paginated(request, AggregateTable(aggregate_list(user=request.user)))
    return render(request, "reporting/inputs/figures.html", {"form": form, "table": table},
                  status=400 if form.is_bound else 200)


def _trend_row_form(request: HttpRequest, **kwargs) -> TrendRowForm:
    return TrendRowForm(request.POST or None, teams=input_teams_for_user(request.user),
                        service_areas=input_service_areas_for_user(request.user), **kwargs)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def trend_row_list_view(request: HttpRequest) -> HttpResponse:
    """The trend table's rows, and a form to add one."""
    _require(request)
    form = _trend_row_form(request)
    if request.method == "POST":
        if _save(form, trend_row_save, row=None, saved_by=request.user):
            messages.success(request, "Trend row added.")
            return redirect("inputs:trend-rows")
    table = _paginated(request, TrendRowTable(trend_row_list(user=request.user), team_types=dict(team_type_choices())))
    return render(request, "reporting/inputs/trend_rows.html", {"form": form, "table": table},
                  status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def trend_row_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One trend row: change it, read its analyses, add one. A row outside the user's scope is a 404."""
    _require(request)
    row = trend_row_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    posting_analysis = request.method == "POST" and "add_analysis" in request.POST
    posting_row = request.method == "POST" and not posting_analysis
    form = _trend_row_form(request, initial=TrendRowForm.initial_from(row)) if posting_row else TrendRowForm(
        initial=TrendRowForm.initial_from(row), teams=input_teams_for_user(request.user),
        service_areas=input_service_areas_for_user(request.user))
    analysis_form = AnalysisForm(request.POST if posting_analysis else None, initial={"month": today.replace(day=1)})
    if posting_row and _save(form, trend_row_save, row=row, saved_by=request.user):
        messages.success(request, "Trend row saved.")
        return redirect("inputs:trend-row", pk=row.pk)
    if posting_analysis and _save(analysis_form, analysis_add, trend_row=row, author=request.user, today=today):
        messages.success(request, "Analysis added.")
        return redirect("inputs:trend-row", pk=row.pk)
    row.refresh_from_db()  # a refused change leaves the row as stored
    table = _paginated(request, AnalysisTable(analysis_list(trend_row=row)))
    context = {"row": row, "form": form, "analysis_form": analysis_form, "table": table}
    return render(request, "reporting/inputs/trend_row.html", context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conference_count_view(request: HttpRequest) -> HttpResponse:
    """Conferences chaired per week by the child protection advisers of the user's teams."""
    _require(request)
    form = ConferenceCountForm(request.POST or None, workers=cpa_workers_for_user(request.user))
    if request.method == "POST":
        if _save(form, conference_count_save, entered_by=request.user, today=timezone.localdate()):
            messages.success(request, "Conferences saved.")
            return redirect("inputs:conferences")
    table = _paginated(request, ConferenceCountTable(conference_count_list(user=request.user)))
    return render(request, "reporting/inputs/conferences.html", {"form": form, "table": table},
                  status=400 if form.is_bound else 200)
