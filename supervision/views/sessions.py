"""Supervision sessions: who is due or overdue, and recording a session."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from supervision.forms import (
    SessionForm,
)
from supervision.rules import NO_PROFORMA_POSITIONS
from supervision.supervision_due import overdue_supervisions, recent_sessions, supervision_status_list
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


@login_required
@require_http_methods(["GET", "POST"])
def session_list_view(request: HttpRequest) -> HttpResponse:
    """Overdue supervisions for the teams the user can see, and the form to record a session."""
    teams = teams_for_user(request.user)
    team_filter = request.GET.get("team")
    if team_filter:
        if not (team_filter.isascii() and team_filter.isdigit() and len(team_filter) <= 18):
            raise Http404("No such team.")
        teams = teams.filter(pk=int(team_filter))
        if not teams.exists():
            raise Http404("No such team.")
    managed = managed_teams_for_user(request.user)
    workers = (
        Worker.objects.filter(team__in=managed.values("pk"), is_active=True)
        .exclude(position__in=NO_PROFORMA_POSITIONS).select_related("team").order_by("surname", "first_name")
    )
    form = None
    status = 200
    if request.method == "POST":
        if not (can(request.user, "session.record") and managed.exists()):
            raise PermissionDenied("Only a team manager can record supervision sessions.")
        form = SessionForm(request.POST, workers=workers)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = session_record(worker=data["worker"], recorded_by=request.user, held_on=data["held_on"],
                                         held=data["held"], kind=data["kind"], attendees=data["attendees"],
                                         notes=data["notes"], ip=client_ip(request))
            except ValidationError as exc:
                errors_onto_form(form, exc)
                status = 400
            else:
                due = f" Next due {session.next_due:%-d %B %Y}." if session.next_due else ""
                messages.success(request, f"Session recorded for {session.worker.full_name}.{due}")
                return redirect(reverse("supervision:session-list") + (f"?team={team_filter}" if team_filter else ""))
        else:
            status = 400
    elif can(request.user, "session.record") and managed.exists():
        initial = {"held_on": timezone.localdate()}
        wanted = request.GET.get("worker", "")
        if wanted.isascii() and wanted.isdigit() and len(wanted) <= 18:  # "²" is a digit to isdigit()
            initial["worker"] = int(wanted)
        form = SessionForm(initial=initial, workers=workers)
    today = timezone.localdate()
    context = {
        "form": form, "overdue": overdue_supervisions(teams=teams, today=today),
        "schedule": supervision_status_list(teams=teams, today=today),
        "sessions": recent_sessions(teams=teams), "today": today, "team_filter": team_filter,
        "teams": list(teams_for_user(request.user).order_by("name")),
    }
    return render(request, "supervision/session_list.html", context, status=status)
