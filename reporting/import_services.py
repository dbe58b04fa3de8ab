"""Imports in the app: store the upload, match columns, check (plan) and apply, recording every step on an
`ImportBatch`. The formats, the reading, the plan and the atomic apply are reporting/imports/ (the same code as
`import_data`); this module only keeps the record and decides when work goes to Celery.

Nothing reaches the case records until `import_batch_apply`, which re-reads the stored files and plans again
inside the apply's transaction: what the preview showed may have moved since, and the apply must refuse a plan
that now has errors rather than half-apply it.
"""
from __future__ import annotations

import csv
import hashlib
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from reporting.imports import FORMATS, apply_import, format_for, plan_import, read_upload
from reporting.models import ColumnMapping, ImportBatch, ImportFile, ImportState

ERRORS_KEPT = 5000  # per batch; the count is always exact (error_count), the list stops here
ACCEPTED_SUFFIXES = (".csv", ".xlsx")

NOT_READY = "This import cannot be applied now: it is {state}."
NOT_CHANGEABLE = "This import cannot be changed now: it is {state}."
CHANGEABLE = (ImportState.UPLOADED, ImportState.NEEDS_MAPPING, ImportState.READY, ImportState.INVALID,
              ImportState.FAILED)
STILL_ERRORS = "The files have errors now (the records changed since the preview). Nothing was applied."


@dataclass(frozen=True)
class Upload:
    """One file as the form received it (name and bytes), so the service never touches request objects."""

    name: str
    data: bytes


def header_row(name: str, data: bytes) -> list[str]:
    """Their heading row as the file has it, for the mapping step; [] when the file cannot be read (the check
    then says why, beside the file). Uses the readers' own decoding so the two never disagree."""
    from reporting.imports import readers  # private helpers: the readers have no public "headings only" call

    try:
        if name.lower().endswith(".xlsx"):
            table = readers._xlsx_table(data)
        else:
            text, _encoding = readers._decode(data)
            table = readers._csv_table(text[:65536]) if text is not None else []
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, csv.Error):
        return []
    first = next((row for row in table if any(row)), [])
    while first and not first[-1]:
        first = first[:-1]
    return [cell.strip() for cell in first]


def kind_choices() -> list[tuple[str, str]]:
    return [(f.kind, f.label) for f in FORMATS]


def kind_from_name(name: str) -> str:
    """The format whose file name the upload's name contains ("mosaic_allocations_2025.csv" -> allocations),
    longest first so "team_snapshots" is not taken for "teams"."""
    stem = PurePath(name).stem.lower().replace("-", "_").replace(" ", "_")
    for fmt in sorted(FORMATS, key=lambda f: -len(f.filename)):
        if fmt.filename in stem:
            return fmt.kind
    return ""


def kind_from_headers(headers: Iterable[str]) -> str:
    """The only format whose required columns are all among the headers, if exactly one is."""
    present = {h.strip().lower() for h in headers}
    matches = [f.kind for f in FORMATS if set(f.required) <= present]
    return matches[0] if len(matches) == 1 else ""


def missing_columns(kind: str, headers: Iterable[str], mapping: dict[str, str]) -> list[str]:
    """Our required columns that neither a header of the same name nor a matched header supplies."""
    supplied = {mapping.get(h, h).strip().lower() for h in headers}  # the readers compare in lower case
    return [name for name in format_for(kind).required if name not in supplied]


def saved_mapping(*, source: str, kind: str) -> dict[str, str]:
    if not source:
        return {}
    row = ColumnMapping.objects.filter(source__iexact=source, kind=kind).first()
    return dict(row.mapping) if row else {}


def _progress(batch: ImportBatch, percent: int) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(progress=min(percent, 100))
    batch.progress = min(percent, 100)


def _file_needs_mapping(file: ImportFile) -> bool:
    if not file.headers:
        return False  # unreadable (encoding, damaged): nothing to match; the check says why, beside the file
    return not file.kind or bool(missing_columns(file.kind, file.headers, file.mapping))


@transaction.atomic
def import_batch_create(*, uploads: list[Upload], source: str, user) -> ImportBatch:
    """Store the files as received, with size and sha256, and find each one's format and header row.

    A saved column match for the source is applied at once (only for headers the file has), so a monthly
    Mosaic export goes straight to the check. Nothing is read into the case records here."""
    if not uploads:
        raise ValidationError({"files": "Choose at least one file."})
    batch = ImportBatch(source=source.strip(), created_by=user)
    batch.full_clean()
    batch.save()
    for upload in uploads:
        headers = header_row(upload.name, upload.data)
        kind = kind_from_name(upload.name) or kind_from_headers(headers)
        mapping = {}
        if kind:
            mapping = {theirs: ours for theirs, ours in saved_mapping(source=batch.source, kind=kind).items()
                       if theirs in headers}
        file = ImportFile(batch=batch, name=upload.name[:255], size=len(upload.data),
                          sha256=hashlib.sha256(upload.data).hexdigest(), kind=kind, headers=headers,
                          mapping=mapping)
        file.file.save(upload.name, ContentFile(upload.data), save=False)
        file.save()
    files = list(batch.files.all())
    batch.state = ImportState.NEEDS_MAPPING if any(map(_file_needs_mapping, files)) else ImportState.UPLOADED
    batch.save(update_fields=["state"])
    return batch


