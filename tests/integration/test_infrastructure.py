"""The real parts the suite relies on work: PostgreSQL, a Celery worker on Redis, SMTP, Chromium, axe, PDFs.

These fail, not skip, outside ./scripts/test.sh: a suite that silently fell back to SQLite or eager tasks
would pass while proving nothing about production."""

import json
import os

import pytest
from celery.result import EagerResult
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management import call_command
from django.db import connection

from config.celery import app
from tests.plugins.infra import RUN_TEST_SH, axe_check, pdf_text, screenshot

PRODUCTION_STATIC_STORAGE = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"  # settings.py, DEBUG off
)


@app.task(name="tests.infra_send_mail")
def infra_send_mail(*, user_id: int, subject: str) -> None:
    """Mail a user found by id: proves the worker reads committed rows and reaches SMTP."""
    user = get_user_model().objects.get(pk=user_id)
    send_mail(subject, f"Hello {user.get_username()}, from a real worker.", None, [user.email])


@pytest.mark.django_db
def test_database_is_postgresql_15():
    database_url = os.environ.get("DATABASE_URL", "")  # a name, so a failure doesn't print all of os.environ
    assert database_url.startswith("postgres"), f"DATABASE_URL is not PostgreSQL; {RUN_TEST_SH}"
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (version,) = cursor.fetchone()
    assert version.split(".")[0] == "15"  # production runs postgres:15 (docker-compose.yml)


@pytest.mark.worker
def test_worker_on_redis_sends_mail_that_reaches_smtp(celery_worker_live, smtp_sink, settings):
    user_model = get_user_model()
    fields = {"email": "infra-check@caseweight.example"}
    fields.setdefault(user_model.USERNAME_FIELD, "infra-check")
    user = user_model.objects.create_user(
        password="unused-password-123", **fields
    )  # committed: transactional

    result = infra_send_mail.delay(user_id=user.pk, subject="Infrastructure check")

    assert not isinstance(result, EagerResult)  # queued on Redis, not run in this thread
    [mail] = smtp_sink.wait_for(1, timeout=15)
    assert (mail.subject, mail.to, mail.envelope_to, mail.from_) == (
        "Infrastructure check",
        ["infra-check@caseweight.example"],
        ["infra-check@caseweight.example"],
        settings.DEFAULT_FROM_EMAIL,
    )
    assert mail.body.strip() == f"Hello {user.get_username()}, from a real worker."


@pytest.mark.functional
@pytest.mark.django_db(transaction=True)
def test_chromium_loads_admin_login_from_live_server(live_server, browser_page):
    browser_page.goto("/admin/login/")

    assert browser_page.title() == f"Log in | {admin.site.site_title}"
    assert browser_page.locator("input[type=password]").is_visible()
    path = screenshot(browser_page, "infrastructure-admin-login")
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert axe_check(browser_page) == []  # the login page has no serious or critical violations
    assert browser_page.evaluate("axe.version") == "4.14.1"  # tests/vendor/axe.min.js


@pytest.mark.functional
def test_axe_check_reports_an_image_without_alt_text(browser_page):
    browser_page.set_content('<!doctype html><html lang="en"><title>t</title><main><img src="x.png"></main>')

    assert axe_check(browser_page) == [
        {
            "id": "image-alt",
            "impact": "critical",
            "help": "Images must have alternative text",
            "nodes": [["img"]],
        }
    ]


def test_collectstatic_builds_the_production_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STATIC_STORAGE}}

    call_command("collectstatic", "--noinput", verbosity=0)  # fails on a CSS url() to a missing file

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert {"vendor/bootstrap/css/bootstrap.min.css", "vendor/htmx/htmx.min.js", "admin/css/base.css"} <= set(
        manifest["paths"]
    )


def test_weasyprint_renders_a_pdf_that_pdf_text_reads():
    from weasyprint import HTML  # needs Debian's pango/harfbuzz libraries

    pdf = HTML(string="<h1>Quarterly return</h1><p>Team North: 21 points</p>").write_pdf()

    assert pdf.startswith(b"%PDF-")
    assert pdf_text(pdf).split("\n") == ["Quarterly return", "Team North: 21 points"]
