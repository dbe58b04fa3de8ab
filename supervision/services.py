"""Writes for the monthly pro-forma workflow (REPORTS.md (a), (b)): start, edit, submit, countersign,
dispute, revise; supervision sessions, workload concerns and the team pro-forma's own fields.

Every state change is written to the audit trail in the same transaction (supervision.audit). Emails are
queued on commit, so a rolled-back change never mails anyone, and the tasks call the *_send services
below, which record what they sent and so never send the same message twice.
"""
from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from supervision.audit import audit_event_record
from supervision.entry_scoring import scheme_tables
from supervision.entry_store import (
    claim,
    require_manager,
    save_lines,
    score_into,
    set_counts,
)
from supervision.fields import CURRENT_HASH_VERSION, EDITABLE, TEXT_FIELDS
from supervision.hashing import content_hash
from supervision.models import (
    Countersignature,
    Dispute,
    EntryLine,
    EntryStatus,
    ProformaEntry,
)
from supervision.rules import (
    NO_PROFORMA_POSITIONS,
    caseload_panel,
    policy_triggers,
    required_reason_errors,
)
from supervision.selectors import entry_reductions, previous_month_band
from supervision.team_services import entry_session_link
from workload.models import Case
from workload.selectors import team_policy_on
from workload.workdays import month_end

# ======================================================================================== editing


def _clean_fields(fields: dict[str, Any], tables) -> dict[str, Any]:
    """Only the fields a TM edits, blanked where the scheme does not take them (no hidden leftovers)."""
    cleaned = {name: fields[name] for name in EDITABLE if name in fields}
    if cleaned.get("position") in NO_PROFORMA_POSITIONS:
        # checked here as well as by the form's choices: a post can name any position
        raise ValidationError({"position": "Students on placement and team managers have no workload pro-forma: "
                                           "choose the position the worker holds."})
    for name in (*TEXT_FIELDS, "grade"):
        if name in cleaned and cleaned[name] is None:
            cleaned[name] = ""
    if "grade" in cleaned and not tables.accepts_grade:
        cleaned["grade"] = ""
    if "personal" in cleaned:
        cleaned["personal"] = list(cleaned["personal"] or []) if tables.accepts_personal else []
    if "extras" in cleaned:
        cleaned["extras"] = list(cleaned["extras"] or []) if tables.accepts_extras else []
    if "extra_duty_hours" in cleaned:
        hours = cleaned["extra_duty_hours"]
        cleaned["extra_duty_hours"] = (hours or Decimal(0)) if tables.accepts_extra_duty_hours else Decimal(0)
    return cleaned


def _build_lines(entry: ProformaEntry, lines: list[dict[str, Any]]) -> list[EntryLine]:
    tables = scheme_tables(entry.scheme_version)
    wanted = {line.get("case_id") for line in lines if line.get("case_id")}
    known = set(Case.objects.filter(pk__in=wanted, team=entry.team).values_list("pk", flat=True)) if wanted else set()
    built = []
    for line in lines:
        co_worked = bool(line.get("co_worked"))
        built.append(EntryLine(
            case_id=line.get("case_id") if line.get("case_id") in known else None,
            reference=(line.get("reference") or "").strip(),
            children=line.get("children"),
            category=line.get("category") or "",
            factors=list(line.get("factors") or []) if tables.accepts_factors else [],
            co_worked=co_worked,
            co_work_share=line.get("co_work_share") if co_worked and tables.accepts_co_work_share else None,
            not_allocated=bool(line.get("not_allocated")),
        ))
    return built