@transaction.atomic
def import_batch_map(*, batch: ImportBatch, choices: dict[int, tuple[str, dict[str, str]]], save: bool, user) -> bool:
    """Record, per file, its format and which of their headers supplies each of our columns; save the match
    for the batch's source when asked, so the next export from that system needs no matching.

    `choices` is file id -> (kind, {our column: their header}); an empty header means "not in this file".
    A file whose kind was changed gets that kind's saved match (or same-name headers) and is shown again to be
    matched: returns False then, True when every file is matched. Errors are keyed "<file id>-<our column>"
    (beside that select) and "file-<file id>" (the file as a whole)."""
    if batch.state not in CHANGEABLE:
        raise ValidationError(NOT_CHANGEABLE.format(state=batch.get_state_display().lower()))
    errors: dict[str, list[str]] = {}
    files = list(batch.files.all())
    rematch = False
    for file in files:
        kind, ours_to_theirs = choices[file.pk]
        if kind != file.kind:
            rematch = True
            file.kind = kind
            file.mapping = {theirs: ours for theirs, ours in saved_mapping(source=batch.source, kind=kind).items()
                            if theirs in file.headers}
            continue
        chosen = [theirs for theirs in ours_to_theirs.values() if theirs]
        repeated = sorted({theirs for theirs in chosen if chosen.count(theirs) > 1})
        if repeated:
            errors.setdefault(f"file-{file.pk}", []).append(
                f"Each of your columns can supply only one of ours; chosen more than once: {', '.join(repeated)}.")
        for ours, theirs in ours_to_theirs.items():
            if theirs and theirs not in file.headers:
                errors.setdefault(f"{file.pk}-{ours}", []).append(f"{file.name} has no column {theirs!r}.")
        # only what differs from our own header names is a mapping; a file with our headers needs none
        file.mapping = {theirs: ours for ours, theirs in ours_to_theirs.items() if theirs and theirs != ours}
        for ours in format_for(kind).required:
            if not ours_to_theirs.get(ours):
                errors.setdefault(f"{file.pk}-{ours}", []).append(f"Choose the column that holds {ours}: it is needed.")
    if errors:
        raise ValidationError(errors)
    for file in files:
        file.save(update_fields=["kind", "mapping"])
    if rematch:
        batch.state = ImportState.NEEDS_MAPPING
        batch.save(update_fields=["state"])
        return False
    if save and batch.source:
        for file in (f for f in files if f.mapping):  # a file with our own headings has nothing to remember
            ColumnMapping.objects.update_or_create(
                source=batch.source, kind=file.kind, defaults={"mapping": file.mapping, "updated_by": user})
    batch.state = ImportState.UPLOADED
    batch.save(update_fields=["state"])
    return True


def _queue(task_name: str, batch: ImportBatch, today: date, **kwargs) -> None:
    from reporting import import_tasks  # imported here: the tasks module imports this one

    task = getattr(import_tasks, task_name)
    transaction.on_commit(partial(task.delay, batch_id=batch.pk, today=today.isoformat(), **kwargs))


def _is_large(batch: ImportBatch) -> bool:
    return batch.rows > settings.CASEWEIGHT_IMPORT_TASK_ROWS


def _count_rows(batch: ImportBatch) -> None:
    """Rows across the files, from the stored bytes (a line count for CSV; XLSX reports its dimension)."""
    total = 0
    for file in batch.files.all():
        with file.file.open("rb") as handle:
            data = handle.read()
        file.rows = _rows_in(file.name, data)
        file.save(update_fields=["rows"])
        total += file.rows
    batch.rows = total


