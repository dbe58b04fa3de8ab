"""The demo on SQLite serves two people at once.

Tests run on PostgreSQL, so this one starts the demo's own server (`manage.py runserver`, threaded, as
scripts/demo.sh runs it) in a subprocess on a temporary SQLite file, with the demo's environment: no broker,
no email host, DEBUG on. DATABASE_URL points at the temporary file only so that the real demo.sqlite3 is
left alone; settings give every SQLite database the same options (WAL, busy timeout, BEGIN IMMEDIATE).
Then 8 threads sign in at the same moment, round after round. Without those options about half the
rounds had a 500 "database is locked".
"""
import http.client
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.plugins.infra import free_port

ROOT = Path(__file__).resolve().parents[2]
THREADS = 8
ROUNDS = 3
USERNAME = "demo.concurrency"
PASSWORD = "sign-in-at-once-42"
SIGNED_IN = (302, "/", True)  # redirect to the home page, with a session cookie

SETUP = f"""
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
call_command("migrate", interactive=False, verbosity=0)
get_user_model().objects.create_user({USERNAME!r}, password={PASSWORD!r})
"""


def _demo_env(database: Path) -> dict[str, str]:
    """What scripts/demo.sh leaves: none of the test run's services or production settings."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "CELERY_", "EMAIL_", "DJANGO_", "CASEWEIGHT_"))
    }
    env.update(DJANGO_DEBUG="true", DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=f"sqlite:///{database}")
    return env


def _get(port: int, path: str) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(), response.getheader("Set-Cookie") or ""
    finally:
        connection.close()


def _sign_in(port: int, barrier: threading.Barrier) -> tuple[int, str | None, bool]:
    """Open the login page, wait for the other threads, then post the form at the same moment."""
    status, page, cookies = _get(port, "/accounts/login/")
    assert status == 200, page
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookies).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    barrier.wait()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST",
            "/accounts/login/",
            body=urlencode({"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={csrf_cookie}"},
        )
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location"), "sessionid=" in (response.getheader("Set-Cookie") or "")
    finally:
        connection.close()


def _wait_until_serving(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"runserver exited with {server.returncode}:\n{log.read_text()}")
        try:
            if _get(port, "/accounts/login/")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"runserver did not answer on port {port} within 60 s:\n{log.read_text()}")


def test_demo_sqlite_signs_in_eight_people_at_once(tmp_path):
    database = tmp_path / "demo.sqlite3"
    env = _demo_env(database)
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True, timeout=120)

    port = free_port()
    log = tmp_path / "runserver.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_serving(server, port, log)
        results = []
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            for _ in range(ROUNDS):
                barrier = threading.Barrier(THREADS, timeout=60)
                results += list(pool.map(_sign_in, [port] * THREADS, [barrier] * THREADS))
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert results == [SIGNED_IN] * (THREADS * ROUNDS), log.read_text()[-3000:]
    with sqlite3.connect(database) as connection:  # WAL is a property of the file: it stays after the server
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
