"""Celery tasks for the pro-forma workflow: thin, keyed by ids and dates, each calling one service.

Every task can run twice safely: the services record each email in the audit trail and skip a message
already sent. Only the beat-run dispatcher reads the clock, once, and passes the day on (STYLE.md §6).
"""
from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

# SMTPException is an OSError: transient mail failures retry with backoff; anything else fails loudly.
RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def entry_signature_request_send(*, entry_id: int, key: str) -> bool:
    from supervision.deliveries import entry_signature_request_send  # imported here to avoid an import cycle

    return entry_signature_request_send(entry_id=entry_id, key=key)


@shared_task(**RETRY)
def dispute_notice_send(*, dispute_id: int) -> bool:
    from supervision.deliveries import dispute_notice_send

    return dispute_notice_send(dispute_id=dispute_id)


@shared_task(**RETRY)
def concern_notice_send(*, concern_id: int) -> bool:
    from supervision.deliveries import concern_notice_send

    return concern_notice_send(concern_id=concern_id)


@shared_task(**RETRY)
def entry_countersign_reminder_send(*, entry_id: int, day: str) -> bool:
    from supervision.deliveries import entry_countersign_reminder_send

    return entry_countersign_reminder_send(entry_id=entry_id, day=date.fromisoformat(day))


@shared_task(**RETRY)
def entry_countersign_reminders_dispatch(*, day: str | None = None) -> list[int]:
    """Beat entry (settings.CELERY_BEAT_SCHEDULE): fix today once, queue one reminder task per entry."""
    from django.db import transaction

    from supervision.deliveries import entry_countersign_reminders_dispatch

    with transaction.atomic():  # the reminders are queued on commit of this block
        return entry_countersign_reminders_dispatch(
            today=date.fromisoformat(day) if day else timezone.localdate()
        )


@shared_task(**RETRY)
def concern_overdue_send(*, concern_id: int, day: str) -> bool:
    from supervision.deliveries import concern_overdue_send

    return concern_overdue_send(concern_id=concern_id, day=date.fromisoformat(day))


@shared_task(**RETRY)
def concerns_overdue_dispatch(*, day: str | None = None) -> list[int]:
    """Beat entry (settings.CELERY_BEAT_SCHEDULE): fix today once, queue one email task per overdue concern."""
    from django.db import transaction

    from supervision.deliveries import concerns_overdue_dispatch

    with transaction.atomic():  # the emails are queued on commit of this block
        return concerns_overdue_dispatch(today=date.fromisoformat(day) if day else timezone.localdate())
