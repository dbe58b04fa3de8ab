"""Thin views for the pro-forma workflow: check access, parse, call one service or selector, render.

Status codes: objects outside the user's scope are 404 (the selectors raise it); in scope but not
permitted is 403 (PermissionDenied); a form with errors is 400; a stale or no-longer-editable entry is 409;
a wrong method is 405. Never 500 for anything a user can type or click.
"""
from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from supervision.audit import action_label
from supervision.entry_scoring import scheme_tables
from supervision.entry_store import EntryConflict, EntryScoringError
from supervision.forms import (
    ConcernForm,
    CountersignForm,
    DisputeForm,
    EntryForm,
    ReviseForm,
    SessionForm,
    TeamMonthForm,
    add_scoring_error,
    entry_form_initial,
    error_summary,
    form_error_map,
    line_formset,
    line_initial,
)
from supervision.models import EntryStatus, ProformaEntry, TeamMonth
from supervision.prefill import entry_start
from supervision.rules import NO_PROFORMA_POSITIONS
from supervision.selectors import (
    entry_get_for_user,
    entry_page_data,
    entry_preview,
    overdue_supervisions,
    recent_sessions,
    supervision_status_list,
    team_month_summary,
    worker_entry_history,
)
from supervision.services import entry_countersign, entry_dispute, entry_revise, entry_submit, entry_update
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
from workload.models import Worker
from workload.roles import Role, user_roles
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
        "previous_month": add_months(month, -1),
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


def _bound_forms(request: HttpRequest, entry: ProformaEntry, data=None):
    tables = scheme_tables(entry.scheme_version)
    data = request.POST if data is None else data
    entry_form = EntryForm(data, tables=tables, team_type=entry.team_type)
    formset = line_formset(tables=tables, team_type=entry.team_type, data=data)
    return entry_form, formset


def _preview_forms(entry: ProformaEntry, entry_form: EntryForm, formset):
    """Validate the posted forms and score them live; engine errors go onto their fields."""
    valid = entry_form.is_valid()
    valid = formset.is_valid() and valid
    preview = None
    if valid:
        lines, indexes = formset.line_values()
        preview = entry_preview(entry=entry, fields=entry_form.field_values(), lines=lines)
        if preview.error is not None:
            add_scoring_error(preview.error.field, preview.error.message, entry_form=entry_form, formset=formset,
                              line_indexes=indexes)
        entry_form.set_triggers(preview.triggers)
    return preview


TEAM_VIEWING_ROLES = {Role.ADMINISTRATOR, Role.SMT, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER}


def _entry_context(request: HttpRequest, entry: ProformaEntry, *, entry_form=None, formset=None, preview=None,
                   **extra) -> dict:
    page = entry_page_data(entry=entry)
    can_manage = can_manage_team(request.user, entry.team)
    editable = entry.is_editable and can_manage
    if editable and entry_form is None:
        entry_form = EntryForm(initial=entry_form_initial(entry), tables=page.tables, team_type=entry.team_type,
                               triggers=page.triggers)
        formset = line_formset(tables=page.tables, team_type=entry.team_type, initial=line_initial(page.lines))
    score = preview.score if preview else page.score
    panel = preview.panel if preview else page.panel
    triggers = preview.triggers if preview else page.triggers
    is_worker = entry.worker.user_id is not None and entry.worker.user_id == request.user.pk
    if preview is not None and formset is not None and formset.is_bound:
        refs = [form["reference"].value() for form in formset.forms if form.cleaned_data]
        row_points = _row_points(formset, score)
    else:
        refs = [line.reference for line in page.lines]
        row_points = {i: line.points for i, line in enumerate(page.lines)} if formset is not None and not (
            formset.is_bound) and len(formset.forms) == len(page.lines) else {}
    context = {
        "entry": entry, "page": page, "tables": page.tables, "score": score,
        "score_error": None if preview else page.score_error, "panel": panel, "triggers": triggers,
        "editable": editable, "can_manage": can_manage, "entry_form": entry_form, "formset": formset,
        # managers, heads of service and SMT reach an entry through its team (entry_get_for_user scopes them
        # by team), so they can follow the breadcrumb; a worker sees only their own record
        "can_see_team": bool(user_roles(request.user) & TEAM_VIEWING_ROLES),
        "labels": code_labels(page.tables, entry.team_type),
        "is_worker": is_worker, "score_lines": _score_lines(score, refs), "row_points": row_points,
        "can_sign": is_worker and entry.is_current and entry.status == EntryStatus.SUBMITTED,
        "can_revise": can_manage and entry.is_current and entry.status == EntryStatus.COUNTERSIGNED,
        "revise_form": extra.pop("revise_form", None) or ReviseForm(),
        "hours_per_week": entry.wte * settings.CASEWEIGHT_FULLTIME_HOURS,
        "audit": [(event, action_label(event.action)) for event in page.audit_events],
        "live_errors": None,  # a full page shows its errors server-side, next to each field
        "error_summary": error_summary(entry_form=entry_form, formset=formset)
        if entry_form is not None and entry_form.is_bound and formset is not None and formset.is_bound else [],
        **extra,
    }
    return context


