"""The audit trail: one append-only row per state change, written by the service that made the change.

Not a signal: an audit row belongs to the transaction of the change it records, so a rolled-back change
leaves no trace and a committed one always has its row (STYLE.md §11).
"""
from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from supervision.models import AuditEvent, ProformaEntry

# What each action reads as on the entry page. Unknown actions fall back to the code itself.
ACTION_LABELS = {
    "entry.started": "Started the pro-forma",
    "entry.created": "Created the pro-forma",
    "entry.updated": "Saved changes",
    "entry.submitted": "Submitted for countersignature",
    "entry.countersigned": "Countersigned",
    "entry.disputed": "Disputed",
    "entry.revised": "Started a revision",
    "entry.superseded": "Superseded by a revision",
    "entry.reminded": "Countersignature reminder sent",
    "entry.notified": "Email sent",
    "session.recorded": "Supervision session recorded",
    "concern.raised": "Workload concern raised",
    "concern.notified": "Concern emailed",
    "concern.answered": "Concern answered",
    "concern.closed": "Concern closed",
    "concern.escalated": "Unanswered concern sent to the head of service",
    "team_month.updated": "Team pro-forma fields saved",
}


def audit_event_record(
    *,
    actor,
    action: str,
    target: models.Model,
    entry: ProformaEntry | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Record who did what to which record, when and from where (IP address as the request saw it).

    `actor` is None for the system (Celery reminders). Rows are never edited or deleted."""
    event = AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        entry=entry,
        data=data or {},
        ip_address=ip or None,
        at=timezone.now(),
    )
    event.full_clean()
    event.save()
    return event


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