@transaction.atomic
def entry_update(*, entry: ProformaEntry, expected_lock_version: int, updated_by, fields: dict[str, Any],
                 lines: list[dict[str, Any]], ip: str | None = None) -> ProformaEntry:
    """Save a TM's edits to a draft or disputed entry and re-score it in full.

    Refused, with nothing written, when the form was built from an older version (optimistic locking:
    "Someone else saved…"), when the entry is countersigned (a correction is a revision) and when the
    content cannot be scored (the error names the field)."""
    require_manager(updated_by, entry.team)
    entry = claim(entry, expected_lock_version)
    tables = scheme_tables(entry.scheme_version)
    old_lines = list(entry.lines.order_by("position", "pk"))
    before = {name: getattr(entry, name) for name in EDITABLE}
    for name, value in _clean_fields(fields, tables).items():
        setattr(entry, name, value)
    new_lines = _build_lines(entry, lines)
    score_into(entry, new_lines)
    set_counts(entry, new_lines)
    if entry.date_of_score != before["date_of_score"] or (entry.date_of_score and entry.session_id is None):
        entry.session = entry_session_link(entry=entry, recorded_by=updated_by, ip=ip)
    entry.full_clean()
    entry.save()
    EntryLine.objects.filter(entry=entry).delete()
    save_lines(entry, new_lines)
    changed = [name for name in EDITABLE if before[name] != getattr(entry, name)]
    lines_changed = [
        (line.case_id, line.reference, line.children, line.category, list(line.factors), line.co_worked,
         line.co_work_share, line.not_allocated) for line in old_lines
    ] != [
        (line.case_id, line.reference, line.children, line.category, list(line.factors), line.co_worked,
         line.co_work_share, line.not_allocated) for line in new_lines
    ]
    if changed or lines_changed:  # a save that changed nothing is not a state change: nothing to audit
        audit_event_record(
            actor=updated_by, action="entry.updated", target=entry, entry=entry, ip=ip,
            data={"fields": changed, "lines_changed": lines_changed, "lines": len(new_lines),
                  "total_points": format(entry.total_points.normalize(), "f"), "band": entry.band},
        )
    return entry


# ======================================================================================= workflow


@transaction.atomic
def entry_submit(*, entry: ProformaEntry, submitted_by, expected_lock_version: int | None = None,
                 ip: str | None = None) -> ProformaEntry:
    """The TM signs and submits the entry for the worker's countersignature (also a resubmission after a
    dispute). Stores the score and the SHA-256 of exactly the content submitted.

    Refused while a required field is blank: the date of score, the workload questions (field 7) and
    every policy reason this month triggers (field 8: R03, R06, R21, R22, R23; extra-duty explanation)."""
    require_manager(submitted_by, entry.team)
    expected = entry.lock_version if expected_lock_version is None else expected_lock_version
    entry = claim(entry, expected)
    lines = list(entry.lines.order_by("position", "pk"))
    score = score_into(entry, lines)
    set_counts(entry, lines)
    previous_band = previous_month_band(worker_id=entry.worker_id, month=entry.month)
    panel = caseload_panel(
        worker=entry.worker, wte=entry.wte, position=entry.position, lines=lines,
        policy=team_policy_on(team=entry.team, month=entry.month),
        reductions=entry_reductions(worker_id=entry.worker_id, month=entry.month),
        on=entry.date_of_score or month_end(entry.month), band_thresholds=score.band_thresholds,
    )
    triggers = policy_triggers(band=score.band, extra_duty_hours=entry.extra_duty_hours, panel=panel,
                               previous_band=previous_band)
    errors = required_reason_errors(entry=entry, triggers=triggers, panel=panel)
    if errors:
        raise ValidationError(errors, code="incomplete")
    now = timezone.now()
    was_disputed = entry.status == EntryStatus.DISPUTED
    entry.status = EntryStatus.SUBMITTED
    entry.submitted_at, entry.submitted_by = now, submitted_by
    entry.full_clean()
    entry.save()
    EntryLine.objects.bulk_update(lines, ["points"])
    # Hash what the database now holds, read back, so the countersignature recomputes the same bytes.
    saved = ProformaEntry.objects.get(pk=entry.pk)
    entry.hash_version = CURRENT_HASH_VERSION
    entry.content_hash = content_hash(saved, EntryLine.objects.filter(entry=entry).order_by("position", "pk"),
                                      version=entry.hash_version)
    ProformaEntry.objects.filter(pk=entry.pk).update(content_hash=entry.content_hash, hash_version=entry.hash_version)
    Dispute.objects.filter(entry=entry, resolved_at__isnull=True).update(resolved_at=now)
    audit_event_record(
        actor=submitted_by, action="entry.submitted", target=entry, entry=entry, ip=ip,
        data={"content_hash": entry.content_hash, "total_points": format(entry.total_points.normalize(), "f"),
              "band": entry.band, "resubmitted_after_dispute": was_disputed},
    )
    from supervision.tasks import entry_signature_request_send as entry_signature_request_send_task

    transaction.on_commit(partial(entry_signature_request_send_task.delay, entry_id=entry.pk,
                                  key=entry.submitted_at.isoformat()))
    return entry


