"""Celery tasks of the emailed reports: thin, keyed by ids, period keys and dates, each calling a service.

Loaded by the worker through settings.CELERY_IMPORTS (autodiscovery finds only `tasks` modules). Every task
can run twice safely (late acks): a built run is not rebuilt, an emailed run is not emailed again, a reminder
is sent once per return and day. Only the beat-run dispatchers read the clock, once (STYLE.md §6).
"""
from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

# SMTPException is an OSError: mail and file failures retry with backoff; anything else fails the run loudly.
RETRY = {"autoretry_for": (OSError,), "retry_backoff": True, "retry_backoff_max": 600, "max_retries": 5,
         "acks_late": True}


def _day(day: str | None) -> date:
    return date.fromisoformat(day) if day else timezone.localdate()


@shared_task(**RETRY)
def report_run_generate(*, run_id: int, send: bool = False) -> int:
    """Build the run (skipped when built), then email it to its lists when `send` (skipped when emailed)."""
    from reporting.report_deliveries import report_run_email
    from reporting.report_services import report_run_build

    report_run_build(run_id=run_id)
    return report_run_email(run_id=run_id) if send else 0


@shared_task(**RETRY)
def quarterly_return_remind(*, return_id: int, day: str) -> bool:
    from reporting.report_deliveries import quarterly_return_remind

    return quarterly_return_remind(return_id=return_id, day=date.fromisoformat(day))


@shared_task(**RETRY)
def quarterly_return_escalate(*, return_id: int, day: str) -> bool:
    from reporting.report_deliveries import quarterly_return_escalate

    return quarterly_return_escalate(return_id=return_id, day=date.fromisoformat(day))


@shared_task(**RETRY)
def quarterly_returns_daily(*, day: str | None = None) -> dict[str, list[int]]:
    """Beat entry (settings.CELERY_BEAT_SCHEDULE): reminders, overdue notices and the authority pack."""
    from django.db import transaction

    from reporting.report_services import quarterly_returns_daily

    with transaction.atomic():  # the emails are queued on commit of this block
        return quarterly_returns_daily(today=_day(day))


@shared_task(**RETRY)
def smt_weekly_dispatch(*, day: str | None = None) -> int:
    """Beat entry: the weekly SMT report from the previous week's snapshot."""
    from django.db import transaction

    from reporting.report_services import smt_weekly_dispatch

    with transaction.atomic():
        return smt_weekly_dispatch(today=_day(day)).pk


@shared_task(**RETRY)
def smt_monthly_dispatch(*, day: str | None = None) -> int:
    """Beat entry: the monthly edition on the 1st, for the month just ended."""
    from django.db import transaction

    from reporting.report_services import smt_monthly_dispatch

    with transaction.atomic():
        return smt_monthly_dispatch(today=_day(day)).pk
