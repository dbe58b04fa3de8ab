"""Sign-in helpers without a database: the client address, the no-store rule, and the settings that the
environment variables produce (read in a fresh process, because settings are read once at start)."""
import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.models import AnonymousUser, User
from django.http import FileResponse, HttpResponse
from django.test import RequestFactory

from workload.middleware import NoStoreForSignedInMiddleware
from workload.signin import client_ip

ROOT = Path(__file__).resolve().parents[2]
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


def request_from(remote_addr: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/accounts/login/", **extra)


def test_client_ip_trusts_only_as_many_forwarded_entries_as_there_are_proxies(settings):
    forwarded = "192.0.2.1, 203.0.113.9, 198.51.100.7"  # the first one the client could have typed itself
    seen = []
    for proxies in (0, 1, 2):
        settings.CASEWEIGHT_REVERSE_PROXIES = proxies
        seen.append(client_ip(request_from("10.0.0.2", forwarded)))
    assert seen == ["10.0.0.2", "198.51.100.7", "203.0.113.9"]


def test_client_ip_falls_back_to_the_connection_when_the_header_is_missing_short_or_garbled(settings):
    settings.CASEWEIGHT_REVERSE_PROXIES = 2
    cases = [None, "198.51.100.7", "not-an-address, 198.51.100.7", " , "]
    assert [client_ip(request_from("10.0.0.2", header)) for header in cases] == ["10.0.0.2"] * 4


def _respond_with(response):
    return NoStoreForSignedInMiddleware(lambda request: response)


def test_no_store_on_everything_a_signed_in_person_gets_except_static_files(tmp_path):
    signed_in, signed_out = User(username="sam.worker"), AnonymousUser()
    stylesheet = tmp_path / "caseweight.css"
    stylesheet.write_text("body {}")

    def cache_control(path, user, response):
        request = RequestFactory().get(path)
        request.user = user
        return _respond_with(response)(request).get("Cache-Control")

    csv = HttpResponse("worker,points\nSam Worker,21\n", content_type="text/csv")
    assert [
        cache_control("/supervision/entries/1/", signed_in, HttpResponse("<h1>Entry</h1>")),
        cache_control("/reports/1.csv", signed_in, csv),
        cache_control("/static/css/caseweight.css", signed_in, FileResponse(stylesheet.open("rb"))),
        cache_control("/accounts/login/", signed_out, HttpResponse("<h1>Sign in</h1>")),
    ] == [NO_STORE, NO_STORE, None, None]


def _settings_in_a_fresh_process(**env_vars: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEWEIGHT_", "DJANGO_CACHE_URL"))}
    env.update(env_vars, DJANGO_SETTINGS_MODULE="config.settings")
    script = (
        "import json; from django.conf import settings as s; print(json.dumps({"
        "'idle': s.SESSION_COOKIE_AGE, 'every_request': s.SESSION_SAVE_EVERY_REQUEST,"
        "'browser_close': s.SESSION_EXPIRE_AT_BROWSER_CLOSE, 'failures': s.AXES_FAILURE_LIMIT,"
        "'cooloff': s.AXES_COOLOFF_TIME.total_seconds(), 'resets': s.CASEWEIGHT_PASSWORD_RESET_PER_HOUR,"
        "'proxies': s.CASEWEIGHT_REVERSE_PROXIES, 'cache': s.CACHES['default']}))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_sign_in_and_session_variables_reach_the_settings():
    assert _settings_in_a_fresh_process(
        CASEWEIGHT_SESSION_IDLE_MINUTES="45",
        CASEWEIGHT_SESSION_EXPIRE_AT_BROWSER_CLOSE="false",
        CASEWEIGHT_SIGN_IN_FAILURE_LIMIT="3",
        CASEWEIGHT_SIGN_IN_COOLOFF_MINUTES="60",
        CASEWEIGHT_PASSWORD_RESET_PER_HOUR="2",
        CASEWEIGHT_REVERSE_PROXIES="2",
        DJANGO_CACHE_URL="redis://cache.internal:6379/4",
    ) == {
        "idle": 2700, "every_request": True, "browser_close": False, "failures": 3, "cooloff": 3600.0,
        "resets": 2, "proxies": 2,
        "cache": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://cache.internal:6379/4"},
    }


def test_the_cache_defaults_to_the_next_database_on_the_brokers_redis_and_to_memory_without_one():
    on_broker = _settings_in_a_fresh_process(CELERY_BROKER_URL="redis://redis:6379/0", DJANGO_SECURE_SSL="true")
    assert (on_broker["cache"], on_broker["proxies"]) == (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://redis:6379/1"}, 1)
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    script = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.CASEWEIGHT_REVERSE_PROXIES)"
    demo = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_SECURE_SSL": "false"})
    assert demo.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "0"], demo.stderr


def test_a_zero_idle_time_is_refused_at_start_with_a_clear_message():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "CASEWEIGHT_SESSION_IDLE_MINUTES": "0"}
    result = subprocess.run([sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "django.core.exceptions.ImproperlyConfigured: CASEWEIGHT_SESSION_IDLE_MINUTES must be 1 or more, not 0.")