def code_labels(tables, team_type: str) -> dict[str, dict[str, str]]:
    """Scheme codes -> labels, so a read-only pro-forma shows words, not codes."""
    return {
        "personal": {code: label for code, (label, _points) in tables.personal_elements.items()},
        "extras": {code: extra.label for code, extra in tables.extras.items()},
        "categories": dict(tables.categories_for(team_type)),
        "factors": {code: factor.label for code, factor in tables.factor_specs.items()},
        "grades": dict(tables.grades),
    }


def _score_lines(score, refs: list[str]) -> list[tuple[str, object]]:
    """Each scored line with its reference, for the explanation."""
    if score is None:
        return []
    return [(refs[i] if i < len(refs) and refs[i] else f"Line {i + 1}", case) for i, case in enumerate(score.cases)]


def _row_points(formset, score) -> dict[int, object]:
    """Table row index -> points of that row, for a bound (posted) formset and its live score."""
    if score is None or formset is None or not formset.is_bound:
        return {}
    _lines, indexes = formset.line_values()
    return {index: case.points for index, case in zip(indexes, score.cases, strict=False)}


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
    return render(request, "supervision/entry_detail.html", _entry_context(request, entry, blocked=message),
                  status=409)


def _entry_save(request: HttpRequest, entry: ProformaEntry, *, submit: bool) -> HttpResponse:
    blocked = _not_editable(request, entry)
    if blocked is not None:
        return blocked
    entry_form, formset = _bound_forms(request, entry)
    preview = _preview_forms(entry, entry_form, formset)
    if preview is None or preview.error is not None:
        return render(request, "supervision/entry_detail.html",
                      _entry_context(request, entry, entry_form=entry_form, formset=formset, preview=preview),
                      status=400)
    lines, indexes = formset.line_values()
    try:
        updated = entry_update(entry=entry, expected_lock_version=entry_form.cleaned_data["lock_version"],
                               updated_by=request.user, fields=entry_form.field_values(), lines=lines,
                               ip=client_ip(request))
    except EntryConflict as exc:
        context = _entry_context(request, entry, entry_form=entry_form, formset=formset, preview=preview,
                                 conflict=_first_error(exc))
        return render(request, "supervision/entry_detail.html", context, status=409)
    except EntryScoringError as exc:
        add_scoring_error(exc.field, exc.scoring_message, entry_form=entry_form, formset=formset,
                          line_indexes=indexes)
        return render(request, "supervision/entry_detail.html",
                      _entry_context(request, entry, entry_form=entry_form, formset=formset, preview=preview),
                      status=400)
    except ValidationError as exc:  # no longer editable (submitted or signed meanwhile)
        fresh = entry_get_for_user(user=request.user, pk=entry.pk)
        return render(request, "supervision/entry_detail.html",
                      _entry_context(request, fresh, blocked=_first_error(exc)), status=409)
    if not submit:
        messages.success(request, f"Saved. Total {updated.total_points.normalize():f} points, "
                                  f"{updated.band_label or 'not scored'}.")
        return redirect("supervision:entry-detail", updated.pk)
    try:
        entry_submit(entry=updated, submitted_by=request.user, expected_lock_version=updated.lock_version,
                     ip=client_ip(request))
    except ValidationError as exc:
        data = request.POST.copy()
        data["lock_version"] = str(updated.lock_version)
        entry_form, formset = _bound_forms(request, updated, data)
        preview = _preview_forms(updated, entry_form, formset)
        errors_onto_form(entry_form, exc)
        fresh = entry_get_for_user(user=request.user, pk=updated.pk)
        context = _entry_context(request, fresh, entry_form=entry_form, formset=formset, preview=preview,
                                 not_submitted="Your changes were saved as a draft, but the pro-forma was not "
                                               "submitted: complete the fields marked below.")
        return render(request, "supervision/entry_detail.html", context, status=400)
    messages.success(request, f"Submitted. {updated.worker.full_name} has been asked to countersign it.")
    return redirect("supervision:entry-detail", updated.pk)


