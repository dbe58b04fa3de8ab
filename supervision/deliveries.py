"""The emails of the monthly cycle, each sent at most once: the audit trail doubles as the send log.

Called by the Celery tasks in supervision.tasks (never from a request), each under a row lock so a retried
or duplicated task finds the message already recorded and sends nothing more.
"""
from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from supervision import notifications
from supervision.audit import audit_event_record
from supervision.concerns import concern_is_overdue, concerns_overdue_for_escalation
from supervision.models import (
    AuditEvent,
    Dispute,
    EntryStatus,
    ProformaEntry,
    WorkloadConcern,
)
from supervision.selectors import entries_awaiting_countersign
from workload.workdays import is_working_day, working_days_after


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


@transaction.atomic
def concern_overdue_send(*, concern_id: int, day: date) -> bool:
    """Send an unanswered concern past its deadline to the head of service (POLICIES R09), once per concern:
    `escalated_at` is set under the row lock, so a rerun or a retried task sends nothing more.

    Skipped when the concern was answered meanwhile, or the service area has no head of service with an
    address (nothing recorded then, so a head of service appointed later still receives it)."""
    pk = WorkloadConcern.objects.select_for_update().filter(pk=concern_id).values_list("pk", flat=True).first()
    if pk is None:
        return False
    concern = WorkloadConcern.objects.select_related("worker", "worker__team", "worker__team__service_area",
                                                     "worker__team__service_area__head_of_service").get(pk=pk)
    if concern.escalated_at is not None or not concern_is_overdue(concern, today=day):
        return False
    message = notifications.concern_overdue_notice(concern)
    if not message.to:
        return False
    message.send()
    concern.escalated_at = timezone.now()
    concern.save(update_fields=["escalated_at", "updated_at"])
    audit_event_record(actor=None, action="concern.escalated", target=concern, data={"to": message.to})
    return True


def concerns_overdue_dispatch(*, today: date) -> list[int]:
    """Queue the head-of-service email for every unanswered concern past its deadline and not yet sent
    (CASEWEIGHT_CONCERN_RESPONSE_DAYS working days, POLICIES R09)."""
    from supervision.tasks import concern_overdue_send as concern_overdue_send_task

    due = concerns_overdue_for_escalation(today=today)
    for concern_id in due:
        transaction.on_commit(partial(concern_overdue_send_task.delay, concern_id=concern_id,
                                      day=today.isoformat()))
    return due
