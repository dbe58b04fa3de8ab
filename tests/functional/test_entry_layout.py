"""The pro-forma editor at three screen sizes (issue 10, "The pro-forma while editing"): no horizontal page
scroll, every column of the case table visible at 1024 px and up, one card per line on a phone, and the
score summary still on screen after scrolling to the last line. Saves screenshots under
artifacts/screenshots/ (gitignored) for people to look at."""
from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from supervision.prefill import entry_start
from tests.factories import TeamFactory, WorkerFactory
from tests.factories_supervision import allocate, team_manager
from tests.functional.conftest import _reference_data, log_in
from tests.plugins.infra import screenshot

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

WIDTHS = [(1280, 800), (1024, 768), (390, 844)]
COLUMNS = ["#", "Reference", "Children", "Category", "Factors", "Co-worked / share", "Not allocated", "Points", "Actions"]


@pytest.fixture
def long_entry(transactional_db):
    """A Nottinghamshire worker with 14 open cases: this month's pro-forma, started (prefilled) by the manager."""
    _reference_data()
    team = TeamFactory(name="Nottingham North Assessment", code="NNA")
    manager = team_manager(team, username="tess.manager", first_name="Tess", last_name="Manager")
    worker = WorkerFactory(team=team, first_name="Sam", surname="Worker")
    for n in range(14):
        allocate(worker, reference=f"F-{101 + n}", children=1 + n % 3, category="cin_stable")
    today = timezone.localdate()
    entry = entry_start(worker=worker, month=today.replace(day=1), started_by=manager, ip="10.0.0.1", today=today)
    return entry


def _no_horizontal_scroll(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def _inside_viewport(page: Page, selector: str) -> bool:
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth; }""",
        selector)


def test_entry_editor_fits_every_width_and_keeps_the_score_in_view(live_server, browser_page: Page, long_entry):
    page = browser_page
    log_in(page, "tess.manager", "Tess Manager")
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/supervision/entries/{long_entry.pk}/")
        expect(page.locator("#summary-total")).to_have_text("41")  # CIN stable, 2 for the first child + 1 each after: 5×2 + 5×3 + 4×4
        scroll_width, inner_width = _no_horizontal_scroll(page)
        assert scroll_width <= inner_width, f"page scrolls sideways at {width} px ({scroll_width} > {inner_width})"
        last = page.locator("#line-row-13")
        last.scroll_into_view_if_needed()
        page.locator("#id_lines-13-children").focus()
        assert _inside_viewport(page, "#id_lines-13-children"), f"last line not on screen at {width} px"
        assert _inside_viewport(page, "#score-summary .cw-score-summary-bar"), f"score summary scrolled away at {width} px"
        remove = page.locator("[data-testid=remove-line-13]")
        expect(remove).to_be_visible()
        box = remove.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"Remove button clipped at {width} px"
        headers = page.locator("#entry-lines thead th")
        if width >= 1024:
            assert [h.strip() for h in headers.all_inner_texts()] == COLUMNS
            for i in range(len(COLUMNS)):
                cell = page.locator("#line-row-13 > *").nth(i).bounding_box()
                assert cell["x"] >= 0 and cell["x"] + cell["width"] <= width, f"column {COLUMNS[i]} clipped at {width}"
        else:  # one card per line: each line's cells stacked, as wide as the card
            ref = page.locator("#id_lines-13-reference").bounding_box()
            cat = page.locator("#id_lines-13-category").bounding_box()
            assert cat["y"] > ref["y"]
            assert page.locator("#line-row-13").evaluate("r => getComputedStyle(r).display") == "block"
        page.evaluate("window.scrollTo(0, 0)")
        screenshot(page, f"entry-edit-{width}x{height}")
