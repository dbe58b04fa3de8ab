"""Celery tasks for snapshots and escalations: thin, keyed by dates and ids, each calling one service.

Only the beat-run dispatchers read the clock, once, and pass the day on (STYLE.md §6). Every task can run
twice safely: a snapshot of a date is taken once, the evaluation is idempotent, and the opening email is
recorded as an event under a row lock.
"""
from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import transaction
from django.utils import timezone

# SMTPException is an OSError: transient mail failures retry with backoff; anything else fails loudly.
RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task
def snapshots_take_due(*, day: str | None = None) -> str | None:
    """Beat entry (REPORTS §1.1, REP-8): on the ISO week's last working day take the weekly snapshot, on the
    month's last calendar day the month-end one (month end wins when both fall on one date)."""
    from workload.snapshots import snapshot_kind_due, snapshot_take

    today = date.fromisoformat(day) if day else timezone.localdate()
    kind = snapshot_kind_due(today)
    if kind is None:
        return None
    snapshot_take(day=today, kind=kind)
    return kind


@shared_task
def escalations_evaluate(*, day: str | None = None) -> dict[str, int]:
    """Beat entry (POLICIES §3, POL-3): evaluate the rules on the latest snapshot on or before today."""
    from reporting.escalations import escalations_evaluate
    from workload.selectors import latest_snapshot_date

    today = date.fromisoformat(day) if day else timezone.localdate()
    latest = latest_snapshot_date(on_or_before=today)
    if latest is None:
        return {"opened": 0, "updated": 0, "closed": 0}
    with transaction.atomic():  # the opening emails are queued on commit of this block
        return escalations_evaluate(on=latest)


@shared_task(**RETRY)
def escalation_opened_send(*, escalation_id: int) -> bool:
    from reporting.escalation_services import escalation_opened_send  # imported here to avoid an import cycle

    return escalation_opened_send(escalation_id=escalation_id)
