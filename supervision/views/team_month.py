"""The team pro-forma (REPORTS.md (b)): the month of a team, its own fields, and starting a worker's month."""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from supervision.entry_store import EntryConflict
from supervision.forms import (
    EARLIEST_DATE,
    TeamMonthForm,
)
from supervision.models import ProformaEntry, TeamMonth
from supervision.prefill import entry_start
from supervision.team_month import team_month_summary
from supervision.team_services import (
    can_set_service_manager_comment,
    entry_session_link,
    team_month_update,
)
from supervision.views.common import _first_error, _month, client_ip
from workload.access import (
    can_manage_team,
    team_get_for_user,
)
from workload.selectors import team_member_get
from workload.workdays import add_months


def _team_month_context(request: HttpRequest, team, month: date, form: TeamMonthForm | None = None) -> dict:
    summary = team_month_summary(team=team, month=month)
    manages = can_manage_team(request.user, team)
    senior = can_set_service_manager_comment(request.user, team)
    if form is None and (manages or senior):
        tm = summary.team_month
        form = TeamMonthForm(
            initial={
                "lock_version": tm.lock_version if tm else 0,
                "unallocated_cases": summary.unallocated_cases,
                "manager_comment": tm.manager_comment if tm else "",
                "service_manager_comment": tm.service_manager_comment if tm else "",
                "suggestions": tm.suggestions if tm else "",
            },
            manages=manages, senior=senior,
        )
    this_month = timezone.localdate().replace(day=1)
    return {
        "summary": summary, "team": team, "month": month, "can_manage": manages, "form": form,
        "can_start": manages and month <= this_month,
        # Records start in 2000 (the URL's year range): no link to a month that cannot be opened.
        "previous_month": add_months(month, -1) if month > EARLIEST_DATE else None,
        "next_month": add_months(month, 1) if month < this_month else None,
        "this_month": this_month,
    }


@login_required
@require_GET
def team_month_view(request: HttpRequest, team_pk: int, year: int, month: int) -> HttpResponse:
    team = team_get_for_user(user=request.user, pk=team_pk)
    return render(request, "supervision/team_month.html", _team_month_context(request, team, _month(year, month)))


@login_required
@require_POST
def team_month_update_view(request: HttpRequest, team_pk: int, year: int, month: int) -> HttpResponse:
    team = team_get_for_user(user=request.user, pk=team_pk)
    the_month = _month(year, month)
    manages = can_manage_team(request.user, team)
    senior = can_set_service_manager_comment(request.user, team)
    if not (manages or senior):
        raise PermissionDenied("Only the team's managers and service managers can change these fields.")
    stored = TeamMonth.objects.filter(team=team, month=the_month).first()
    # Fields this user may not change are disabled: the form takes their values from here, not the post.
    initial = {name: getattr(stored, name) if stored else None for name in
               ("unallocated_cases", "manager_comment", "service_manager_comment", "suggestions")}
    initial = {name: ("" if value is None and name != "unallocated_cases" else value) for name, value in initial.items()}
    form = TeamMonthForm(request.POST, initial=initial, manages=manages, senior=senior)
    if not form.is_valid():
        return render(request, "supervision/team_month.html", _team_month_context(request, team, the_month, form),
                      status=400)
    try:
        team_month_update(team=team, month=the_month, updated_by=request.user, ip=client_ip(request),
                          expected_lock_version=form.cleaned_data["lock_version"],
                          unallocated_cases=form.cleaned_data["unallocated_cases"],
                          manager_comment=form.cleaned_data["manager_comment"],
                          service_manager_comment=form.cleaned_data["service_manager_comment"],
                          suggestions=form.cleaned_data["suggestions"])
    except EntryConflict as exc:
        context = _team_month_context(request, team, the_month, form)
        context["conflict"] = _first_error(exc)
        return render(request, "supervision/team_month.html", context, status=409)
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return render(request, "supervision/team_month.html", _team_month_context(request, team, the_month, form),
                      status=400)
    messages.success(request, "Team pro-forma fields saved.")
    return redirect("supervision:team-month", team.pk, year, month)


@login_required
@require_POST
def entry_start_view(request: HttpRequest, team_pk: int, year: int, month: int, worker_pk: int) -> HttpResponse:
    team = team_get_for_user(user=request.user, pk=team_pk)
    # a member of this team at any time (they may have moved since); entry_start checks the month (409)
    worker = team_member_get(team=team, pk=worker_pk)
    the_month = _month(year, month)
    try:
        entry = entry_start(worker=worker, month=the_month, started_by=request.user, ip=client_ip(request),
                            team=team)
    except ValidationError as exc:
        if getattr(exc, "code", None) == "exists":
            existing = ProformaEntry.objects.current().filter(worker=worker, month=the_month).first()
            if existing is not None:
                messages.info(request, _first_error(exc))
                return redirect("supervision:entry-detail", existing.pk)
        context = _team_month_context(request, team, the_month)
        context["start_error"] = _first_error(exc)
        return render(request, "supervision/team_month.html", context, status=409)
    recorded = ""
    if request.POST.get("record_supervision") == "1" and entry.date_of_score and entry.session_id is None:
        # "Record today's supervision and start": the date of score is today's supervision; recording it now
        # (as saving the pro-forma would) clears the due list, and the session follows a corrected date.
        entry.session = entry_session_link(entry=entry, recorded_by=request.user, ip=client_ip(request))
        entry.save(update_fields=["session", "updated_at"])
        recorded = f"Supervision recorded for {entry.date_of_score:%-d %B %Y}. "
    messages.success(request, f"{recorded}Started {worker.full_name}'s pro-forma for {the_month:%B %Y}, pre-filled "
                              "from last month and the current allocations.")
    return redirect("supervision:entry-detail", entry.pk)