@login_required
@require_http_methods(["GET", "POST"])
def entry_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = entry_get_for_user(user=request.user, pk=pk)
    if request.method == "POST":
        return _entry_save(request, entry, submit=False)
    return render(request, "supervision/entry_detail.html", _entry_context(request, entry))


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
    entry_form, formset = _bound_forms(request, entry)
    preview = _preview_forms(entry, entry_form, formset)
    context = {
        "entry": entry, "score": preview.score if preview else None, "panel": preview.panel if preview else None,
        "triggers": preview.triggers if preview else frozenset(), "live": True,
        "live_errors": form_error_map(entry_form=entry_form, formset=formset),
        "form_problems": [*entry_form.non_field_errors(), *formset.non_form_errors(),
                          *[e for form in formset.forms for e in form.non_field_errors()]],
        "tables": scheme_tables(entry.scheme_version),
    }
    if preview is not None:
        refs = [form["reference"].value() for form in formset.forms if form.cleaned_data]
        context["score_lines"] = _score_lines(preview.score, refs)
        points = _row_points(formset, preview.score)
        context["row_points_oob"] = [(i, points.get(i)) for i in range(len(formset.forms))]
    return render(request, "supervision/partials/_score_panel.html", context)


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
        try:
            index = int(request.POST["remove_line"])
        except ValueError:
            index = -1
        if not 0 <= index < len(rows):
            return HttpResponse("No such line.", status=400)
        rows.pop(index)
    formset = line_formset(tables=tables, team_type=entry.team_type, initial=rows)
    context = {"entry": entry, "formset": formset, "focus": focus, "removed": "remove_line" in request.POST}
    if _is_htmx(request):
        return render(request, "supervision/partials/_entry_lines.html", context)
    entry_form = EntryForm(request.POST, tables=tables, team_type=entry.team_type)
    entry_form.is_valid()
    return render(request, "supervision/entry_detail.html",
                  _entry_context(request, entry, entry_form=entry_form, formset=formset,
                                 unsaved="Lines changed; save the pro-forma to keep them."))


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
    page = entry_page_data(entry=entry)
    context = {
        "entry": entry, "page": page, "score": page.score, "panel": page.panel, "triggers": page.triggers,
        "tables": page.tables, "form": form, "dispute_form": dispute_form,
        "score_lines": _score_lines(page.score, [line.reference for line in page.lines]),
        "labels": code_labels(page.tables, entry.team_type),
        "can_sign": entry.is_current and entry.status == EntryStatus.SUBMITTED,
        "audit": [(event, action_label(event.action)) for event in page.audit_events],
        "hours_per_week": entry.wte * settings.CASEWEIGHT_FULLTIME_HOURS,
    }
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
        return render(request, "supervision/entry_detail.html", _entry_context(request, entry, revise_form=form),
                      status=400)
    try:
        new = entry_revise(entry=entry, revised_by=request.user, reason=form.cleaned_data["reason"],
                           ip=client_ip(request))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            errors_onto_form(form, exc)
            return render(request, "supervision/entry_detail.html", _entry_context(request, entry, revise_form=form),
                          status=400)
        return render(request, "supervision/entry_detail.html",
                      _entry_context(request, entry, blocked=_first_error(exc)), status=409)
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
        try:
            teams = teams.filter(pk=int(team_filter))
        except ValueError as exc:
            raise Http404("No such team.") from exc
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
        if not managed.exists():
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
    elif managed.exists():
        initial = {"held_on": timezone.localdate()}
        if request.GET.get("worker", "").isdigit():
            initial["worker"] = int(request.GET["worker"])
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
