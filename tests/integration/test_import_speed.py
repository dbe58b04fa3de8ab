"""The fast apply: a large COPY goes in without its foreign keys, which are added back with one check each.

The threshold is lowered to one row so that these small files take the path the benchmark's large ones take."""
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from reporting.imports import apply, apply_import, plan_import
from tests.factories import AllocationFactory, CaseFactory, WorkerFactory
from tests.import_samples import TODAY, files
from workload.models import Allocation

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_copy_rebuilds_keys(monkeypatch):
    monkeypatch.setattr(apply, "FK_REBUILD_ROWS", 1)


def foreign_keys() -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
                       " WHERE contype = 'f' AND conrelid::regclass::text LIKE 'workload_%' ORDER BY 1, 2")
        return cursor.fetchall()


def checks_now() -> None:
    """What commit does: run every deferred check (the test's transaction never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def allocation_row(case, worker_id: int) -> dict:
    return {"case_id": case.pk, "worker_id": worker_id, "role": "allocated", "start": date(2025, 2, 1), "end": None,
            "co_work_share": None}


def test_a_large_copy_gives_the_same_rows_and_keeps_every_foreign_key(every_copy_rebuilds_keys):
    keys = foreign_keys()
    assert len(keys) > 10
    apply_import(plan_import(files(), today=TODAY))
    assert list(Allocation.objects.order_by("case__reference", "start").values_list(
        "case__reference", "worker__source_id", "role", "start", "end")) == [
        ("C1", "W1", "allocated", date(2025, 2, 1), None),
        ("C1", "W2", "co_worker", date(2025, 2, 10), None),
        ("C2", "W2", "allocated", date(2025, 3, 1), date(2025, 6, 30)),
    ]
    assert foreign_keys() == keys  # same names and definitions, DEFERRABLE INITIALLY DEFERRED included
    checks_now()


def test_the_keys_added_back_are_deferred_again(every_copy_rebuilds_keys):
    case, worker = CaseFactory(), WorkerFactory()
    apply._insert(Allocation, [allocation_row(case, worker.pk)])
    reached = []
    with pytest.raises(IntegrityError, match="workload_allocation"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE workload_allocation SET worker_id = %s WHERE case_id = %s", [10**9, case.pk])
        reached.append("accepted until the checks run")  # as before: the key is deferred
        checks_now()
    assert reached == ["accepted until the checks run"]


def test_a_bad_reference_in_a_large_copy_fails_and_leaves_nothing(every_copy_rebuilds_keys):
    case = CaseFactory()
    keys = foreign_keys()
    with pytest.raises(IntegrityError, match="worker_id"), transaction.atomic():
        apply._insert(Allocation, [allocation_row(case, 10**9)])
    assert Allocation.objects.count() == 0
    assert foreign_keys() == keys


def test_checks_queued_before_the_copy_still_run(every_copy_rebuilds_keys):
    first = AllocationFactory()
    case, worker = CaseFactory(), WorkerFactory()
    reached = []
    with pytest.raises(IntegrityError, match="workload_allocation"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE workload_allocation SET worker_id = %s WHERE id = %s", [10**9, first.pk])
        reached.append("queued")  # a check queued in this transaction, until now run only at commit
        apply._insert(Allocation, [allocation_row(case, worker.pk)])
    assert reached == ["queued"]
    assert list(Allocation.objects.values_list("pk", flat=True)) == [first.pk]


def test_rows_changed_before_the_copy_are_kept_and_checked(every_copy_rebuilds_keys):
    first = AllocationFactory()
    other = WorkerFactory()
    Allocation.objects.filter(pk=first.pk).update(worker=other)  # a queued check on the same table
    apply._insert(Allocation, [allocation_row(CaseFactory(), other.pk)])
    assert sorted(Allocation.objects.values_list("worker_id", flat=True)) == [other.pk, other.pk]
    checks_now()


def test_copy_writes_awkward_text_numbers_dates_and_json_as_given():
    from decimal import Decimal

    from tests.factories import TeamFactory
    from workload.models import Case, CaseloadSnapshot

    team = TeamFactory()
    awkward = ["back\\slash", "tab\there", "new\nline", "\\N", "Zoë's “case”", ""]
    apply._insert(Case, [
        {"team_id": team.pk, "reference": ref or "plain", "children": n + 1, "category": "cin_stable",
         "factors": [ref, {"q": '"'}] if n % 2 else [], "opened": date(2025, 1, n + 1),
         "closed": date(2025, 2, 1) if n == 0 else None}
        for n, ref in enumerate(awkward)
    ])
    assert list(Case.objects.order_by("children").values_list("reference", "children", "factors", "opened", "closed")) == [
        ("back\\slash", 1, [], date(2025, 1, 1), date(2025, 2, 1)),
        ("tab\there", 2, ["tab\there", {"q": '"'}], date(2025, 1, 2), None),
        ("new\nline", 3, [], date(2025, 1, 3), None),
        ("\\N", 4, ["\\N", {"q": '"'}], date(2025, 1, 4), None),
        ("Zoë's “case”", 5, [], date(2025, 1, 5), None),
        ("plain", 6, ["", {"q": '"'}], date(2025, 1, 6), None),
    ]
    worker = WorkerFactory(team=team)
    apply._insert(CaseloadSnapshot, [
        {"worker_id": worker.pk, "team_id": team.pk, "taken_on": date(2025, 3, d), "kind": "weekly", "source": "import",
         "wte": wte, "allocated_children": 3, "family_groups": 0, "coworked_children": 0,
         "awaiting_allocation_children": 0}
        for d, wte in ((7, Decimal("0.60")), (14, Decimal("1")))
    ])
    assert list(CaseloadSnapshot.objects.filter(worker=worker).order_by("taken_on").values_list("taken_on", "wte")) == [
        (date(2025, 3, 7), Decimal("0.60")), (date(2025, 3, 14), Decimal("1.00"))]
