"""Snapshots taken from current allocations (REPORTS §1.1, REP-8): counts, establishment, idempotence,
bounded queries and which kind the daily task takes."""
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.tasks import snapshots_take_due
from tests.factories import AllocationFactory, CaseFactory, TeamFactory, WorkerFactory
from workload.models import (
    AllocationRole,
    CaseloadSnapshot,
    EmploymentType,
    EstablishmentPost,
    Membership,
    Position,
    SnapshotKind,
    StudentStage,
    TeamSnapshot,
)
from workload.selectors import team_unallocated_cases
from workload.snapshots import snapshot_kind_due, snapshot_take

pytestmark = pytest.mark.django_db

DAY = date(2025, 1, 24)  # a Friday
START = date(2024, 6, 1)


def case(team, children, *, opened=START, closed=None):
    return CaseFactory(team=team, children=children, opened=opened, closed=closed)


def build():
    team = TeamFactory(code="DA1")
    ann = WorkerFactory(team=team, first_name="Ann", surname="Allocated")
    bob = WorkerFactory(team=team, first_name="Bob", surname="Parttime", wte=Decimal("0.60"),
                        employment_type=EmploymentType.AGENCY)
    stu = WorkerFactory(team=team, first_name="Stu", surname="Student", position=Position.STUDENT,
                        student_stage=StudentStage.FINAL)
    shared = case(team, 3)
    AllocationFactory(case=shared, worker=ann, start=START)  # shared allocation: both count 3 in full
    AllocationFactory(case=shared, worker=bob, start=START)
    AllocationFactory(case=case(team, 2), worker=ann, start=START)
    AllocationFactory(case=case(team, 4), worker=ann, start=START, end=date(2025, 1, 10))  # ended: not counted
    AllocationFactory(case=case(team, 5, closed=date(2025, 1, 1)), worker=ann, start=START)  # closed case
    cowork = case(team, 2)
    AllocationFactory(case=cowork, worker=bob, start=START)
    AllocationFactory(case=cowork, worker=ann, role=AllocationRole.CO_WORKER, start=START)
    AllocationFactory(case=cowork, worker=stu, role=AllocationRole.CO_WORKER, start=START)  # student's own count
    AllocationFactory(case=case(team, 1), worker=bob, role=AllocationRole.AWAITING, start=START)
    case(team, 6)  # open, nobody: unallocated
    case(team, 7, opened=date(2025, 2, 1))  # not open yet
    leaver = WorkerFactory(team=team, first_name="Lee", surname="Leaver", membership=START)
    Membership.objects.filter(worker=leaver).update(end=date(2025, 1, 3))
    EstablishmentPost.objects.create(team=team, label="P1", fte=Decimal("1.00"), start=START, holder=ann)
    EstablishmentPost.objects.create(team=team, label="P2", fte=Decimal("0.60"), start=START, holder=bob)  # agency
    EstablishmentPost.objects.create(team=team, label="P8", fte=Decimal("1.00"), start=START)  # vacant
    EstablishmentPost.objects.create(team=team, label="Old", fte=Decimal("0.50"), start=START, end=date(2024, 12, 31))
    return team


def worker_rows():
    return sorted(CaseloadSnapshot.objects.values_list(
        "worker__first_name", "team__code", "taken_on", "kind", "source", "wte", "allocated_children",
        "family_groups", "coworked_children", "awaiting_allocation_children"))


def team_rows():
    return sorted(TeamSnapshot.objects.values_list(
        "team__code", "taken_on", "kind", "unallocated_children", "establishment_fte", "vacant_fte", "agency_fte"))


def test_snapshot_counts_from_allocations_and_establishment():
    team = build()
    taken = snapshot_take(day=DAY, kind=SnapshotKind.WEEKLY)
    assert (taken.worker_rows, taken.team_rows) == (3, 1)
    assert worker_rows() == [
        ("Ann", "DA1", DAY, "weekly", "allocations", Decimal("1.00"), 5, 2, 2, 0),
        ("Bob", "DA1", DAY, "weekly", "allocations", Decimal("0.60"), 5, 2, 0, 1),
        ("Stu", "DA1", DAY, "weekly", "allocations", Decimal("1.00"), 0, 0, 2, 0),
    ]
    assert team_rows() == [("DA1", DAY, "weekly", 10, Decimal("2.60"), Decimal("1.60"), Decimal("0.60"))]
    assert sum(c.children for c in team_unallocated_cases(team=team, day=DAY)) == 10  # 4 (allocation ended) + 6


