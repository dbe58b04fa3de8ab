"""The real delivery path, once: a submit queues the signature request on commit, a Celery worker on Redis
picks it up and the email reaches an SMTP server (tests/plugins/infra.py). Runs under ./scripts/test.sh."""
import time
from datetime import date

import pytest
from django.apps import apps

from supervision.models import AuditEvent
from supervision.services import entry_submit
from tests.factories import TeamFactory
from tests.factories_supervision import allocate, completed, started, team_manager, worker_with_login

JULY = date(2025, 7, 1)


def _reference_data() -> None:
    """Scheme versions and presets come from a data migration; a transactional test before this one may have
    flushed them, so load them again (the loader is idempotent)."""
    from importlib import import_module

    import_module("workload.migrations.0002_reference_data").load(apps, None)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_submit_sends_the_signature_request_through_celery_and_smtp(celery_worker_live, smtp_sink, settings):
    _reference_data()
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager", email="tess@example.org")
    worker = worker_with_login(team)
    worker.user.email = "sam.worker@example.org"
    worker.user.save()
    allocate(worker, reference="F-1", children=4, category="s47_icpc")
    entry = completed(started(worker, manager, JULY), manager)

    entry_submit(entry=entry, submitted_by=manager)  # commits; on_commit queues the task on Redis

    [mail] = smtp_sink.wait_for(1, timeout=20)
    assert (mail.subject, mail.to, mail.envelope_to, mail.from_) == (
        "Your July 2025 workload pro-forma is ready to countersign",
        ["sam.worker@example.org"], ["sam.worker@example.org"], settings.DEFAULT_FROM_EMAIL,
    )
    assert f"/supervision/entries/{entry.pk}/countersign/" in mail.body
    assert "Total points: 21" in mail.body
    # The worker records the send in the same transaction, committed just after SMTP accepted the message.
    deadline = time.monotonic() + 10
    while not AuditEvent.objects.filter(action="entry.notified", entry=entry).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert AuditEvent.objects.get(action="entry.notified", entry=entry).data["to"] == ["sam.worker@example.org"]
