"""Fixtures for integration tests. Shared fixtures are in tests/conftest.py; real infrastructure in
tests/plugins/infra.py."""
import pytest


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
