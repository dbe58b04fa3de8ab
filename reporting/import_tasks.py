"""Celery tasks of the in-app import: check (plan) and apply a batch whose files are over
CASEWEIGHT_IMPORT_TASK_ROWS rows. Thin: they take the batch id and the day the administrator acted on (fixed by
the view, never read from the clock here) and call one service. Both can run twice safely: the services act only
on a batch still in the state the task was queued for, and the apply marks the batch applied in its own
transaction. A failure that is not transient is recorded on the batch, so the page stops waiting and says why.
"""
from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.db import DatabaseError

from reporting.import_services import import_batch_fail
from reporting.models import ImportBatch

log = logging.getLogger(__name__)

FAILED = "The import stopped because of a problem on the server; nothing was applied. Try again, or ask support."


def _run(service, batch_id: int, today: str) -> None:
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        service(batch=batch, today=date.fromisoformat(today))
    except (DatabaseError, OSError, ValueError, KeyError, LookupError):
        # the batch must not stay "checking" for ever; the traceback goes to the log for support
        log.exception("import batch %s failed in %s", batch_id, service.__name__)
        import_batch_fail(batch_id=batch_id, reason=FAILED)
        raise


@shared_task
def import_batch_plan(*, batch_id: int, today: str) -> None:
    from reporting.import_services import import_batch_plan

    _run(import_batch_plan, batch_id, today)


@shared_task
def import_batch_apply(*, batch_id: int, today: str) -> None:
    from reporting.import_services import import_batch_apply

    _run(import_batch_apply, batch_id, today)
