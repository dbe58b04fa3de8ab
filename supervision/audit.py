"""The audit trail: one append-only row per state change, written by the service that made the change.

Not a signal: an audit row belongs to the transaction of the change it records, so a rolled-back change
leaves no trace and a committed one always has its row (STYLE.md §11).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from supervision.fields import label as field_label
from supervision.models import AuditEvent, ProformaEntry

# What each action reads as on the entry page, in words. An action missing here reads as "Recorded a change".
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
    "session.moved": "Supervision date moved",
    "session.withdrawn": "Supervision session withdrawn",
}
# The emails of the workflow (AuditEvent.data["kind"] of "entry.notified"), as the trail names them.
EMAIL_KINDS = {
    "signature_request": "Countersignature request emailed",
    "dispute": "Dispute notice emailed",
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


def action_label(action: str, data: dict[str, Any] | None = None) -> str:
    """An action in words; never its code (issue 10: no internal codes on screen)."""
    if action == "entry.notified" and data and data.get("kind") in EMAIL_KINDS:
        return EMAIL_KINDS[data["kind"]]
    return ACTION_LABELS.get(action, "Recorded a change")


@dataclass(frozen=True)
class AuditRow:
    """One line of the audit trail as people read it: the action in words, the changed fields by their labels
    (supervision.fields), the email recipients."""

    event: AuditEvent
    label: str
    fields: str
    recipients: str


def audit_rows(events: Iterable[AuditEvent]) -> list[AuditRow]:
    rows = []
    for event in events:
        data = event.data or {}
        names = [field_label(name) for name in data.get("fields") or ()]
        if data.get("lines_changed"):
            names.append("case lines")
        to = data.get("to")
        rows.append(AuditRow(event=event, label=action_label(event.action, data), fields=", ".join(names),
                             recipients=", ".join(to) if isinstance(to, list) else ""))
    return rows
