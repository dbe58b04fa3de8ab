"""Supervision sessions: who is due or overdue, and recording a session."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods
from django_tables2 import RequestConfig

from supervision.filters import SHOW_ALL, SHOW_DUE, SupervisionStatusFilter
from supervision.forms import (
    SessionForm,
)
from supervision.rules import NO_PROFORMA_POSITIONS
from supervision.supervision_due import due_only, recent_sessions, supervision_status_rows
from supervision.tables import SupervisionStatusTable
from supervision.team_services import (
    session_record,
)
from supervision.views.common import client_ip, errors_onto_form
from workload.access import (
    managed_teams_for_user,
    teams_for_user,
)
from workload.capabilities import can
from workload.models import Worker


def _small_id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None  # "²".isdigit()


@login_required
@require_http_methods(["GET", "POST"])
def session_list_view(request: HttpRequest) -> HttpResponse:
    """Who is due or overdue for supervision in the teams the user can see (filtered, sorted and paged in the
    database: a fixed number of queries whatever the authority's size), and the form to record a session.

    The form lists the workers of one team: the team chosen in the filter, or the only team the user manages;
    someone who manages many teams (an administrator) chooses a team first, or follows a row's "Record" link."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("show", SHOW_DUE)
    rows = supervision_status_rows(teams=teams_for_user(request.user))
    status_filter = SupervisionStatusFilter(data, queryset=rows, request=request)
    valid = status_filter.is_valid()
    chosen = status_filter.form.cleaned_data.get("team") if valid else None
    shown = status_filter.qs if valid else rows
    if not valid or status_filter.form.cleaned_data.get("show") != SHOW_ALL:
        shown = due_only(shown, today=today).order_by(F("next_due").asc(nulls_first=True), "surname", "pk")

    managed = managed_teams_for_user(request.user)
    managed_count = managed.count() if can(request.user, "session.record") else 0
    may_record = managed_count > 0
    workers = (Worker.objects.filter(team__in=managed.values("pk"), is_active=True)
               .exclude(position__in=NO_PROFORMA_POSITIONS).select_related("team").order_by("surname", "first_name"))
    wanted = _small_id(request.GET.get("worker", ""))
    if chosen is not None:
        form_workers = workers.filter(team=chosen)
    elif wanted is not None:
        form_workers = workers.filter(team__in=Worker.objects.filter(pk=wanted).values("team_id"))
    elif managed_count == 1:
        form_workers = workers
    else:
        form_workers = None  # too many to list: choose a team first
    query = urlencode({"team": chosen.pk}) if chosen is not None else ""
    form = None
    status = 200 if valid else 400
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied("Only a team manager can record supervision sessions.")
        form = SessionForm(request.POST, workers=form_workers if form_workers is not None else workers)
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                session = session_record(worker=cleaned["worker"], recorded_by=request.user, held_on=cleaned["held_on"],
                                         held=cleaned["held"], kind=cleaned["kind"], attendees=cleaned["attendees"],
                                         notes=cleaned["notes"], ip=client_ip(request))
            except ValidationError as exc:
                errors_onto_form(form, exc)
                status = 400
            else:
                due = f" Next due {session.next_due:%-d %B %Y}." if session.next_due else ""
                messages.success(request, f"Session recorded for {session.worker.full_name}.{due}")
                return redirect(reverse("supervision:session-list") + (f"?{query}" if query else ""))
        else:
            status = 400
    elif may_record and form_workers is not None:
        initial = {"held_on": today}
        if wanted is not None:
            initial["worker"] = wanted
        form = SessionForm(initial=initial, workers=form_workers)

    table = SupervisionStatusTable(shown, today=today,
                                   record_query=None if not may_record else (f"{query}&" if query else ""))
    RequestConfig(request, paginate={"per_page": SupervisionStatusTable.PER_PAGE}).configure(table)
    context = {
        "form": form, "may_record": may_record, "filter": status_filter, "table": table, "today": today,
        "showing_all": valid and status_filter.form.cleaned_data.get("show") == SHOW_ALL,
        "sessions": recent_sessions(teams=_chosen_teams(request, chosen), today=today), "query": query,
    }
    return render(request, "supervision/session_list.html", context, status=status)


def _chosen_teams(request: HttpRequest, chosen):
    """The teams the recent sessions list covers: the chosen team, else every team the user can see."""
    teams = teams_for_user(request.user)
    return teams.filter(pk=chosen.pk) if chosen is not None else teams
