"""An administrator imports a Mosaic export in Chromium: upload four files, one with Mosaic's own headings ->
match its columns (and save the match) -> preview -> confirm -> the teams, workers, cases and allocations are
there. Runs under ./scripts/test.sh (PostgreSQL, Redis, Chromium)."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from reporting.models import ColumnMapping, ImportBatch, ImportState
from tests.factories_supervision import user_in
from tests.functional.conftest import _reference_data, log_in
from tests.integration.test_import_app import ALLOCATIONS, BASE, CASES, MOSAIC_MATCH, MOSAIC_WORKERS, TEAMS
from tests.plugins.infra import axe_check
from workload.models import Allocation, Case, Team, Worker
from workload.roles import Role

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]


def test_upload_match_preview_confirm(live_server, browser_page, http_errors, tmp_path, settings):
    _reference_data()
    settings.MEDIA_ROOT = tmp_path / "media"
    user_in(Role.ADMINISTRATOR, username="ada.admin", first_name="Ada", last_name="Admin")
    paths = []
    for name, text in {"teams.csv": TEAMS, "mosaic_workers.csv": MOSAIC_WORKERS, "cases.csv": CASES,
                       "allocations.csv": ALLOCATIONS}.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    page = browser_page

    log_in(page, "ada.admin", "Ada Admin")
    page.get_by_role("button", name="Manage").click()  # the admin's pages are under the Manage drop-down
    page.get_by_role("link", name="Imports").click()
    page.get_by_role("link", name="Import files").click()
    assert axe_check(page) == []
    page.set_input_files("#id_files", paths)
    page.fill("#id_source", "Mosaic")
    page.get_by_role("button", name="Upload").click()

    expect(page).to_have_url(re.compile(r"/imports/\d+/columns/$"))
    expect(page.get_by_role("heading", name="Match the columns")).to_be_visible()
    workers = page.locator("fieldset", has=page.locator("legend", has_text="mosaic_workers.csv"))
    expect(workers.get_by_label("What the file holds")).to_have_value("workers")
    for ours, theirs in MOSAIC_MATCH.items():
        workers.get_by_label(ours, exact=True).select_option(theirs)
    assert axe_check(page) == []
    page.get_by_label("Save these matches for files from this system").check()
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(re.compile(r"/imports/\d+/$"))
    expect(page.locator("#import-state")).to_have_text("Ready to apply")
    expect(page.locator('[data-testid="import-file-workers"] td').nth(3)).to_have_text("2")  # created
    expect(page.locator('[data-testid="import-file-allocations"] td').nth(3)).to_have_text("4")
    assert (Team.objects.filter(code="DA1").exists(), Worker.objects.count(), Case.objects.count()) == (False, 0, 0)
    assert axe_check(page) == []

    page.get_by_role("button", name="Apply the changes").click()
    expect(page.locator("#import-state")).to_have_text("Applied")
    expect(page.locator("main > div[aria-live] .alert")).to_have_text("Applied. The records now match the files.")

    batch = ImportBatch.objects.get()
    assert (batch.state, batch.applied_by.username) == (ImportState.APPLIED, "ada.admin")
    assert sorted(Worker.objects.values_list("source_id", "first_name", "surname", "team__code")) == [
        ("W1", "Ann", "Lee", "DA1"), ("W2", "Ben", "Roe", "DA1")]
    assert sorted(Allocation.objects.values_list("case__reference", "worker__source_id", "role")) == [
        ("C1", "W1", "allocated"), ("C1", "W2", "co_worker"), ("C2", "W2", "allocated"), ("C3", "W1", "allocated")]
    assert list(ColumnMapping.objects.values_list("source", "kind")) == [("Mosaic", "workers")]
    page.get_by_role("link", name="Imports").first.click()
    expect(page.locator('[data-testid="import-table"] tbody tr')).to_have_count(1)
    expect(page.locator('[data-testid="import-table"] tbody tr td').nth(5)).to_have_text("Applied")
    assert axe_check(page) == []
    assert http_errors == []


def test_large_files_are_checked_and_applied_by_the_worker_while_the_page_shows_progress(
        live_server, browser_page, http_errors, tmp_path, settings, celery_worker_live, monkeypatch):
    """Over CASEWEIGHT_IMPORT_TASK_ROWS rows, the check and the apply run in the Celery worker (on Redis); the
    page polls the progress partial with htmx and reloads itself when the worker is done."""
    from reporting import import_services

    plan_import = import_services.plan_import

    def slow_plan(*args, **kwargs):
        time.sleep(1.5)  # four small files would be checked before the page first polls; a real export is not
        return plan_import(*args, **kwargs)

    monkeypatch.setattr(import_services, "plan_import", slow_plan)
    _reference_data()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASEWEIGHT_IMPORT_TASK_ROWS = 3
    user_in(Role.ADMINISTRATOR, username="ada.admin", first_name="Ada", last_name="Admin")
    paths = []
    for name, text in BASE.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    page = browser_page
    seen_progress = []
    page.on("response", lambda r: seen_progress.append(r.status) if "/progress/" in r.url else None)

    log_in(page, "ada.admin", "Ada Admin")
    page.goto("/imports/new/")
    page.set_input_files("#id_files", paths)
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#import-progress")).to_contain_text("Checking the files…")
    expect(page.locator("#import-state")).to_have_text("Ready to apply", timeout=20_000)
    page.get_by_role("button", name="Apply the changes").click()
    expect(page.locator("#import-progress")).to_contain_text("Applying…")
    expect(page.locator("#import-state")).to_have_text("Applied", timeout=20_000)

    assert len(seen_progress) >= 2 and set(seen_progress) == {200}  # polled while checking and while applying
    assert ImportBatch.objects.get().state == ImportState.APPLIED
    assert Allocation.objects.count() == 4
    assert http_errors == []
