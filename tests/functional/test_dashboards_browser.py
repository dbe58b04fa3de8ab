"""The dashboards in Chromium on the REPORTS worked example (DA1 and IP1, January 2025): authority, service
area, team and "Who needs attention" at 1280, 1024 and 390 px, with no horizontal page scroll, the charts
drawn from the same numbers as their tables, and no serious or critical axe-core violation. Saves
screenshots under artifacts/screenshots/ (gitignored) for people to look at."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories_supervision import user_in
from tests.functional.conftest import _reference_data, log_in
from tests.plugins.infra import axe_check, screenshot
from tests.worked_example import build
from workload.roles import Role

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1280, 900), (1024, 768), (390, 844)]
# what sticks out, for the failure message: the widest elements wider than the window
WIDEST = """[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)
  .slice(-3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
ATTENTION = [
    "TM Example: Manager holding cases", "W2 Example: Over the caseload threshold",
    "W2 Example: High workload band this month", "W3 Example: Over the caseload threshold",
    "W4 Example: ASYE over the protected caseload", "W6 Example: Over the caseload threshold",
    "W6 Example: High workload band this month", "W7 Example: Long absence while holding cases",
]


@pytest.fixture
def authority(transactional_db):
    _reference_data()
    example = build()
    user_in(Role.SMT, username="sol.lead", first_name="Sol", last_name="Lead")
    return example


def test_dashboards_fit_every_width_with_charts_and_no_serious_violations(live_server, browser_page: Page,
                                                                         authority):
    page = browser_page
    page.set_default_timeout(60_000)
    log_in(page, "sol.lead", "Sol Lead")
    pages = {
        "authority": "/dashboards/?month=2025-01",
        "service": f"/dashboards/service/{authority.area.pk}/?month=2025-01",
        "team": f"/dashboards/team/{authority.da1.pk}/?month=2025-01",
        "attention": "/dashboards/attention/?month=2025-01",
        # the pages the cards lead to: the workers behind a count, the escalations, the reports
        "workers": f"/dashboards/team/{authority.da1.pk}/workers/?month=2025-01&measure=M04&n=22",
        "escalations": "/reporting/escalations/",
        "escalation": f"/reporting/escalations/{authority.escalations['W6'].pk}/",
        "reports": "/reports/",
    }
    charts = ("authority", "service", "team")
    found, scrolls = {}, {}
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages.items():
            response = page.goto(path, timeout=60_000)  # twelve months of measures on a shared CI machine
            assert (name, response.status) == (name, 200)
            if name in charts:
                # Chart.js drew the first trend (the canvas has pixels), and its table shows the same last figure
                expect(page.locator("canvas.cw-trend-chart").first).to_be_visible()
                assert page.evaluate("document.querySelector('canvas.cw-trend-chart').width") > 0
            scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            scrolls[(name, width)] = [] if scroll_width <= inner_width else page.evaluate(WIDEST)
            screenshot(page, f"dashboard-{name}-{width}")
            found[(name, width)] = axe_check(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(pages["team"], timeout=60_000)
    expect(page.locator('[data-testid="trend-table-m01"] td').nth(11)).to_have_text("18.9")
    expect(page.get_by_text("Red — above target").first).to_be_visible()
    page.goto(pages["attention"], timeout=60_000)
    reasons = page.evaluate("[...document.querySelectorAll('#attention-table tbody tr')].map("
                            "r => r.cells[0].innerText + ': ' + r.cells[3].innerText)")
    assert reasons == ATTENTION
    assert scrolls == {key: [] for key in scrolls}
    assert found == {key: [] for key in found}
