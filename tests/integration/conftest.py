"""Fixtures for integration tests. Shared fixtures are in tests/conftest.py; real infrastructure in
tests/plugins/infra.py."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture
def eager_celery(settings):
    """Run Celery tasks in-process for this test only (STYLE.md §8: never globally).

    The Celery app read its configuration from settings when first used, so flipping the setting alone would
    not reach it: the app's own flag is switched too, and put back afterwards."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield app
    finally:
        app.conf.task_always_eager = previous


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once per test module (its printed output), rolled back afterwards so other modules see an
    empty database."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(seeded, db):
    """The demo authority, seeded for the module, in a test that may use the database."""
    return seeded