def test_taking_a_snapshot_twice_changes_nothing():
    team = build()
    snapshot_take(day=DAY, kind=SnapshotKind.WEEKLY)
    before = (worker_rows(), team_rows(), list(CaseloadSnapshot.objects.order_by("pk").values_list("pk", flat=True)))
    AllocationFactory(case=case(team, 9), worker=WorkerFactory(team=team), start=START)  # the first snapshot stands
    CaseloadSnapshot.objects.filter(worker__first_name="Ann").update(allocated_children=5)

    taken = snapshot_take(day=DAY, kind=SnapshotKind.WEEKLY)

    assert (taken.worker_rows, taken.team_rows) == (1, 0)  # only the new worker's row
    assert [row for row in worker_rows() if row[0] != "Jo"] == before[0]
    assert team_rows() == before[1]
    again = snapshot_take(day=DAY, kind=SnapshotKind.WEEKLY)
    assert (again.worker_rows, again.team_rows) == (0, 0)
    assert CaseloadSnapshot.objects.count() == 4


def test_month_end_on_a_weekly_date_keeps_one_row_labelled_month_end():
    build()
    friday_month_end = date(2025, 1, 31)
    snapshot_take(day=friday_month_end, kind=SnapshotKind.WEEKLY)
    snapshot_take(day=friday_month_end, kind=SnapshotKind.MONTH_END)
    assert sorted(CaseloadSnapshot.objects.values_list("worker__first_name", "kind")) == [
        ("Ann", "month_end"), ("Bob", "month_end"), ("Stu", "month_end")]
    assert list(TeamSnapshot.objects.values_list("kind", flat=True)) == ["month_end"]


def _take_queries(workers: int) -> int:
    team = TeamFactory()
    for _ in range(workers):
        AllocationFactory(case=case(team, 2), worker=WorkerFactory(team=team), start=START)
    with CaptureQueriesContext(connection) as queries:
        snapshot_take(day=DAY, kind=SnapshotKind.MONTH_END)
    CaseloadSnapshot.objects.all().delete()
    TeamSnapshot.objects.all().delete()
    return len(queries)


def test_snapshot_queries_do_not_grow_with_workers():
    # savepoint, memberships, counts, teams, unallocated, establishment, 2 counts before, 2 inserts, 2 relabels,
    # 2 counts after, release
    assert (_take_queries(2), _take_queries(10)) == (15, 15)


@pytest.mark.parametrize(("day", "kind"), [
    (date(2025, 1, 24), "weekly"),      # Friday
    (date(2025, 1, 23), None),          # Thursday
    (date(2025, 1, 31), "month_end"),   # Friday and month end: month end wins
    (date(2024, 11, 30), "month_end"),  # Saturday month end
    (date(2025, 4, 17), "weekly"),      # Thursday before Good Friday (18 Apr 2025)
    (date(2025, 4, 18), None),          # Good Friday
    (date(2025, 12, 24), "weekly"),     # Wednesday: 25 and 26 Dec are bank holidays
])
def test_which_snapshot_a_day_takes(day, kind):
    assert snapshot_kind_due(day) == kind


def test_daily_task_takes_the_due_snapshot_only():
    build()
    assert snapshots_take_due(day="2025-01-23") is None
    assert CaseloadSnapshot.objects.count() == 0
    assert snapshots_take_due(day="2025-01-31") == "month_end"
    assert sorted(CaseloadSnapshot.objects.values_list("taken_on", "kind").order_by().distinct()) == [
        (date(2025, 1, 31), "month_end")]


def test_beat_runs_the_snapshot_and_escalation_tasks(settings):
    from celery import current_app

    schedule = settings.CELERY_BEAT_SCHEDULE
    for key in ("caseload-snapshots", "escalations-evaluate"):
        assert schedule[key]["task"] in current_app.tasks
    assert (schedule["caseload-snapshots"]["schedule"].hour, schedule["caseload-snapshots"]["schedule"].minute) == (
        {23}, {30})