def _rows_in(name: str, data: bytes) -> int:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # heavy import; only when an XLSX file is uploaded

        try:
            book = load_workbook(filename=BytesIO(data), read_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            return 0  # damaged: the check reports it, beside the file
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return max(lines - 1, 0)  # less the header; only decides task or request, so a quoted line break may overcount


@transaction.atomic
def import_batch_check_start(*, batch: ImportBatch, today: date) -> ImportBatch:
    """Check (plan) the files: in this request when they are small, else in a Celery task with progress."""
    if batch.state not in CHANGEABLE or batch.state == ImportState.NEEDS_MAPPING:
        raise ValidationError(NOT_CHANGEABLE.format(state=batch.get_state_display().lower()))
    _count_rows(batch)
    batch.state, batch.progress, batch.failure = ImportState.PLANNING, 0, ""
    batch.save(update_fields=["rows", "state", "progress", "failure"])
    if _is_large(batch):
        _queue("import_batch_plan", batch, today)
        return batch
    return import_batch_plan(batch=batch, today=today)


def _parsed(batch: ImportBatch, *, report: Callable[[int], None], share: int) -> list:
    files = list(batch.files.all())
    parsed = []
    for number, file in enumerate(files, start=1):
        with file.file.open("rb") as handle:
            data = handle.read()
        mapping = {file.kind: dict(file.mapping)} if file.mapping else None
        parsed.append(read_upload(file.name, data, mapping=mapping))
        report(share * number // len(files))
    return parsed


def _as_dict(error) -> dict:
    return {"file": error.file, "row": error.row, "column": error.column, "message": error.message}


def _errors_of(plan) -> list[dict]:
    return [_as_dict(e) for e in plan.errors]


def _store_plan(batch: ImportBatch, plan, parsed: list) -> None:
    """The plan's figures per file (created, changed, closed, unchanged), the exact row counts and the errors,
    onto the record."""
    errors = _errors_of(plan)
    files = list(batch.files.all())
    by_name, by_kind = {f.name: f for f in files}, {f.kind: f for f in files}
    for parsed_file in parsed:
        if parsed_file.name in by_name:
            by_name[parsed_file.name].rows = len(parsed_file.rows)
    batch.rows = sum(f.rows for f in files)
    counts = {}
    for file_plan in plan.files:
        file = by_name.get(file_plan.name) or by_kind.get(file_plan.kind)
        counts[file_plan.kind] = dict(file_plan.counts)
        if file is not None:
            file.counts = dict(file_plan.counts)
    for file in files:
        file.save(update_fields=["counts", "rows"])
    batch.counts, batch.errors, batch.error_count = counts, errors[:ERRORS_KEPT], len(errors)
    batch.notices = [_as_dict(e) for e in plan.notices][:ERRORS_KEPT]
    batch.planned_at = timezone.now()
    batch.state = ImportState.INVALID if errors else ImportState.READY


def import_batch_plan(*, batch: ImportBatch, today: date) -> ImportBatch:
    """Read the stored files with their column matches and plan the import: what would be created, changed
    and closed per file, and every row's errors. Writes only to the batch.

    Reading is outside any transaction so that, in a task, each progress update is seen by the page polling it;
    the result is stored under a lock, once (a rerun finds the batch no longer checking and stops)."""
    if batch.state != ImportState.PLANNING:
        return batch  # a rerun of a task whose work is done
    parsed = _parsed(batch, report=partial(_progress, batch), share=60)
    plan = plan_import(parsed, today=today)
    _progress(batch, 90)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != ImportState.PLANNING:
            return batch
        _store_plan(batch, plan, parsed)
        batch.progress = 100
        batch.save()
    return batch


@transaction.atomic
def import_batch_confirm(*, batch: ImportBatch, user, today: date) -> ImportBatch:
    """The administrator's go-ahead: apply now (small files) or queue the apply (large ones)."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.state != ImportState.READY:
        raise ValidationError(NOT_READY.format(state=batch.get_state_display().lower()))
    batch.state, batch.progress, batch.applied_by, batch.failure = ImportState.APPLYING, 0, user, ""
    batch.save(update_fields=["state", "progress", "applied_by", "failure"])
    if _is_large(batch):
        _queue("import_batch_apply", batch, today)
        return batch
    return import_batch_apply(batch=batch, today=today)


def import_batch_apply(*, batch: ImportBatch, today: date) -> ImportBatch:
    """Plan again and apply in one transaction, with the batch's state in the same one: a rerun after a crash
    either finds the batch applied (and does nothing) or finds nothing applied (and applies). A plan that has
    errors now (the records moved since the preview) is refused whole and the errors shown."""
    if batch.state != ImportState.APPLYING:
        return batch
    parsed = _parsed(batch, report=partial(_progress, batch), share=40)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.state != ImportState.APPLYING:
            return batch
        plan = plan_import(parsed, today=today)
        _store_plan(batch, plan, parsed)
        if plan.errors:
            batch.failure, batch.applied_by, batch.progress = STILL_ERRORS, None, 100
            batch.save()
            return batch
        apply_import(plan, user=batch.applied_by)
        batch.state, batch.progress, batch.applied_at = ImportState.APPLIED, 100, timezone.now()
        batch.save()
    return batch


def import_batch_fail(*, batch_id: int, reason: str) -> None:
    """Record why a task gave up, so the page stops polling and says so."""
    ImportBatch.objects.filter(pk=batch_id, state__in=(ImportState.PLANNING, ImportState.APPLYING)).update(
        state=ImportState.FAILED, failure=reason)
