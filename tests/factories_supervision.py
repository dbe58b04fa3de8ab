"""Builders for the pro-forma workflow tests. Entries are made by the real services (entry_start,
entry_update, entry_submit), so every test starts from a state the application itself could reach."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group

from supervision.models import ProformaEntry
from supervision.prefill import entry_start
from supervision.services import entry_submit, entry_update
from tests.factories import (
    HISTORY_START,
    AllocationFactory,
    CaseFactory,
    TeamFactory,
    UserFactory,
    WorkerFactory,
)
from workload.models import ServiceArea, Team, Worker
from workload.roles import Role

# Pinned "today" for the services: July 2025 is a past month, so allocations are read at 31 Jul 2025.
TODAY = date(2025, 8, 15)


def user_in(role: str, **fields):
    user = UserFactory(**fields)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


def team_manager(team: Team, **fields):
    user = user_in(Role.TEAM_MANAGER, **fields)
    team.managers.add(user)
    return user


def head_of_service(area: ServiceArea, **fields):
    user = user_in(Role.HEAD_OF_SERVICE, **fields)
    area.head_of_service = user
    area.save(update_fields=["head_of_service"])
    return user


def worker_with_login(team: Team, *, first_name: str = "Sam", surname: str = "Worker", **fields) -> Worker:
    user = user_in(Role.SOCIAL_WORKER, first_name=first_name, last_name=surname)
    return WorkerFactory(team=team, user=user, first_name=first_name, surname=surname, **fields)


def allocate(worker: Worker, *, reference: str | None = None, children: int = 1, category: str = "cin_stable",
             factors=(), opened: date = HISTORY_START, start: date = HISTORY_START, share: Decimal | None = None):
    """A case of the worker's team allocated to them."""
    kwargs = {"reference": reference} if reference else {}
    case = CaseFactory(team=worker.team, children=children, category=category, factors=list(factors), opened=opened,
                       **kwargs)
    AllocationFactory(case=case, worker=worker, start=start, co_work_share=share)
    return case


def started(worker: Worker, manager, month: date, *, today: date = TODAY) -> ProformaEntry:
    return entry_start(worker=worker, month=month, started_by=manager, ip="10.0.0.1", today=today)


COMPLETE = {
    "workload_manageable": True,
    "workload_comment": "Manageable with the current mix of cases.",
    "date_of_score": date(2025, 7, 15),
    "deviation_reason": "Caseload being built up after a move; agreed in supervision.",
}


def completed(entry: ProformaEntry, manager, **fields) -> ProformaEntry:
    """Fill in what submitting needs (field 7, date of score), keeping the lines as they are."""
    lines = [
        {"case_id": line.case_id, "reference": line.reference, "children": line.children, "category": line.category,
         "factors": list(line.factors), "co_worked": line.co_worked, "co_work_share": line.co_work_share,
         "not_allocated": line.not_allocated}
        for line in entry.lines.order_by("position", "pk")
    ]
    return entry_update(entry=entry, expected_lock_version=entry.lock_version, updated_by=manager,
                        fields={**COMPLETE, **fields}, lines=lines, ip="10.0.0.1")


def submitted(entry: ProformaEntry, manager, **fields) -> ProformaEntry:
    entry = completed(entry, manager, **fields)
    return entry_submit(entry=entry, submitted_by=manager, ip="10.0.0.1")


def team_with_entries(*, workers: int, month: date, lines: int = 3) -> tuple[Team, object]:
    """A team of N case-holding workers, each with `lines` allocated cases and a started pro-forma."""
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    for n in range(workers):
        worker = WorkerFactory(team=team, first_name=f"W{n}", surname=f"Worker{n:03d}")
        for k in range(lines):
            allocate(worker, reference=f"T{team.pk}-W{n}-C{k}", children=1 + k % 3)
        started(worker, manager, month)
    return team, manager
