"""axe-core over the pages each role uses, in Chromium, at three widths (a desktop, a small laptop and a
phone): no serious or critical violation (tests/plugins/infra.py `axe_check`; axe.min.js is vendored from the
npm package axe-core), and at the phone's width no page scrolls sideways. Every page is checked at every width
before any assertion fails, so one run reports them all."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from supervision.prefill import entry_start
from supervision.team_services import concern_raise
from tests.functional.conftest import Caseload, log_in, log_out
from tests.plugins.infra import axe_check, screenshot

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

WHAT_IF = "/workload/score/?scheme=nottinghamshire-wlm-2016&team_type=assessment"


WIDTHS = (1280, 1024, 390)
# The outermost elements that reach past the window's right edge, unless a box that fits scrolls or clips them.
TOO_WIDE = """() => {
  const scrolls = el => ['auto', 'scroll', 'hidden'].includes(getComputedStyle(el).overflowX);
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = [...document.body.querySelectorAll('*')].filter(el => {
    if (el.getBoundingClientRect().right <= window.innerWidth + 1) return false;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement)
      if (scrolls(a) && a.getBoundingClientRect().right <= window.innerWidth + 1) return false;
    return true;
  });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getBoundingClientRect().right > window.innerWidth + 1) texts.push(node.parentElement);
  }
  const top = wide.filter(el => !wide.includes(el.parentElement)).map(name);
  return [...top, ...texts.filter(el => !wide.includes(el)).map(el => 'text in ' + name(el))].slice(0, 5);
}"""
PHONE = 390


def check(page: Page, width: int) -> list:
    """The serious/critical violations on the page as shown, and at the phone's width a sideways scroll."""
    found = axe_check(page)
    if width == PHONE:
        scroll = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if scroll[0] > scroll[1]:
            found.append({"id": "horizontal-scroll", "scrollWidth": scroll[0], "innerWidth": scroll[1],
                          "too wide": page.evaluate(TOO_WIDE)})
    return found


def sweep(page: Page, paths: list[str], *, prefix: str = "", shots: dict[str, str] | None = None) -> dict[str, list]:
    """"<prefix><path> at <width>" -> what `check` found, for pages that must load (200): one load per page
    and width (the page is laid out at that width from the start, as a phone would load it). Pages named in
    `shots` (path -> name) are saved as artifacts/screenshots/<name>-<width>.png, to be looked at."""
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(path)
            assert (path, response.status) == (path, 200)
            found[f"{prefix}{path} at {width}"] = check(page, width)
            if path in (shots or {}):
                screenshot(page, f"{shots[path]}-{width}")
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
    found = sweep(page, manager_pages, shots={month: "team-month", f"/supervision/entries/{draft.pk}/": "entry-edit"})
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # The draft with its errors: "Save and submit" before answering field 7 and the deviation reason.
        page.goto(f"/supervision/entries/{draft.pk}/")
        page.click("#submit-entry")
        expect(page.locator("#error-summary li")).to_have_count(3)
        found[f"entry with the error summary at {width}"] = check(page, width)
        # The concern with an empty answer sent: the error summary and the message beside the field.
        page.goto(f"/supervision/concerns/{concern.pk}/")
        page.click("#send-answer")
        expect(page.locator("#error-summary li")).to_have_count(1)
        found[f"concern answer with an error at {width}"] = check(page, width)
    assert page.goto("/supervision/me/").status == 404  # a manager without a worker record has no workload
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    log_out(page)

    log_in(page, "sam.worker", "Sam Worker")
    found |= sweep(page, worker_pages, prefix="worker ",
                   shots={f"/supervision/entries/{last.pk}/countersign/": "countersign"})
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # The countersign page with its errors: a name that is not Sam's.
        page.goto(f"/supervision/entries/{last.pk}/countersign/")
        page.fill("#id_typed_name", "Sam")
        page.click("#sign-entry")
        expect(page.locator("#id_typed_name")).to_have_attribute("aria-invalid", "true")
        found[f"countersign with an error at {width}"] = check(page, width)
    assert page.goto(month).status == 404  # a worker sees their own records, not the team's month

    assert found == {key: [] for key in found}
