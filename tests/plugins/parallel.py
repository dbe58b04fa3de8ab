"""Running the suite in parallel (pytest-xdist): how many processes, and what each one keeps to itself.

Loaded by tests/conftest.py (`pytest_plugins`), like infra.py.

Each xdist worker process ("gw0", "gw1", ...) gets its own test database (pytest-django adds the suffix
itself), and from here its own Redis databases for the Celery queue and the cache, and its own MEDIA_ROOT.
Without that, worker gw1's Celery worker could take a task queued by gw0 and look for its rows in the
wrong database, one process's purge would empty the other's queue, and the password-reset rate-limit
counts (in the cache) of two tests in two processes would add up. The SMTP sink and live_server pick a
free port each, and the browser and the Celery worker are per process already (session fixtures).

Which process runs what: in each process every ordinary database test runs before any transactional one,
as pytest-django orders a serial run. A transactional test ends with a flush, which also empties the
reference data that migrations loaded (scheme versions, presets, role groups), and ordinary database tests
rely on it. `--dist load` hands each process tests from the front of the collection, in order, so the
order the workers collect in (pytest-django's phases; below, the files with most tests first within a
phase) is the order within each process. `loadfile` would not do: it hands a process a file of ordinary
tests after a transactional file. (Nor `loadgroup` with a phase group: with pytest 9, xdist 3.8 no longer
manages to add the group to the test id.) A module fixture such as `seeded` may run once in each process.

The number of processes: `-n auto` asks `pytest_xdist_auto_num_workers` below. See docs/operations.md.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

# pytest-django's order for a serial run (its pytest_collection_modifyitems): these phases, in this order.
PHASES = ("db", "transactional", "nodb")
REDIS_DATABASES = 16  # redis-server's default `databases`; each process uses two
MAX_AUTO_WORKERS = 4  # more processes than this buy little: PostgreSQL and Chromium need CPU too
_media_root: str | None = None
_override = None  # the worker's override_settings, undone at the end


def _worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # set by xdist before this module is imported
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def _shifted(url: str, by: int) -> str:
    """redis://host:port/<d> -> redis://host:port/<d + by> (the path is the database number, 0 if none)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + by}"))


def pytest_configure(config: pytest.Config) -> None:
    """In worker gwN: broker on Redis database 2N (+ the serial run's), cache on the next, a MEDIA_ROOT of its own.

    Django is set up by now (pytest-django does it first), so the settings are overridden as a test would,
    through override_settings, whose signals reset the cache handler and the storages; nothing has
    connected to the broker or the cache yet. The Celery app is told too (it may have read its config
    already), and the environment, for the manage.py subprocesses some tests start."""
    global _media_root, _override
    number = _worker_number()
    if number is None:
        return
    from django.conf import settings
    from django.test.utils import override_settings

    from config.celery import app

    _media_root = tempfile.mkdtemp(prefix=f"caseweight-media-gw{number}-")
    changes: dict[str, object] = {"MEDIA_ROOT": _media_root}
    os.environ["DJANGO_MEDIA_ROOT"] = _media_root
    broker = settings.CELERY_BROKER_URL
    if broker.startswith(("redis://", "rediss://")):
        broker = changes["CELERY_BROKER_URL"] = os.environ["CELERY_BROKER_URL"] = _shifted(broker, 2 * number)
        cache = settings.CACHES["default"]
        if cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
            location = _shifted(cache["LOCATION"], 2 * number)
            changes["CACHES"] = {**settings.CACHES, "default": {**cache, "LOCATION": location}}
            if int(urlsplit(location).path.strip("/")) >= REDIS_DATABASES:
                raise pytest.UsageError(f"gw{number} needs more than {REDIS_DATABASES} Redis databases: use fewer")
    _override = override_settings(**changes)
    _override.enable()
    app.conf.broker_url = broker


def pytest_unconfigure(config: pytest.Config) -> None:
    if _override is not None:
        _override.disable()
    if _media_root:
        shutil.rmtree(_media_root, ignore_errors=True)


def _test_files(config: pytest.Config) -> set[Path] | None:
    """The test files named on the command line, or None if a directory (or nothing: testpaths) was."""
    if not config.args or config.args == list(config.getini("testpaths")):
        return None
    files = set()
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::", 1)[0])
        if not path.is_file():
            return None
        files.add(path.resolve())
    return files


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: one process per core, at most MAX_AUTO_WORKERS; none for a single test file.

    A single file runs in this process: starting another one, with its own database, costs more than it
    saves, and `--dist loadfile` would keep a file in one process anyway. PYTEST_XDIST_AUTO_NUM_WORKERS
    (xdist's own variable) overrides, e.g. `PYTEST_XDIST_AUTO_NUM_WORKERS=0` for a serial run."""
    override = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    if override:
        return int(override)
    files = _test_files(config)
    if files is not None and len(files) <= 1:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(cores, MAX_AUTO_WORKERS)
    return workers if workers > 1 else 0


# ------------------------------------------------------------------------------- Which process runs what


def _phase(item: pytest.Item) -> str:
    """The item's phase, decided as pytest-django decides its order (TestCase classes aside: the suite has none)."""
    from pytest_django.fixtures import validate_django_db

    fixtures = getattr(item, "fixturenames", [])
    marker = item.get_closest_marker("django_db")
    transaction = reset_sequences = False
    if marker:
        transaction, reset_sequences, *_ = validate_django_db(marker)
    if transaction or reset_sequences or "transactional_db" in fixtures or "live_server" in fixtures:
        return "transactional"
    return "db" if marker or "db" in fixtures else "nodb"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker: the files with the most tests first within each of pytest-django's phases, so the
    long files are not the last ones handed out.

    The order keeps pytest-django's phases and each file's own order, so its stable sort, after this, keeps
    it; it is the same in every worker, as xdist requires."""
    if _worker_number() is None:
        return
    phases = {item: _phase(item) for item in items}
    sizes: dict[tuple[str, str], int] = {}
    for item in items:
        key = (phases[item], item.nodeid.split("::", 1)[0])
        sizes[key] = sizes.get(key, 0) + 1
    position = {item: index for index, item in enumerate(items)}

    def order(item: pytest.Item) -> tuple[int, int, int]:
        phase = phases[item]
        return PHASES.index(phase), -sizes[(phase, item.nodeid.split("::", 1)[0])], position[item]

    items.sort(key=order)
