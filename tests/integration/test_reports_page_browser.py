"""In a browser: a head of service builds the weekly report on request; the run's page polls its progress
with htmx every second while a real Celery worker on Redis builds it, then offers the PDF. axe finds no
serious or critical problem on the pages involved."""
import re
from importlib import import_module

import pytest
from django.apps import apps
from playwright.sync_api import expect

from reporting.models import ReportRun
from tests.factories_supervision import head_of_service
from tests.plugins.infra import axe_check, pdf_text, screenshot
from tests.worked_example import build

pytestmark = [pytest.mark.functional, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_build_the_weekly_report_and_watch_it_finish(live_server, browser_page, celery_worker_live):
    import_module("workload.migrations.0002_reference_data").load(apps, None)
    example = build()
    head_of_service(example.area, username="hana", first_name="Hana", last_name="Head")
    page = browser_page
    page.goto("/accounts/login/")
    page.fill("#id_username", "hana")
    page.fill("#id_password", "caseweight-test")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".navbar-text")).to_have_text("Hana Head")

    page.goto("/reports/generate/")
    page.select_option("#id_kind", "smt_weekly")
    page.fill("#id_period", "2025-W5")
    page.get_by_role("button", name="Build").click()
    expect(page.locator("#error_1_id_period")).to_contain_text("'2025-W5' is not a period.")
    assert axe_check(page) == []

    page.fill("#id_period", "2025-W05")
    page.get_by_role("button", name="Build").click()
    expect(page).to_have_url(re.compile(r"/reports/runs/\d+/$"))
    expect(page.get_by_test_id("run-progress")).to_contain_text("Download the PDF", timeout=90_000)
    run = ReportRun.objects.get()
    assert (run.kind, run.period_key, run.status, run.emailed_at) == ("smt_weekly", "2025-W05", "done", None)
    assert axe_check(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename == "smt-weekly-2025-W05.pdf"
    text = re.sub(r"\s+", " ", pdf_text(download.value.path().read_bytes()))
    assert "Social work caseloads — week ending Fri 31 Jan 2025" in text

    # the committee narrative form: errors beside the fields, accessible, and saved at a phone's width too
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/reports/committee/2025-Q1/narrative/")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_test_id("error-summary")).to_contain_text("Background: Write the background")
    assert axe_check(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "committee-narrative-390")
