"""tests/plugins/parallel.py: what each xdist process keeps to itself, and how work units are cut."""
import os
from pathlib import Path

from django.conf import settings

from tests.plugins import parallel


def test_redis_database_moves_up_by_the_given_number():
    assert parallel._shifted("redis://127.0.0.1:6379/0", 2) == "redis://127.0.0.1:6379/2"
    assert parallel._shifted("redis://127.0.0.1:6379/1", 2) == "redis://127.0.0.1:6379/3"
    assert parallel._shifted("redis://127.0.0.1:6379", 4) == "redis://127.0.0.1:6379/4"


def test_this_process_has_its_own_queue_cache_and_media_root():
    """In worker gwN: broker on Redis database 2N, cache on 2N+1, MEDIA_ROOT of its own; serially: as given."""
    from config.celery import app

    broker_db = int(settings.CELERY_BROKER_URL.rsplit("/", 1)[1])
    cache_db = int(settings.CACHES["default"]["LOCATION"].rsplit("/", 1)[1])
    number = parallel._worker_number()
    if number is None:
        assert settings.CELERY_BROKER_URL == os.environ["CELERY_BROKER_URL"]
    else:
        assert broker_db == 2 * number  # ./scripts/test.sh gives database 0
        assert Path(settings.MEDIA_ROOT).name.startswith(f"caseweight-media-gw{number}-")
    assert cache_db == broker_db + 1
    assert app.conf.broker_url == settings.CELERY_BROKER_URL


def test_phases_are_pytest_djangos(request):
    assert parallel._phase(request.node) == "nodb"
    assert parallel.PHASES == ("db", "transactional", "nodb")  # its order numbers 0, 1, 2
