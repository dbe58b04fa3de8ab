"""Running the suite in parallel (pytest-xdist): how many processes, and what each one keeps to itself.

Loaded with `-p tests.plugins.parallel` (pyproject.toml's addopts), earlier than any conftest: the
environment below must be changed before pytest-django imports the settings, which read it once.

Each xdist worker process ("gw0", "gw1", ...) gets its own test database (pytest-django adds the suffix
itself), and from here its own Redis databases for the Celery queue and the cache, and its own MEDIA_ROOT.
Without that, worker gw1's Celery worker could take a task queued by gw0 and look for its rows in the
wrong database, one process's purge would empty the other's queue, and the password-reset rate-limit
counts (in the cache) of two tests in two processes would add up. The SMTP sink and live_server pick a
free port each, and the browser and the Celery worker are per process already (session fixtures).

Which process runs what: a file's tests stay together (module fixtures such as `seeded` run once), and in
each process every test that uses the database in a transaction runs before any transactional one, as
pytest-django orders a serial run. A transactional test ends with a flush, which also empties the reference
data that migrations loaded (scheme versions, presets, role groups), and ordinary database tests rely on
it. xdist's own `loadfile` would hand a process a file of ordinary tests after a transactional file.
Hence `PhaseThenFile` below: the work units are (phase, file), queued phase by phase, so a process that
has started on phase 1 ("transactional") is never given phase 0 ("db") again.

The number of processes: `-n auto` asks `pytest_xdist_auto_num_workers` below. See docs/operations.md.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from xdist.scheduler import LoadScopeScheduling

# pytest-django's order for a serial run (its pytest_collection_modifyitems): these phases, in this order.
PHASES = ("db", "transactional", "nodb")
REDIS_DATABASES = 16  # redis-server's default `databases`; each process uses two
MAX_AUTO_WORKERS = 4  # more processes than this buy little: PostgreSQL and Chromium need CPU too
_media_root: str | None = None


def _worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # set by xdist before this module is imported
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def _shifted(url: str, by: int) -> str:
    """redis://host:port/<d> -> redis://host:port/<d + by> (the path is the database number, 0 if none)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{int(parts.path.strip('/') or 0) + by}"))


def _separate_this_worker() -> None:
    global _media_root
    number = _worker_number()
    if number is None:
        return
    if "config.settings" in sys.modules:  # too late: the settings have read the old environment
        raise RuntimeError("tests.plugins.parallel must be loaded before Django's settings (-p in addopts)")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker.startswith(("redis://", "rediss://")):
        # gwN moves the broker 2N databases up; settings put the cache on the next one, as in a serial run
        # (an explicit DJANGO_CACHE_URL moves up with it). gw0 keeps the serial run's databases.
        os.environ["CELERY_BROKER_URL"] = shifted = _shifted(broker, 2 * number)
        if int(urlsplit(shifted).path.strip("/")) + 1 >= REDIS_DATABASES:
            raise RuntimeError(f"xdist worker gw{number} needs more Redis databases than {REDIS_DATABASES}")
        cache = os.environ.get("DJANGO_CACHE_URL")
        if cache:
            os.environ["DJANGO_CACHE_URL"] = _shifted(cache, 2 * number)
    _media_root = tempfile.mkdtemp(prefix=f"caseweight-media-gw{number}-")
    os.environ["DJANGO_MEDIA_ROOT"] = _media_root


_separate_this_worker()


def pytest_unconfigure(config: pytest.Config) -> None:
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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker: tell the controller each test's phase, as xdist's loadgroup suffix ("nodeid@db"),
    and queue the files with the most tests first within a phase (fewer stragglers at the end).

    trylast: after pytest-django's sort. The new order keeps its phases and each file's own order; it is the
    same in every worker, as xdist requires."""
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
    for item in items:
        item.add_marker(pytest.mark.xdist_group(phases[item]))


class PhaseThenFile(LoadScopeScheduling):
    """Work units of one file's tests of one phase, handed out in the workers' collection order."""

    def __init__(self, config: pytest.Config, log: object = None) -> None:
        super().__init__(config, log)
        self.config.option.loadscopereorder = False  # keep the phases in order (the workers sorted by size)

    def _split_scope(self, nodeid: str) -> str:
        test, _, phase = nodeid.rpartition("@")  # the last "@": parametrize ids may contain one too
        return f"{phase}:{test.split('::', 1)[0]}"


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> LoadScopeScheduling | None:
    """`--dist loadgroup` (pyproject.toml) makes the workers add the suffix; this scheduler reads it."""
    if config.getvalue("dist") != "loadgroup":
        return None
    return PhaseThenFile(config, log)
