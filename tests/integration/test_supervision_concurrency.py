"""Two managers saving the same entry at the same moment: exactly one save wins, the other is refused.

Needs two database connections that really run at once, so it is a transactional test on PostgreSQL (what
production and ./scripts/test.sh use); SQLite serialises whole-database writes and proves nothing here."""
import threading
import time
from datetime import date
from importlib import import_module

import pytest
from django.apps import apps
from django.db import connection, transaction

from supervision.entry_store import EntryConflict
from supervision.models import AuditEvent, ProformaEntry
from supervision.services import entry_update
from tests.factories import TeamFactory
from tests.factories_supervision import allocate, started, team_manager, worker_with_login

JULY = date(2025, 7, 1)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_from_the_same_version_only_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent row locks: run under ./scripts/test.sh (PostgreSQL)")
    import_module("workload.migrations.0002_reference_data").load(apps, None)  # flushed by earlier tests
    team = TeamFactory()
    first_manager, second_manager = team_manager(team), team_manager(team)
    worker = worker_with_login(team)
    allocate(worker, reference="F-1")
    entry = started(worker, first_manager, JULY)
    line = {"reference": "F-1", "children": 1, "category": "cin_stable", "factors": [], "case_id": None}
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(manager, comment: str) -> None:
        try:
            mine = ProformaEntry.objects.get(pk=entry.pk)  # both read version 0
            barrier.wait()
            with transaction.atomic():
                entry_update(entry=mine, expected_lock_version=0, updated_by=manager,
                             fields={"workload_comment": comment}, lines=[line])
                time.sleep(0.3)  # hold the row so the other save has to wait for this commit
            outcomes[comment] = "saved"
        except EntryConflict as exc:
            outcomes[comment] = str(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(first_manager, "first")),
               threading.Thread(target=save, args=(second_manager, "second"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    entry.refresh_from_db()
    winner = entry.workload_comment
    loser = "second" if winner == "first" else "first"
    assert outcomes[winner] == "saved"
    assert outcomes[loser].startswith("Someone else saved this pro-forma at ")
    assert entry.lock_version == 1
    assert AuditEvent.objects.filter(entry=entry, action="entry.updated").count() == 1