class EntryNotSubmitted(ValidationError):
    """The changes were saved as a draft, but the submit checks refused: `entry` is the saved draft."""

    def __init__(self, exc: ValidationError, entry: ProformaEntry) -> None:
        super().__init__(exc.error_dict if hasattr(exc, "error_dict") else exc.error_list)
        self.entry = entry


def entry_save(*, entry: ProformaEntry, saved_by, expected_lock_version: int, fields: dict[str, Any],
               lines: list[dict[str, Any]], submit: bool = False, ip: str | None = None) -> ProformaEntry:
    """Save the manager's edits and, when asked, submit them for countersignature, as one step of the page.

    The save stands even when the submit checks refuse (EntryNotSubmitted carries the saved draft), so
    nothing typed in supervision is lost for want of one reason."""
    saved = entry_update(entry=entry, expected_lock_version=expected_lock_version, updated_by=saved_by,
                         fields=fields, lines=lines, ip=ip)
    if not submit:
        return saved
    try:
        with transaction.atomic():
            return entry_submit(entry=saved, submitted_by=saved_by, expected_lock_version=saved.lock_version, ip=ip)
    except ValidationError as exc:
        raise EntryNotSubmitted(exc, saved) from exc


def normalise_name(name: str) -> str:
    """Case-insensitive, extra spaces ignored: "  sam   WORKER " == "Sam Worker"."""
    return " ".join(name.split()).casefold()


def _lock_own_submitted(entry: ProformaEntry, user, *, verb: str, not_submitted: str) -> ProformaEntry:
    """Lock the entry row and check it is the user's own and awaiting their signature: only the worker
    answers a submitted pro-forma, and never twice (the row lock serialises a double click)."""
    locked = ProformaEntry.objects.select_for_update().filter(pk=entry.pk).values_list("pk", flat=True).first()
    entry = ProformaEntry.objects.select_related("worker").get(pk=locked)
    if entry.worker.user_id is None or entry.worker.user_id != getattr(user, "pk", None):
        raise PermissionDenied(f"You can only {verb} your own pro-forma.")
    if not entry.is_current or entry.status != EntryStatus.SUBMITTED:
        raise ValidationError(not_submitted, code="state")
    return entry


@transaction.atomic
def entry_countersign(*, entry: ProformaEntry, user, typed_name: str, worker_comment: str = "",
                      ip: str | None = None) -> Countersignature:
    """The worker countersigns by typing their full name; the entry becomes immutable.

    Only the entry's own worker, only while it awaits signature, and only if the content still hashes to
    what the manager submitted: the signature records that hash, so it proves what was agreed."""
    entry = _lock_own_submitted(entry, user, verb="countersign",
                                not_submitted="This pro-forma is not awaiting your signature.")
    if normalise_name(typed_name) != normalise_name(entry.worker.full_name):
        raise ValidationError({"typed_name": f"Type your full name as it appears on the pro-forma "
                                             f"({entry.worker.full_name}) to sign."}, code="name")
    lines = list(EntryLine.objects.filter(entry=entry).order_by("position", "pk"))
    # `entry` is the row as the database holds it (read under the lock), hashed under the version its
    # submission was hashed with.
    signed_hash = content_hash(entry, lines, version=entry.hash_version)
    if signed_hash != entry.content_hash:
        raise ValidationError("The pro-forma changed after it was submitted, so it cannot be signed. "
                              "Ask your manager to submit it again.", code="hash")
    signature = Countersignature(entry=entry, signed_by=user, typed_name=" ".join(typed_name.split()),
                                 signed_at=timezone.now(), content_hash=signed_hash,
                                 hash_version=entry.hash_version, ip_address=ip or None)
    signature.full_clean()
    signature.save()
    entry.status = EntryStatus.COUNTERSIGNED
    entry.worker_comment = worker_comment.strip()
    entry.lock_version += 1
    entry.save(update_fields=["status", "worker_comment", "lock_version", "updated_at"])
    audit_event_record(actor=user, action="entry.countersigned", target=entry, entry=entry, ip=ip,
                       data={"content_hash": signed_hash, "hash_version": signature.hash_version,
                             "typed_name": signature.typed_name, "worker_comment": entry.worker_comment})
    return signature


