"""Fixtures and helpers for the real infrastructure: SMTP, a Celery worker on Redis, Chromium, axe, PDFs.

Loaded by tests/conftest.py (`pytest_plugins = ["tests.plugins.infra"]`). `./scripts/test.sh` starts
PostgreSQL and Redis and exports DATABASE_URL, CELERY_BROKER_URL and CHROMIUM_PATH; the fixtures here fail
(never skip) when that infrastructure is missing, because a skipped delivery test proves nothing.

Fixtures: `smtp_sink`, `celery_worker_live`, `chromium_browser`, `browser_page`.
Helpers (import them): `axe_check(page)`, `screenshot(page, name)`, `pdf_text(pdf_bytes)`.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from celery.worker import WorkController
    from playwright.sync_api import Browser, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "tests" / "vendor" / "axe.min.js"
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
RUN_TEST_SH = "run ./scripts/test.sh: it starts PostgreSQL and Redis and sets the environment"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI; Chromium's sandbox refuses root
    "--disable-gpu",
    "--disable-background-networking",  # no network beyond loopback in tests
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------------------------- Static files


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_manifest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Serve static files from the finders, as runserver does, instead of WhiteNoise's manifest.

    Tests run with DEBUG off, so settings choose the manifest storage, and `{% static %}` would raise
    "Missing staticfiles manifest entry" until collectstatic had run. test_infrastructure checks that
    collectstatic with the production storage succeeds."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # An existing, empty STATIC_ROOT: WhiteNoise warns at start-up about a missing one.
    with override_settings(STORAGES=storages, STATIC_ROOT=tmp_path_factory.mktemp("static_root")):
        yield


# --------------------------------------------------------------------------------------------- SMTP


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the SMTP server received it. `from_` because `from` is a keyword."""

    subject: str
    to: list[str]  # addresses in the To header
    from_: str  # the From header
    body: str  # the text/plain part (the whole body for a plain message)
    envelope_from: str
    envelope_to: list[str]  # RCPT TO: includes Cc and Bcc recipients
    message: EmailMessage = field(repr=False)  # the whole parsed message: attachments, headers


class _CollectingHandler:
    """aiosmtpd handler: parse each message and keep it. Runs in the controller's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[ReceivedMail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        body_part = message.get_body(preferencelist=("plain",))
        mail = ReceivedMail(
            subject=str(message.get("Subject", "")),
            to=[address.addr_spec for address in message["To"].addresses] if message["To"] else [],
            from_=str(message.get("From", "")),
            body=body_part.get_content() if body_part is not None else "",
            envelope_from=envelope.mail_from,
            envelope_to=list(envelope.rcpt_tos),
            message=message,
        )
        with self.lock:
            self.messages.append(mail)
        return "250 Message accepted for delivery"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""

    def __init__(self, handler: _CollectingHandler, host: str, port: int) -> None:
        self._handler = handler
        self.host, self.port = host, port

    @property
    def messages(self) -> list[ReceivedMail]:
        with self._handler.lock:
            return list(self._handler.messages)

    def wait_for(self, count: int, timeout: float = 10) -> list[ReceivedMail]:
        """Poll until at least `count` messages arrived; fail with what did arrive if they don't."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self.messages
            if len(received) >= count:
                return received
            time.sleep(0.05)
        received = self.messages
        raise AssertionError(
            f"expected {count} message(s) at the SMTP sink within {timeout}s, got {len(received)}: "
            f"{[mail.subject for mail in received]}"
        )


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[SmtpSink]:
    """An in-process SMTP server, with Django's SMTP backend pointed at it for this test.

    The override is process-wide, so an in-process Celery worker (celery_worker_live) sends here too."""
    from aiosmtpd.controller import Controller

    handler = _CollectingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield SmtpSink(handler, "127.0.0.1", port)
    finally:
        controller.stop()


# ------------------------------------------------------------------------------------------- Celery


