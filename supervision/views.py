"""Thin views for the pro-forma workflow: check access, parse, call one service or selector, render.

Status codes: objects outside the user's scope are 404 (the selectors raise it); in scope but not
permitted is 403 (PermissionDenied); a form with errors is 400; a stale or no-longer-editable entry is 409;
a wrong method is 405. Never 500 for anything a user can type or click.
"""
from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supervision.entry_forms import EntryEditor, line_formset
from supervision.entry_page import countersign_page_context, entry_page_context, live_score_context
from supervision.entry_scoring import scheme_tables
from supervision.entry_store import EntryConflict, EntryScoringError
from supervision.forms import (
    EARLIEST_DATE,
    ConcernForm,
    CountersignForm,
    DisputeForm,
    ReviseForm,
    SessionForm,
    TeamMonthForm,
)
from supervision.models import EntryStatus, ProformaEntry, TeamMonth
from supervision.prefill import entry_start
from supervision.rules import NO_PROFORMA_POSITIONS
from supervision.selectors import (
    entry_get_for_user,
    overdue_supervisions,
    recent_sessions,
    supervision_status_list,
    team_month_summary,
    worker_entry_history,
)
from supervision.services import EntryNotSubmitted, entry_countersign, entry_dispute, entry_revise, entry_save
from supervision.team_services import (
    can_set_service_manager_comment,
    concern_raise,
    session_record,
    team_month_update,
)
from workload.access import (
    can_manage_team,
    managed_teams_for_user,
    team_get_for_user,
    teams_for_user,
)
from workload.capabilities import can
from workload.models import Worker
from workload.selectors import team_member_get
from workload.workdays import add_months


def errors_onto_form(form, exc: ValidationError) -> bool:
    """Put a service's ValidationError next to the fields it names (others on the form as a whole).

    Returns True for field errors (bad input, 400) and False for a plain message, which the services use
    for a state that no longer allows the action (409)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return True
    form.add_error(None, exc.messages)
    return False


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit trail. REMOTE_ADDR only: a forwarded-for header
    is whatever the client says unless a trusted proxy rewrites it (see docs/supervision.md)."""
    return request.META.get("REMOTE_ADDR") or None


