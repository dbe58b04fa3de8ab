"""axe-core over the pages each role uses, in Chromium: no serious or critical violation (tests/plugins/infra.py
`axe_check`; axe.min.js is vendored from the npm package axe-core). Every page is checked before any
assertion fails, so one run reports them all."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from supervision.prefill import entry_start
from supervision.team_services import concern_raise
from tests.functional.conftest import Caseload, log_in, log_out
from tests.plugins.infra import axe_check

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

WHAT_IF = "/workload/score/?scheme=nottinghamshire-wlm-2016&team_type=assessment"


def sweep(page: Page, paths: list[str]) -> dict[str, list]:
    """path -> serious/critical violations, for pages that must load (200)."""
    found = {}
    for path in paths:
        response = page.goto(path)
        assert (path, response.status) == (path, 200)
        found[path] = axe_check(page)
    return found


def test_pages_have_no_serious_accessibility_violations(live_server, browser_page: Page, caseload: Caseload):
    page, team, worker, last = browser_page, caseload.team, caseload.worker, caseload.last_entry
    draft = entry_start(worker=worker, month=caseload.this_month, started_by=caseload.manager)
    concern = concern_raise(worker=worker, raised_by=worker.user, text="Three court cases in one week.")
    month = f"/supervision/teams/{team.pk}/{caseload.this_month:%Y-%m}/"
    manager_pages = ["/", month, f"/supervision/entries/{draft.pk}/", f"/supervision/entries/{last.pk}/",
                     WHAT_IF, f"/supervision/sessions/?team={team.pk}", "/workload/teams/",
                     f"/workload/teams/{team.pk}/", "/supervision/concerns/", f"/supervision/concerns/{concern.pk}/"]
    worker_pages = ["/", "/supervision/me/", f"/supervision/entries/{last.pk}/",
                    f"/supervision/entries/{last.pk}/countersign/", "/supervision/me/concern/", WHAT_IF,
                    "/supervision/sessions/", f"/supervision/concerns/{concern.pk}/"]

    log_in(page, "tess.manager", "Tess Manager")
    found = sweep(page, manager_pages)
    # The draft with its errors: "Save and submit" before answering field 7 and the deviation reason.
    page.goto(f"/supervision/entries/{draft.pk}/")
    page.click("#submit-entry")
    expect(page.locator("#error-summary li")).to_have_count(3)
    found["entry with the error summary"] = axe_check(page)
    # The concern with an empty answer sent: the error summary and the message beside the field.
    page.goto(f"/supervision/concerns/{concern.pk}/")
    page.click("#send-answer")
    expect(page.locator("#error-summary li")).to_have_count(1)
    found["concern answer with an error"] = axe_check(page)
    assert page.goto("/supervision/me/").status == 404  # a manager without a worker record has no workload
    page.goto("/")
    log_out(page)

    log_in(page, "sam.worker", "Sam Worker")
    found |= {f"worker {path}": violations for path, violations in sweep(page, worker_pages).items()}
    # The countersign page with its errors: a name that is not Sam's.
    page.goto(f"/supervision/entries/{last.pk}/countersign/")
    page.fill("#id_typed_name", "Sam")
    page.click("#sign-entry")
    expect(page.locator("#id_typed_name")).to_have_attribute("aria-invalid", "true")
    found["countersign with an error"] = axe_check(page)
    assert page.goto(month).status == 404  # a worker sees their own records, not the team's month

    assert found == {key: [] for key in found}