@transaction.atomic
def entry_dispute(*, entry: ProformaEntry, user, reason: str, ip: str | None = None) -> Dispute:
    """The worker disputes the submitted entry with a reason; it goes back to the manager to revise and
    resubmit (REPORTS.md (a) field 11). The team's managers are emailed after commit."""
    entry = _lock_own_submitted(entry, user, verb="dispute",
                                not_submitted="Only a pro-forma awaiting your signature can be disputed.")
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Say what you disagree with, so your manager can revise it."})
    dispute = Dispute(entry=entry, raised_by=user, reason=reason.strip(), raised_at=timezone.now())
    dispute.full_clean()
    dispute.save()
    entry.status = EntryStatus.DISPUTED
    entry.lock_version += 1
    entry.save(update_fields=["status", "lock_version", "updated_at"])
    audit_event_record(actor=user, action="entry.disputed", target=entry, entry=entry, ip=ip,
                       data={"dispute": dispute.pk, "reason": dispute.reason})
    from supervision.tasks import dispute_notice_send as dispute_notice_send_task

    transaction.on_commit(partial(dispute_notice_send_task.delay, dispute_id=dispute.pk))
    return dispute


@transaction.atomic
def entry_revise(*, entry: ProformaEntry, revised_by, reason: str, ip: str | None = None) -> ProformaEntry:
    """Correct a countersigned entry: a new draft revision copying everything, lines included.

    The countersigned revision is never changed (only marked not current), so the record shows what was
    signed, and the new one needs both signatures again."""
    require_manager(revised_by, entry.team)
    if not reason or not reason.strip():
        raise ValidationError({"reason": "Give the reason for the correction."})
    locked = ProformaEntry.objects.select_for_update().filter(pk=entry.pk).values_list("pk", flat=True).first()
    old = ProformaEntry.objects.get(pk=locked)
    if not old.is_current:
        raise ValidationError("This revision has already been superseded; open the current one.", code="superseded")
    if old.status != EntryStatus.COUNTERSIGNED:
        raise ValidationError("Only a countersigned pro-forma is revised; edit this one directly.", code="state")
    old_lines = list(EntryLine.objects.filter(entry=old).order_by("position", "pk"))
    ProformaEntry.objects.filter(pk=old.pk).update(is_current=False)  # not content: the hash is unchanged
    new = ProformaEntry.objects.get(pk=old.pk)
    new.pk = new.id = None
    new._state.adding = True
    new.revision = old.revision + 1
    new.is_current = True
    new.supersedes = old
    new.revision_reason = reason.strip()
    new.status = EntryStatus.DRAFT
    new.lock_version = 0
    new.submitted_at = new.submitted_by = None
    new.content_hash = ""
    new.worker_comment = ""
    new.created_by = revised_by
    new.full_clean()
    new.save()
    save_lines(new, [
        EntryLine(case_id=line.case_id, reference=line.reference, children=line.children, category=line.category,
                  factors=list(line.factors), co_worked=line.co_worked, co_work_share=line.co_work_share,
                  not_allocated=line.not_allocated, points=line.points)
        for line in old_lines
    ])
    audit_event_record(actor=revised_by, action="entry.superseded", target=old, entry=old, ip=ip,
                       data={"by_entry": new.pk, "by_revision": new.revision, "reason": new.revision_reason})
    audit_event_record(actor=revised_by, action="entry.revised", target=new, entry=new, ip=ip,
                       data={"from_entry": old.pk, "from_revision": old.revision, "reason": new.revision_reason})
    return new


# =============================================================================== sessions, concerns


# ================================================================================ emails (tasks)