def _month(year: int, month: int) -> date:
    return date(year, month, 1)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _first_error(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else "That could not be done."


# ============================================================================== team month (b)


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
    messages.success(request, f"Started {worker.full_name}'s pro-forma for {the_month:%B %Y}, pre-filled from "
                              "last month and the current allocations.")
    return redirect("supervision:entry-detail", entry.pk)


# ================================================================================== the entry


def _entry_page(request: HttpRequest, entry: ProformaEntry, *, editor: EntryEditor | None = None, status: int = 200,
                **extra) -> HttpResponse:
    context = entry_page_context(user=request.user, entry=entry, editor=editor, **extra)
    return render(request, "supervision/entry_detail.html", context, status=status)


def _not_editable(request: HttpRequest, entry: ProformaEntry) -> HttpResponse | None:
    """403 for someone who may not edit this team's entries; 409 for an entry that is not editable now."""
    if not can_manage_team(request.user, entry.team):
        raise PermissionDenied("Only a manager of this team can edit its pro-formas.")
    if entry.is_editable:
        return None
    if entry.status == EntryStatus.COUNTERSIGNED and entry.is_current:
        message = "A countersigned pro-forma cannot be changed. Start a revision to correct it."
    elif not entry.is_current:
        message = "This revision has been superseded; open the current one."
    else:
        message = f"This pro-forma is {entry.get_status_display().lower()} and cannot be changed now."
    if _is_htmx(request):
        return render(request, "supervision/partials/_score_panel.html",
                      {"entry": entry, "blocked": message}, status=409)
    return _entry_page(request, entry, blocked=message, status=409)


def _entry_save(request: HttpRequest, entry: ProformaEntry, *, submit: bool) -> HttpResponse:
    """Bind and validate the page's forms, save (and submit) through one service, render or redirect."""
    blocked = _not_editable(request, entry)
    if blocked is not None:
        return blocked
    editor = EntryEditor(request.POST, entry=entry, today=timezone.localdate())
    if not editor.validate():
        return _entry_page(request, entry, editor=editor, status=400)
    try:
        saved = entry_save(entry=entry, saved_by=request.user, submit=submit, ip=client_ip(request),
                           **editor.values())
    except EntryConflict as exc:
        return _entry_page(request, entry, editor=editor, conflict=_first_error(exc), status=409)
    except EntryScoringError as exc:
        editor.add_service_error(exc)
        return _entry_page(request, entry, editor=editor, status=400)
    except EntryNotSubmitted as exc:  # saved as a draft; the submit checks name what is missing
        fresh = entry_get_for_user(user=request.user, pk=exc.entry.pk)
        data = request.POST.copy()
        data["lock_version"] = str(fresh.lock_version)
        editor.rebind(data, entry=fresh)
        editor.add_service_error(exc)
        return _entry_page(request, fresh, editor=editor, status=400,
                           not_submitted="Your changes were saved as a draft, but the pro-forma was not submitted: "
                                         "complete the fields marked below.")
    except ValidationError as exc:  # no longer editable (submitted or signed meanwhile)
        fresh = entry_get_for_user(user=request.user, pk=entry.pk)
        return _entry_page(request, fresh, blocked=_first_error(exc), status=409)
    if submit:
        messages.success(request, f"Submitted. {saved.worker.full_name} has been asked to countersign it.")
    else:
        messages.success(request, f"Saved. Total {saved.total_points.normalize():f} points, "
                                  f"{saved.band_label or 'not scored'}.")
    return redirect("supervision:entry-detail", saved.pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        return _entry_save(request, entry, submit=False)
    return _entry_page(request, entry)


@login_required
@require_POST
def entry_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get_for_user(user=request.user, pk=pk)
    return _entry_save(request, entry, submit=True)


@login_required
@require_POST
def entry_score_view(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: score the form as it stands, without saving; the score panel with reasons, and each error
    placed on its field (the page's script moves them next to the inputs)."""
    entry = entry_get_for_user(user=request.user, pk=pk)
    blocked = _not_editable(request, entry)
    if blocked is not None:
        return blocked
    editor = EntryEditor(request.POST, entry=entry, today=timezone.localdate())
    editor.validate()
    return render(request, "supervision/partials/_score_panel.html", live_score_context(entry=entry, editor=editor))


@login_required
@require_POST
def entry_lines_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a blank line or remove one, redrawing the table from what was typed (nothing is saved)."""
    entry = entry_get_for_user(user=request.user, pk=pk)
    blocked = _not_editable(request, entry)
    if blocked is not None:
        return blocked
    tables = scheme_tables(entry.scheme_version)
    rows = line_formset(tables=tables, team_type=entry.team_type, data=request.POST).raw_rows()
    focus = None
    if "add_line" in request.POST:
        rows.append({"children": 1})
        focus = len(rows) - 1
    elif "remove_line" in request.POST:
        wanted = request.POST["remove_line"]
        index = int(wanted) if wanted.isascii() and wanted.isdigit() and len(wanted) < 6 else -1
        if not 0 <= index < len(rows):
            return HttpResponse("No such line.", status=400)
        rows.pop(index)
    formset = line_formset(tables=tables, team_type=entry.team_type, initial=rows)
    context = {"entry": entry, "formset": formset, "focus": focus, "removed": "remove_line" in request.POST}
    if _is_htmx(request):
        return render(request, "supervision/partials/_entry_lines.html", context)
    editor = EntryEditor(request.POST, entry=entry, today=timezone.localdate())
    editor.form.is_valid()
    editor.formset = formset
    return _entry_page(request, entry, editor=editor, unsaved="Lines changed; save the pro-forma to keep them.")


@login_required
@require_http_methods(["GET", "POST"])
def entry_countersign_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get_for_user(user=request.user, pk=pk)
    if entry.worker.user_id is None or entry.worker.user_id != request.user.pk:
        raise PermissionDenied("Only the worker can countersign their own pro-forma.")
    form = CountersignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                entry_countersign(entry=entry, user=request.user, typed_name=form.cleaned_data["typed_name"],
                                  worker_comment=form.cleaned_data["worker_comment"], ip=client_ip(request))
            except ValidationError as exc:
                status = 400 if errors_onto_form(form, exc) else 409
            else:
                messages.success(request, "Countersigned. Thank you; the pro-forma is now locked.")
                return redirect("supervision:entry-detail", entry.pk)
        else:
            status = 400
    return _countersign_page(request, entry, form=form, dispute_form=DisputeForm(), status=status)


def _countersign_page(request, entry, *, form, dispute_form, status=200) -> HttpResponse:
    context = countersign_page_context(user=request.user, entry=entry, form=form, dispute_form=dispute_form)
    return render(request, "supervision/entry_countersign.html", context, status=status)


@login_required
@require_POST
def entry_dispute_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get_for_user(user=request.user, pk=pk)
    if entry.worker.user_id is None or entry.worker.user_id != request.user.pk:
        raise PermissionDenied("Only the worker can dispute their own pro-forma.")
    dispute_form = DisputeForm(request.POST)
    status = 400
    if dispute_form.is_valid():
        try:
            entry_dispute(entry=entry, user=request.user, reason=dispute_form.cleaned_data["reason"],
                          ip=client_ip(request))
        except ValidationError as exc:
            if not errors_onto_form(dispute_form, exc):
                status = 409
        else:
            messages.success(request, "Disputed. Your manager has been told and will revise the pro-forma.")
            return redirect("supervision:entry-detail", entry.pk)
    return _countersign_page(request, entry, form=CountersignForm(), dispute_form=dispute_form, status=status)


@login_required
@require_POST
def entry_revise_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get_for_user(user=request.user, pk=pk)
    if not can_manage_team(request.user, entry.team):
        raise PermissionDenied("Only a manager of this team can revise its pro-formas.")
    form = ReviseForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, entry, revise_form=form, status=400)
    try:
        new = entry_revise(entry=entry, revised_by=request.user, reason=form.cleaned_data["reason"],
                           ip=client_ip(request))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors_onto_form(form, exc)
            return _entry_page(request, entry, revise_form=form, status=400)
        return _entry_page(request, entry, blocked=_first_error(exc), status=409)
    messages.success(request, f"Revision {new.revision} started. The countersigned revision {entry.revision} is "
                              "kept unchanged; this one needs signing again.")
    return redirect("supervision:entry-detail", new.pk)


# ================================================================================ supervision


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


# =================================================================================== the worker


def _own_worker(request: HttpRequest) -> Worker:
    worker = Worker.objects.filter(user=request.user).select_related("team", "team__service_area").first()
    if worker is None:
        raise Http404("You have no worker record, so there is no workload to show.")
    return worker


@login_required
@require_GET
def my_workload_view(request: HttpRequest) -> HttpResponse:
    worker = _own_worker(request)
    history = worker_entry_history(worker=worker)
    return render(request, "supervision/my_workload.html", {"worker": worker, "history": history})


@login_required
@require_http_methods(["GET", "POST"])
def concern_raise_view(request: HttpRequest) -> HttpResponse:
    worker = _own_worker(request)
    form = ConcernForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                concern_raise(worker=worker, raised_by=request.user, text=form.cleaned_data["text"],
                              ip=client_ip(request))
            except ValidationError as exc:
                form.add_error("text" if hasattr(exc, "error_dict") else None, exc.messages)
                status = 400
            else:
                messages.success(request, "Your concern has been sent to your team manager and head of service.")
                return redirect("supervision:my-workload")
        else:
            status = 400
    return render(request, "supervision/concern_form.html", {"worker": worker, "form": form}, status=status)