def _broker_check(app: Any) -> None:
    """Fail (not skip) unless the broker is configured and answers."""
    from kombu.exceptions import OperationalError

    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.fail(f"CELERY_BROKER_URL is not set; {RUN_TEST_SH}.", pytrace=False)
    error = None
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except (OperationalError, OSError) as exc:
        error = exc  # failed below, outside the except, so the report isn't a chain of tracebacks
    if error is not None:
        pytest.fail(f"Redis at {app.conf.broker_url} is unreachable ({error}); {RUN_TEST_SH}.", pytrace=False)


@pytest.fixture(scope="session")
def _celery_session_worker(django_db_setup: None, django_db_blocker: Any) -> Iterator[WorkController]:
    """One in-process worker (solo pool, in a thread) for the whole session, started on first use.

    Depends on django_db_setup so it stops before the test database is dropped. Celery's Django fixup
    closes the worker thread's DB connections before and after every task, so none is left open to block
    pytest-django's flush or DROP DATABASE."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    _broker_check(app)
    app.conf.worker_hijack_root_logger = False  # keep pytest's log capture on the root logger
    app.conf.task_always_eager = False
    # The worker runs Django's system checks and closes this thread's connections while it starts.
    with django_db_blocker.unblock():
        context = start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        )
        worker = context.__enter__()
    try:
        yield worker
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def celery_worker_live(request: pytest.FixtureRequest, transactional_db: None) -> Iterator[WorkController]:
    """A real Celery worker consuming from Redis, in this process (so settings overrides reach it).

    Needs committed data, hence transactional_db (equivalent to @pytest.mark.django_db(transaction=True)).
    Tasks must be defined before the session's first worker test starts: the worker reads the task
    registry once, at start-up."""
    from config.celery import app

    _broker_check(app)
    worker = request.getfixturevalue("_celery_session_worker")
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an earlier test reaches this one
    try:
        yield worker
    finally:
        app.control.purge()
        app.conf.task_always_eager = was_eager


# ----------------------------------------------------------------------------------------- Browser

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    """Debian's Chromium (CHROMIUM_PATH overrides), driven through Playwright's sync API.

    Playwright's sync API marks an asyncio loop as running in this thread for as long as it is started,
    and Django refuses ORM calls under a running loop; hence DJANGO_ALLOW_ASYNC_UNSAFE while it lives."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        pytest.fail(
            f"Chromium not found at {executable}; {RUN_TEST_SH} (it installs chromium).", pytrace=False
        )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(request: pytest.FixtureRequest, chromium_browser: Browser) -> Iterator[Page]:
    """A fresh browser context and page per test; relative URLs resolve against live_server if used.

    A failed test leaves artifacts/screenshots/failed-<test>.png behind."""
    base_url = request.getfixturevalue("live_server").url if "live_server" in request.fixturenames else None
    context = chromium_browser.new_context(
        base_url=base_url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
        bypass_csp=True,  # so axe_check can inject its script whatever the page's CSP says
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
        report = request.node.stash.get(_reports, {}).get("call")
        if report is not None and report.failed:
            screenshot(page, f"failed-{request.node.name}")
    finally:
        context.close()
        if base_url is not None:
            _wait_for_the_server_to_settle()


def _wait_for_the_server_to_settle(timeout: float = 10) -> None:
    """Wait (up to `timeout`) until no other connection to the test database is mid-query or mid-transaction.

    Closing the page does not stop a request the live server is still answering (an htmx call, the live
    score). Its transaction holds locks table by table, and the flush that ends a transactional test
    truncates table by table, so the two could deadlock, and PostgreSQL then aborted the flush."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction')"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)


def axe_check(page: Page, *, options: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run axe-core on the page; return its serious and critical violations (so `== []` is the check).

    Each is {"id", "impact", "help", "nodes": [CSS target lists]}. `options` go to axe.run, e.g.
    {"rules": {"color-contrast": {"enabled": False}}}."""
    page.add_script_tag(path=str(AXE_JS))
    violations = page.evaluate("options => axe.run(document, options).then(r => r.violations)", options or {})
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    path = SCREENSHOT_DIR / f"{safe_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --------------------------------------------------------------------------------------------- PDFs


def pdf_text(pdf_bytes: bytes) -> str:
    """The text of every page, joined by newlines (pypdf's extraction: good for headings and totals)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf_bytes)).pages)
