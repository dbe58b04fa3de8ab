"""A worker's monthly pro-forma: edit with the live score, save and submit, countersign, dispute, revise."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from supervision.entry_editor import EntryEditor
from supervision.entry_forms import line_formset
from supervision.entry_page import countersign_page_context, entry_page_context, live_score_context
from supervision.entry_scoring import scheme_tables
from supervision.entry_store import EntryConflict, EntryScoringError
from supervision.forms import (
    CountersignForm,
    DisputeForm,
    ReviseForm,
)
from supervision.models import EntryStatus, ProformaEntry
from supervision.selectors import entry_get_for_user
from supervision.services import EntryNotSubmitted, entry_countersign, entry_dispute, entry_revise, entry_save
from supervision.views.common import _first_error, _is_htmx, client_ip, errors_onto_form
from workload.access import (
    can_manage_team,
)


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
    if request.method == "POST":  # "Save and submit" is the same form's other button
        return _entry_save(request, entry, submit="submit_entry" in request.POST)
    return _entry_page(request, entry)


@login_required
@require_POST
def entry_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit by its own address (scripts and older pages); the page's button posts to the entry's address."""
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
    return render(request, "supervision/partials/_entry_live.html", live_score_context(entry=entry, editor=editor))


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
