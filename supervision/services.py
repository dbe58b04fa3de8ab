"""Writes for the monthly pro-forma workflow (REPORTS.md (a), (b)): start, edit, submit, countersign,
dispute, revise; supervision sessions, workload concerns and the team pro-forma's own fields.

Every state change is written to the audit trail in the same transaction (supervision.audit). Emails are
queued on commit, so a rolled-back change never mails anyone, and the tasks call the *_send services
below, which record what they sent and so never send the same message twice.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from supervision import notifications
from supervision.audit import audit_event_record
from supervision.hashing import content_hash
from supervision.models import (
    AuditEvent,
    Countersignature,
    Dispute,
    EntryLine,
    EntryStatus,
    ProformaEntry,
    SessionKind,
    SupervisionSession,
    TeamMonth,
    WorkloadConcern,
)
from supervision.selectors import (
    caseload_panel,
    entries_awaiting_countersign,
    entry_reductions,
    entry_score,
    line_counts,
    policy_triggers,
    previous_month_band,
    required_reason_errors,
    scheme_tables,
    stored,
    supervision_next_due,
)
from workload.access import can_manage_team, teams_for_user
from workload.coworking import line_is_co_worked
from workload.models import AllocationRole, Case, EmploymentType, Team, Worker
from workload.roles import Role, user_roles
from workload.scoring.engine import Score
from workload.scoring.validate import ScoringInputError
from workload.selectors import team_policy_on, team_scheme_on, worker_allocation_list
from workload.workdays import is_working_day, month_end, working_days_after

EDITABLE_STATUSES = (EntryStatus.DRAFT, EntryStatus.DISPUTED)

# The fields a team manager edits (REPORTS.md (a) fields 1-3 and 5-8, 12). Scores, status and
# signatures are set by the workflow only.
ENTRY_FIELDS = (
    "position", "is_agency", "wte", "grade", "date_of_score", "completed_in_absence",
    "personal", "extra_duty_hours", "extra_duty_explanation", "extras",
    "workload_manageable", "workload_comment", "workload_context", "workload_action",
    "deviation_reason", "over_max_reason", "over_max_until", "over_max_review_on",
    "demanding_until", "high_priorities", "over_capacity_reason", "remedial_action",
)
LINE_FIELDS = ("case_id", "reference", "children", "category", "factors", "co_worked", "co_work_share", "not_allocated")


class EntryConflict(ValidationError):
    """The save was based on an older version of the entry: someone else saved in between."""


class EntryScoringError(ValidationError):
    """The content cannot be scored under the entry's scheme; `field` is the engine's path
    ("cases[2].factors[0]", "worker.grade") so the page can show the message next to that field."""

    def __init__(self, error: ScoringInputError) -> None:
        super().__init__(error.message, code="scoring")
        self.field = error.field
        self.scoring_message = error.message


def conflict_message(entry: ProformaEntry) -> str:
    saved = timezone.localtime(entry.updated_at)
    return (f"Someone else saved this pro-forma at {saved:%H:%M}; your changes were not saved. "
            "Reload to see their version.")


def _require_manager(user, team: Team) -> None:
    if not can_manage_team(user, team):
        raise PermissionDenied("Only a manager of this team can change its pro-formas.")


def _claim(entry: ProformaEntry, expected_lock_version: int, *, statuses=EDITABLE_STATUSES) -> ProformaEntry:
    """Optimistic lock: bump lock_version only if it is still the version the form was built from.

    A conditional UPDATE, so of two concurrent saves from the same version exactly one matches a row
    (the second waits on the first's row lock, then finds the version moved on). Returns the row as it
    now stands; raises EntryConflict for a stale version, ValidationError for an entry not editable."""
    updated = ProformaEntry.objects.filter(
        pk=entry.pk, lock_version=expected_lock_version, is_current=True, status__in=statuses
    ).update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    fresh = ProformaEntry.objects.select_related("worker", "worker__user", "team", "scheme_version").get(pk=entry.pk)
    if updated:
        return fresh
    if not fresh.is_current:
        raise ValidationError("This revision has been superseded; open the current one.", code="superseded")
    if fresh.status not in statuses:
        if fresh.status == EntryStatus.COUNTERSIGNED:
            raise ValidationError(
                "A countersigned pro-forma cannot be changed. Start a revision to correct it.", code="immutable"
            )
        raise ValidationError(f"This pro-forma is {fresh.get_status_display().lower()} and cannot be changed now.",
                              code="state")
    raise EntryConflict(conflict_message(fresh), code="conflict")


def _score_into(entry: ProformaEntry, lines: list[EntryLine]) -> Score:
    """Score the entry's content and store every figure on it and its lines (raises EntryScoringError)."""
    tables = scheme_tables(entry.scheme_version)
    try:
        score = entry_score(tables=tables, team_type=entry.team_type, fields=entry, lines=lines)
    except ScoringInputError as exc:
        raise EntryScoringError(exc) from exc
    entry.case_points = stored(score.case_points)
    entry.personal_points = stored(score.personal_points)
    entry.extra_points = stored(score.extra_points)
    entry.total_points = stored(score.total_points)
    entry.band, entry.band_label = score.band, score.band_label
    entry.band_thresholds = {key: format(stored(value).normalize(), "f") for key, value in score.band_thresholds.items()}
    entry.workload_weight = stored(score.workload_weight)
    entry.case_count = score.case_count
    entry.case_band = score.case_band or ""
    for line, case_score in zip(lines, score.cases, strict=True):
        line.points = stored(case_score.points)
    return score


def _clear_score(entry: ProformaEntry, lines: list[EntryLine]) -> None:
    entry.case_points = entry.personal_points = entry.extra_points = entry.total_points = None
    entry.band = entry.band_label = entry.case_band = ""
    entry.band_thresholds = {}
    entry.workload_weight = entry.case_count = None
    for line in lines:
        line.points = None


def _set_counts(entry: ProformaEntry, lines: list[EntryLine]) -> None:
    entry.children_count, entry.family_groups, _ = line_counts(lines)


def _save_lines(entry: ProformaEntry, lines: list[EntryLine]) -> None:
    for position, line in enumerate(lines):
        line.entry = entry
        line.position = position
        # Field checks only: full_clean would query once per line for the case and once per check
        # constraint, and both are already guaranteed (cases are the team's, checked in _build_lines; the
        # database enforces children >= 1 too).
        line.clean_fields(exclude=["entry", "case"])
    EntryLine.objects.bulk_create(lines)


# ================================================================================ start (prefill)


@transaction.atomic
def entry_start(*, worker: Worker, month: date, started_by, ip: str | None = None,
                today: date | None = None) -> ProformaEntry:
    """Start a worker's pro-forma for a month, pre-filled so an unchanged month takes a handful of clicks.

    From the worker record: position, agency, WTE, grade (only for schemes with grades). From last
    month's entry (same scheme and team type): personal elements, extras, extra duties and the standing
    comments (context, action, and end dates still in the future). Lines follow the team type's case basis
    (REPORTS.md 1.1) from the allocations open today (current month) or at month end (past month): each
    case's children and category from the case record, co-worked when the case has two open holders;
    last month's factors are kept for cases still held; closed or transferred cases drop out; new
    allocations are added. Scored at once; a line the scheme cannot score is kept for the TM to fix."""
    today = today or timezone.localdate()
    if month.day != 1:
        raise ValidationError({"month": "A reporting month starts on the 1st."})
    if month > today.replace(day=1):
        raise ValidationError({"month": "A pro-forma cannot be started for a month that has not begun."})
    team = worker.team
    if team is None or not worker.is_active:
        raise ValidationError(f"{worker.full_name} is not an active member of a team.")
    _require_manager(started_by, team)
    Worker.objects.select_for_update().filter(pk=worker.pk).first()  # one start at a time per worker
    if ProformaEntry.objects.current().filter(worker=worker, month=month).exists():
        raise ValidationError(f"{worker.full_name}'s pro-forma for {month:%B %Y} has already been started.",
                              code="exists")
    assignment = team_scheme_on(team=team, month=month)
    if assignment is None:
        raise ValidationError(f"{team.name} has no weighting scheme for {month:%B %Y}; an administrator sets one.")
    tables = scheme_tables(assignment.scheme_version)
    policy = team_policy_on(team=team, month=month)
    basis = policy.preset.team_type(policy.team_type).get("case_basis", "A") if policy else "A"
    day = today if month == today.replace(day=1) else month_end(month)

    previous = (
        ProformaEntry.objects.current().filter(worker=worker, month__lt=month)
        .prefetch_related("lines__case").order_by("-month").first()
    )
    carry = previous is not None and (previous.scheme_version_id, previous.team_type) == (
        assignment.scheme_version_id, assignment.team_type)

    grade = ""
    if tables.accepts_grade:
        grade = worker.grade if worker.grade in tables.grade_specs else (tables.default_grade or "")
    entry = ProformaEntry(
        worker=worker, team=team, month=month, scheme_version=assignment.scheme_version,
        team_type=assignment.team_type, position=worker.position,
        is_agency=worker.employment_type == EmploymentType.AGENCY, wte=worker.wte, grade=grade, created_by=started_by,
    )
    if carry:
        entry.personal = [c for c in previous.personal if c in tables.personal_specs]
        entry.extras = [c for c in previous.extras if c in tables.extra_specs]
        if tables.accepts_extra_duty_hours:
            entry.extra_duty_hours = previous.extra_duty_hours
            entry.extra_duty_explanation = previous.extra_duty_explanation
        entry.workload_context, entry.workload_action = previous.workload_context, previous.workload_action
        if previous.demanding_until and previous.demanding_until >= month:
            entry.demanding_until = previous.demanding_until
        if previous.over_max_until and previous.over_max_until >= month:
            entry.over_max_reason = previous.over_max_reason
            entry.over_max_until, entry.over_max_review_on = previous.over_max_until, previous.over_max_review_on
    # The Nottinghamshire NQSW/ASYE element follows ASYE status (REPORTS.md 1.2, REP-23).
    if "nqsw_asye" in tables.personal_specs:
        if worker.is_asye_on(day) and "nqsw_asye" not in entry.personal and len(entry.personal) < (
                tables.max_personal or 99):
            entry.personal = [*entry.personal, "nqsw_asye"]
        elif not worker.is_asye_on(day) and "nqsw_asye" in entry.personal:
            entry.personal = [c for c in entry.personal if c != "nqsw_asye"]

    session = (
        SupervisionSession.objects.filter(worker=worker, held=True, kind=SessionKind.WORKER,
                                          held_on__range=(month, month_end(month)))
        .order_by("-held_on").first()
    )
    entry.session = session
    entry.date_of_score = session.held_on if session else (today if day == today else None)

    roles = {AllocationRole.ALLOCATED} if basis == "A" else {AllocationRole.ALLOCATED, AllocationRole.CO_WORKER,
                                                              AllocationRole.AWAITING}
    previous_lines = list(previous.lines.all()) if carry else []
    carried = {line.case_id: line for line in previous_lines if line.case_id}
    lines: list[EntryLine] = []
    held_cases = set()
    for allocation in worker_allocation_list(worker=worker, day=day):
        if allocation.role not in roles:
            continue
        case = allocation.case
        held_cases.add(case.pk)
        co_worked = line_is_co_worked(
            rules=tables.rules, role=allocation.role,
            other_positions=[a.worker.position for a in allocation.case.open_allocations if a.pk != allocation.pk],
        )
        last = carried.get(case.pk)
        share = None
        if co_worked and tables.accepts_co_work_share:
            share = allocation.co_work_share or (last.co_work_share if last and last.co_worked else None)
        lines.append(EntryLine(
            case=case, reference=case.reference, children=case.children, category=case.category,
            factors=list(last.factors) if last else list(case.factors or []), co_worked=co_worked,
            co_work_share=share, not_allocated=False,
        ))
    for line in previous_lines:
        # Work on someone else's case (REP-24) stays while the case is open; manual lines (no case
        # record) cannot be checked, so they stay for the TM to remove.
        keep = line.case_id is None or (
            line.not_allocated and line.case_id not in held_cases and line.case.opened <= day
            and (line.case.closed is None or line.case.closed >= day)
        )
        if keep:
            lines.append(EntryLine(
                case_id=line.case_id, reference=line.reference, children=line.children, category=line.category,
                factors=list(line.factors), co_worked=line.co_worked, co_work_share=line.co_work_share,
                not_allocated=line.not_allocated,
            ))
    lines.sort(key=lambda line: (line.not_allocated, line.reference))

    scored = True
    try:
        _score_into(entry, lines)
    except EntryScoringError:
        scored = False  # kept unscored: the entry page shows the error next to the line
        _clear_score(entry, lines)
    _set_counts(entry, lines)
    entry.full_clean()
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:  # a concurrent start won the unique constraint
        raise ValidationError(f"{worker.full_name}'s pro-forma for {month:%B %Y} has already been started.",
                              code="exists") from exc
    _save_lines(entry, lines)
    audit_event_record(
        actor=started_by, action="entry.started", target=entry, entry=entry, ip=ip,
        data={"lines": len(lines), "carried_from": previous.pk if carry else None, "scored": scored,
              "allocations_on": day.isoformat()},
    )
    return entry


# ======================================================================================== editing


def _clean_fields(fields: dict[str, Any], tables) -> dict[str, Any]:
    """Only the fields a TM edits, blanked where the scheme does not take them (no hidden leftovers)."""
    cleaned = {name: fields[name] for name in ENTRY_FIELDS if name in fields}
    for name in ("workload_comment", "workload_context", "workload_action", "extra_duty_explanation",
                 "deviation_reason", "over_max_reason", "high_priorities", "over_capacity_reason", "remedial_action",
                 "grade"):
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
    _require_manager(updated_by, entry.team)
    entry = _claim(entry, expected_lock_version)
    tables = scheme_tables(entry.scheme_version)
    old_lines = list(entry.lines.order_by("position", "pk"))
    before = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    for name, value in _clean_fields(fields, tables).items():
        setattr(entry, name, value)
    new_lines = _build_lines(entry, lines)
    _score_into(entry, new_lines)
    _set_counts(entry, new_lines)
    if "date_of_score" in fields and entry.date_of_score != before["date_of_score"]:
        entry.session = (
            SupervisionSession.objects.filter(worker_id=entry.worker_id, held=True, kind=SessionKind.WORKER,
                                              held_on=entry.date_of_score).order_by("-pk").first()
            if entry.date_of_score else None
        )
    entry.full_clean()
    entry.save()
    EntryLine.objects.filter(entry=entry).delete()
    _save_lines(entry, new_lines)
    changed = [name for name in ENTRY_FIELDS if before[name] != getattr(entry, name)]
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
    _require_manager(submitted_by, entry.team)
    expected = entry.lock_version if expected_lock_version is None else expected_lock_version
    entry = _claim(entry, expected)
    lines = list(entry.lines.order_by("position", "pk"))
    score = _score_into(entry, lines)
    _set_counts(entry, lines)
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
    entry.content_hash = content_hash(saved, EntryLine.objects.filter(entry=entry).order_by("position", "pk"))
    ProformaEntry.objects.filter(pk=entry.pk).update(content_hash=entry.content_hash)
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
    signed_hash = content_hash(entry, lines)
    if signed_hash != entry.content_hash:
        raise ValidationError("The pro-forma changed after it was submitted, so it cannot be signed. "
                              "Ask your manager to submit it again.", code="hash")
    signature = Countersignature(entry=entry, signed_by=user, typed_name=" ".join(typed_name.split()),
                                 signed_at=timezone.now(), content_hash=signed_hash, ip_address=ip or None)
    signature.full_clean()
    signature.save()
    entry.status = EntryStatus.COUNTERSIGNED
    entry.worker_comment = worker_comment.strip()
    entry.lock_version += 1
    entry.save(update_fields=["status", "worker_comment", "lock_version", "updated_at"])
    audit_event_record(actor=user, action="entry.countersigned", target=entry, entry=entry, ip=ip,
                       data={"content_hash": signed_hash, "typed_name": signature.typed_name})
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
    _require_manager(revised_by, entry.team)
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
    _save_lines(new, [
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


@transaction.atomic
def session_record(*, worker: Worker, recorded_by, held_on: date, held: bool = True,
                   kind: str = SessionKind.WORKER, attendees: str = "", notes: str = "",
                   ip: str | None = None, today: date | None = None) -> SupervisionSession:
    """Record a supervision session (held or not) and when the next one is due.

    A held worker supervision sets the next due date by the worker's frequency (POLICIES §5, see
    docs/supervision.md); a session that did not happen leaves the previous due date standing, so the
    worker stays on the overdue list until one is held (M10)."""
    if worker.team is None:
        raise ValidationError(f"{worker.full_name} is not in a team.")
    _require_manager(recorded_by, worker.team)
    today = today or timezone.localdate()
    if held_on > today:
        raise ValidationError({"held_on": "A session is recorded once it has taken place (or been cancelled)."})
    next_due = None
    if kind == SessionKind.WORKER:
        if held:
            next_due = supervision_next_due(worker=worker, held_on=held_on)
        else:
            next_due = (
                SupervisionSession.objects.filter(worker=worker, held=True, kind=SessionKind.WORKER,
                                                  held_on__lte=held_on)
                .order_by("-held_on", "-pk").values_list("next_due", flat=True).first()
            ) or held_on
    session = SupervisionSession(worker=worker, supervisor=recorded_by, held_on=held_on, held=held, kind=kind,
                                 attendees=attendees.strip(), notes=notes.strip(), next_due=next_due)
    session.full_clean()
    session.save()
    audit_event_record(actor=recorded_by, action="session.recorded", target=session, ip=ip,
                       data={"worker": worker.pk, "held_on": held_on.isoformat(), "held": held, "kind": kind,
                             "next_due": next_due.isoformat() if next_due else None})
    return session


@transaction.atomic
def concern_raise(*, worker: Worker, raised_by, text: str, ip: str | None = None) -> WorkloadConcern:
    """A worker raises a workload concern (POLICIES R09); their team managers and the service area's head
    of service are emailed after commit."""
    if worker.user_id is None or worker.user_id != getattr(raised_by, "pk", None):
        raise PermissionDenied("You can only raise a concern about your own workload.")
    if not text or not text.strip():
        raise ValidationError({"text": "Describe your concern about your workload."})
    concern = WorkloadConcern(worker=worker, raised_by=raised_by, text=text.strip())
    concern.full_clean()
    concern.save()
    audit_event_record(actor=raised_by, action="concern.raised", target=concern, ip=ip,
                       data={"worker": worker.pk, "team": worker.team_id})
    from supervision.tasks import concern_notice_send as concern_notice_send_task

    transaction.on_commit(partial(concern_notice_send_task.delay, concern_id=concern.pk))
    return concern


def can_set_service_manager_comment(user, team: Team) -> bool:
    """The "CSM overall comments" are the service manager's (REPORTS.md (b)): the team's service manager,
    a head of service over the team, or an administrator."""
    roles = user_roles(user)
    if Role.ADMINISTRATOR in roles:
        return True
    if team.service_manager_id and team.service_manager_id == getattr(user, "pk", None):
        return True
    return Role.HEAD_OF_SERVICE in roles and teams_for_user(user).filter(pk=team.pk).exists()


@transaction.atomic
def team_month_update(*, team: Team, month: date, updated_by, expected_lock_version: int,
                      manager_comment: str, service_manager_comment: str, suggestions: str,
                      unallocated_cases: int | None, ip: str | None = None) -> TeamMonth:
    """Save the team pro-forma's own fields (REPORTS.md (b) header and footer), optimistically locked.

    The team manager owns the comment and the unallocated count; only the service manager, a head of
    service or an administrator may change the service manager's comment; either may add suggestions."""
    manages = can_manage_team(updated_by, team)
    senior = can_set_service_manager_comment(updated_by, team)
    if not (manages or senior):
        raise PermissionDenied("Only the team's managers and service managers can change these fields.")
    team_month, _ = TeamMonth.objects.get_or_create(team=team, month=month)
    claimed = TeamMonth.objects.filter(pk=team_month.pk, lock_version=expected_lock_version).update(
        lock_version=F("lock_version") + 1, updated_at=timezone.now())
    team_month.refresh_from_db()
    if not claimed:
        saved = timezone.localtime(team_month.updated_at)
        raise EntryConflict(f"Someone else saved this team pro-forma at {saved:%H:%M}; your changes were not saved. "
                            "Reload to see their version.", code="conflict")
    wanted = {"manager_comment": manager_comment.strip(), "service_manager_comment": service_manager_comment.strip(),
              "suggestions": suggestions.strip(), "unallocated_cases": unallocated_cases}
    changed = [name for name, value in wanted.items() if getattr(team_month, name) != value]
    if "service_manager_comment" in changed and not senior:
        raise PermissionDenied("Only the service manager or head of service can write the service manager's comment.")
    if {"manager_comment", "unallocated_cases"} & set(changed) and not manages:
        raise PermissionDenied("Only the team's managers can change the manager's comment and unallocated count.")
    for name, value in wanted.items():
        setattr(team_month, name, value)
    team_month.full_clean()
    team_month.save()
    audit_event_record(actor=updated_by, action="team_month.updated", target=team_month, ip=ip,
                       data={"team": team.pk, "month": month.isoformat(), "fields": changed})
    return team_month


# ================================================================================ emails (tasks)


def _already(*, target, action: str, **match: Any) -> bool:
    """Whether this message was already recorded as sent (the audit trail doubles as the send log)."""
    lookups = {f"data__{key}": value for key, value in match.items()}
    return AuditEvent.objects.filter(action=action, target_type=target._meta.label_lower, target_id=target.pk,
                                     **lookups).exists()


def _lock_entry(entry_id: int) -> ProformaEntry | None:
    pk = ProformaEntry.objects.select_for_update().filter(pk=entry_id).values_list("pk", flat=True).first()
    if pk is None:
        return None
    return ProformaEntry.objects.select_related("worker", "worker__user", "team", "submitted_by").get(pk=pk)


@transaction.atomic
def entry_signature_request_send(*, entry_id: int, key: str) -> bool:
    """Email the worker that an entry awaits their signature, once per submission (`key` = submitted_at).

    Skipped when the entry was signed or changed meanwhile, or the message was already sent."""
    entry = _lock_entry(entry_id)
    if entry is None or not entry.is_current or entry.status != EntryStatus.SUBMITTED:
        return False
    if entry.submitted_at is None or entry.submitted_at.isoformat() != key:
        return False
    if _already(target=entry, action="entry.notified", kind="signature_request", key=key):
        return False
    message = notifications.signature_request(entry)
    if not message.to:
        return False
    message.send()
    audit_event_record(actor=None, action="entry.notified", target=entry, entry=entry,
                       data={"kind": "signature_request", "key": key, "to": message.to})
    return True


@transaction.atomic
def dispute_notice_send(*, dispute_id: int) -> bool:
    """Email the team's managers that a worker disputed their entry, once per dispute."""
    dispute = Dispute.objects.select_related("raised_by").filter(pk=dispute_id).first()
    if dispute is None:
        return False
    entry = _lock_entry(dispute.entry_id)
    dispute.entry = entry
    if _already(target=entry, action="entry.notified", kind="dispute", key=str(dispute.pk)):
        return False
    message = notifications.dispute_notice(dispute)
    if not message.to:
        return False
    message.send()
    audit_event_record(actor=None, action="entry.notified", target=entry, entry=entry,
                       data={"kind": "dispute", "key": str(dispute.pk), "to": message.to})
    return True


@transaction.atomic
def entry_countersign_reminder_send(*, entry_id: int, day: date) -> bool:
    """Remind the worker of an entry still awaiting their signature: at most once per entry per day, so a
    rerun of the day's dispatch (or a retried task) sends nothing more."""
    entry = _lock_entry(entry_id)
    if entry is None or not entry.is_current or entry.status != EntryStatus.SUBMITTED:
        return False
    if _already(target=entry, action="entry.reminded", day=day.isoformat()):
        return False
    waited = working_days_after(timezone.localtime(entry.submitted_at).date(), day)
    message = notifications.countersign_reminder(entry, working_days=waited)
    if not message.to:
        return False
    message.send()
    audit_event_record(actor=None, action="entry.reminded", target=entry, entry=entry,
                       data={"day": day.isoformat(), "to": message.to, "working_days": waited})
    return True


def entry_countersign_reminders_dispatch(*, today: date) -> list[int]:
    """Queue a reminder for every entry submitted more than CASEWEIGHT_COUNTERSIGN_REMINDER_DAYS working
    days before `today` and still unsigned (REPORTS.md (a), REP-16). Nothing on weekends and bank holidays."""
    if not is_working_day(today):
        return []
    due = entries_awaiting_countersign(today=today, after_working_days=settings.CASEWEIGHT_COUNTERSIGN_REMINDER_DAYS)
    from supervision.tasks import entry_countersign_reminder_send as entry_countersign_reminder_send_task

    for entry_id in due:
        transaction.on_commit(partial(entry_countersign_reminder_send_task.delay, entry_id=entry_id,
                                      day=today.isoformat()))
    return due


@transaction.atomic
def concern_notice_send(*, concern_id: int) -> bool:
    """Email a worker's concern to their team managers and head of service, once per concern."""
    pk = WorkloadConcern.objects.select_for_update().filter(pk=concern_id).values_list("pk", flat=True).first()
    if pk is None:
        return False
    concern = WorkloadConcern.objects.select_related("worker", "worker__team", "worker__team__service_area",
                                                     "worker__team__service_area__head_of_service").get(pk=pk)
    if _already(target=concern, action="concern.notified"):
        return False
    message = notifications.concern_notice(concern)
    if not message.to:
        return False
    message.send()
    audit_event_record(actor=None, action="concern.notified", target=concern, data={"to": message.to})
    return True
