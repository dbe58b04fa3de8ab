"""Fixtures for the browser journeys (Playwright in Debian's Chromium against pytest-django's live_server).

The browser, SMTP sink, Celery worker, `axe_check` and `screenshot` are in tests/plugins/infra.py. This file
adds the people and caseload of one Nottinghamshire team, built with the factories and the real services,
and committed (transactional tests), so the live server's thread and the Celery worker's thread see them.

Dates follow the real clock: the pages read `timezone.localdate()` in the live server's thread, so "this
month" is the month the suite runs in and the setup is relative to it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import Page, expect

from supervision.models import ProformaEntry
from supervision.prefill import entry_start
from supervision.services import entry_submit, entry_update
from tests.factories import AllocationFactory, TeamFactory, WorkerFactory
from tests.factories_supervision import allocate, team_manager, user_in
from workload.models import Team, Worker
from workload.roles import Role
from workload.workdays import add_months

PASSWORD = "caseweight-test"  # UserFactory's password


@pytest.fixture(autouse=True)
def _async_unsafe_orm(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API marks an asyncio loop as running in the test's thread, and Django refuses ORM
    calls under a running loop; the test thread's ORM calls here never run inside that loop's tasks.
    Only this conftest sets it (STYLE.md §8); infra's chromium_browser sets it for as long as it lives too."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def http_errors(browser_page) -> list[tuple[str, str, int]]:
    """(method, path, status) of every response of 400 or more the page receives, htmx requests included,
    so a journey can assert that nothing it did behind the scenes was refused. Chromium's own favicon
    request is left out (the app has none)."""
    errors: list[tuple[str, str, int]] = []

    def record(response) -> None:
        path = urlsplit(response.url).path
        if response.status >= 400 and path != "/favicon.ico":
            errors.append((response.request.method, path, response.status))

    browser_page.on("response", record)
    return errors


def log_in(page: Page, username: str, full_name: str) -> None:
    """Through the real login page; lands on the home page with the person's name in the bar."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".navbar-text")).to_have_text(full_name)


def log_out(page: Page) -> None:
    """The "Sign out" button in the bar (a POST); back to the login page."""
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def _reference_data() -> None:
    """Scheme versions, presets and role groups come from a data migration; the flush after an earlier
    transactional test removed them, so load them again (the loader is idempotent)."""
    import_module("workload.migrations.0002_reference_data").load(apps, None)


@dataclass(frozen=True)
class Caseload:
    team: Team
    manager: object  # User: Tess Manager, team_manager of `team`
    worker: Worker  # Sam Worker, with a social_worker login
    colleague: Worker  # Kim Colleague, no login; co-works F-103
    this_month: date
    last_month: date
    last_entry: ProformaEntry  # last month's pro-forma, submitted and awaiting Sam's signature


def last_month_lines(entry: ProformaEntry) -> list[dict]:
    """Last month's lines as the manager left them: the interpreter factor on F-102 (CP, three children)."""
    return [
        {"case_id": line.case_id, "reference": line.reference, "children": line.children, "category": line.category,
         "factors": ["interpreter"] if line.reference == "F-102" else [], "co_worked": line.co_worked,
         "co_work_share": line.co_work_share, "not_allocated": line.not_allocated}
        for line in entry.lines.order_by("position", "pk")
    ]


@pytest.fixture
def caseload(transactional_db, celery_worker_live, smtp_sink) -> Caseload:
    """A team manager, a worker with three open cases (2 children CIN stable, 3 children CP stable, 1 child
    CIN stable co-worked with a colleague), and last month's pro-forma submitted through the services
    (PQ module personal element, interpreter factor on F-102, a context comment): 21.5 points, Below
    sustainable. Submitting it queues the worker's signature request on commit: the Celery worker and
    the SMTP sink are set up first, so that message is delivered to the sink like every later one."""
    _reference_data()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    last_month = add_months(this_month, -1)

    team = TeamFactory(name="Nottingham North Assessment", code="NNA")
    manager = team_manager(team, username="tess.manager", first_name="Tess", last_name="Manager",
                           email="tess.manager@example.org")
    worker_user = user_in(Role.SOCIAL_WORKER, username="sam.worker", first_name="Sam", last_name="Worker",
                          email="sam.worker@example.org")
    worker = WorkerFactory(team=team, user=worker_user, first_name="Sam", surname="Worker")
    colleague = WorkerFactory(team=team, first_name="Kim", surname="Colleague")
    allocate(worker, reference="F-101", children=2, category="cin_stable")
    allocate(worker, reference="F-102", children=3, category="cp_stable")
    shared = allocate(worker, reference="F-103", children=1, category="cin_stable")
    AllocationFactory(case=shared, worker=colleague)

    entry = entry_start(worker=worker, month=last_month, started_by=manager, ip="10.0.0.1", today=today)
    entry = entry_update(
        entry=entry, expected_lock_version=entry.lock_version, updated_by=manager, ip="10.0.0.1",
        fields={"personal": ["pq_module"], "date_of_score": last_month.replace(day=14),
                "workload_manageable": True, "workload_comment": "Manageable with the current mix of cases.",
                "workload_context": "Two CP families transferred in from the court team.",
                "deviation_reason": "Caseload being built up after a move; agreed in supervision."},
        lines=last_month_lines(entry),
    )
    entry = entry_submit(entry=entry, submitted_by=manager, ip="10.0.0.1")
    return Caseload(team=team, manager=manager, worker=worker, colleague=colleague, this_month=this_month,
                    last_month=last_month, last_entry=entry)
