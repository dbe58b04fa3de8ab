"""Import pages: upload -> match columns -> preview -> confirm, and the record of every import.

Administrators only (capability `data.import`): anyone else signed in gets 403, and a guessed batch id is 404.
Bad input is 400 with the message beside the field and an error summary; confirming a batch that is not ready
is 409. Every successful POST redirects, so reloading never posts again. Large files are checked and applied by
a Celery task (reporting/import_tasks.py); the page polls the progress partial with htmx until it is done.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from reporting.import_forms import FileMappingForm, SaveMappingForm, UploadForm
from reporting.import_services import (
    CHANGEABLE,
    Upload,
    import_batch_check_start,
    import_batch_confirm,
    import_batch_create,
    import_batch_map,
)
from reporting.imports import FORMATS
from reporting.models import ImportBatch, ImportState
from supervision.views.common import errors_onto_form
from workload.capabilities import can

BATCHES_PER_PAGE = 25
ERRORS_PER_PAGE = 50
KIND_LABELS = {f.kind: f.label for f in FORMATS}


def _require_importer(user) -> None:
    if not can(user, "data.import"):
        raise PermissionDenied("Imports are for administrators.")


def _batch(user, pk: int) -> ImportBatch:
    _require_importer(user)
    try:
        return ImportBatch.objects.select_related("created_by", "applied_by").get(pk=pk)
    except ImportBatch.DoesNotExist as exc:
        raise Http404("No such import.") from exc


def _page(request: HttpRequest, items, per_page: int):
    """The requested page; a page number that is not one falls back to the first or the last page."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@login_required
@require_GET
def batch_list_view(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    batches = ImportBatch.objects.select_related("created_by", "applied_by").prefetch_related("files")
    return render(request, "reporting/imports/batch_list.html",
                  {"page": _page(request, batches, BATCHES_PER_PAGE), "formats": FORMATS})


@login_required
@require_http_methods(["GET", "POST"])
def batch_upload_view(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST":
        if form.is_valid():
            uploads = [Upload(name=f.name, data=f.read()) for f in form.cleaned_data["files"]]
            try:
                batch = import_batch_create(uploads=uploads, source=form.cleaned_data["source"], user=request.user)
            except ValidationError as exc:
                errors_onto_form(form, exc)
            else:
                return _next_step(request, batch)
        return render(request, "reporting/imports/batch_upload.html", {"form": form, "formats": FORMATS}, status=400)
    return render(request, "reporting/imports/batch_upload.html", {"form": form, "formats": FORMATS})


def _next_step(request: HttpRequest, batch: ImportBatch) -> HttpResponse:
    """After upload or matching: match columns if a file still needs it, else check the files."""
    if batch.state == ImportState.NEEDS_MAPPING:
        return redirect("imports:batch-mapping", pk=batch.pk)
    import_batch_check_start(batch=batch, today=timezone.localdate())
    return redirect("imports:batch-detail", pk=batch.pk)


def _mapping_forms(batch: ImportBatch, data=None) -> list[FileMappingForm]:
    return [FileMappingForm(data, file=file) for file in batch.files.all()]


@login_required
@require_http_methods(["GET", "POST"])
def batch_mapping_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request.user, pk)
    if batch.state not in CHANGEABLE:
        messages.info(request, "This import's columns can no longer be changed.")
        return redirect("imports:batch-detail", pk=batch.pk)
    if request.method == "GET":
        return _mapping_page(request, batch, _mapping_forms(batch), SaveMappingForm())
    forms = _mapping_forms(batch, request.POST)
    save_form = SaveMappingForm(request.POST)
    if not (all([form.is_valid() for form in forms]) and save_form.is_valid()):
        return _mapping_page(request, batch, forms, save_form, status=400)
    try:
        matched = import_batch_map(batch=batch, choices={form.file.pk: form.choice() for form in forms},
                                   save=save_form.cleaned_data["save"], user=request.user)
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):  # the batch moved on meanwhile (another tab): a state, not bad input
            messages.error(request, exc.messages[0])
            return _detail(request, batch, status=409)
        _errors_onto_mapping_forms(forms, exc)
        return _mapping_page(request, batch, forms, save_form, status=400)
    if not matched:
        messages.info(request, "Now match the columns of the file whose kind you chose.")
        return redirect("imports:batch-mapping", pk=batch.pk)
    if save_form.cleaned_data["save"] and batch.source:
        messages.success(request, f"Column matches saved for files from {batch.source}.")
    return _next_step(request, batch)


def _errors_onto_mapping_forms(forms: list[FileMappingForm], exc: ValidationError) -> None:
    """The service keys errors "<file id>-<our column>" and "file-<file id>"; put each beside its select."""
    by_pk = {str(form.file.pk): form for form in forms}
    for key, errors in exc.message_dict.items():
        if key.startswith("file-"):
            by_pk[key.removeprefix("file-")].add_error(None, errors)
            continue
        pk, _, column = key.partition("-")
        form = by_pk[pk]
        form.add_error(column if column in form.fields else None, errors)


def _mapping_page(request, batch, forms, save_form, *, status: int = 200) -> HttpResponse:
    errors = [form for form in forms if form.errors]
    return render(request, "reporting/imports/batch_mapping.html",
                  {"batch": batch, "forms": forms, "save_form": save_form, "errors": errors}, status=status)


def _detail(request: HttpRequest, batch: ImportBatch, *, status: int = 200) -> HttpResponse:
    files = [(file, KIND_LABELS.get(file.kind, "Not known yet")) for file in batch.files.all()]
    return render(request, "reporting/imports/batch_detail.html", {
        "batch": batch, "files": files, "errors_page": _page(request, batch.errors, ERRORS_PER_PAGE),
        "errors_cut": batch.error_count - len(batch.errors),
        "can_confirm": batch.state == ImportState.READY,
        "can_check": batch.state in (ImportState.READY, ImportState.INVALID, ImportState.FAILED),
        "can_rematch": batch.state in CHANGEABLE,
    }, status=status)


@login_required
@require_GET
def batch_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _batch(request.user, pk))


@login_required
@require_POST
def batch_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request.user, pk)
    try:
        batch = import_batch_confirm(batch=batch, user=request.user, today=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _detail(request, batch, status=409)
    if batch.state == ImportState.APPLIED:
        messages.success(request, "Applied. The records now match the files.")
    elif batch.state == ImportState.INVALID:
        messages.error(request, batch.failure)
    return redirect("imports:batch-detail", pk=batch.pk)


@login_required
@require_POST
def batch_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Check the same files again: after the records they name were imported or corrected, say."""
    batch = _batch(request.user, pk)
    try:
        import_batch_check_start(batch=batch, today=timezone.localdate())
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _detail(request, batch, status=409)
    return redirect("imports:batch-detail", pk=batch.pk)


@login_required
@require_GET
def batch_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress bar htmx polls while a task works; once it is done, the whole page is reloaded."""
    batch = _batch(request.user, pk)
    if not batch.is_running:
        response = HttpResponse("")
        response["HX-Redirect"] = reverse("imports:batch-detail", args=[batch.pk])
        return response
    return render(request, "reporting/imports/partials/_progress.html", {"batch": batch})
