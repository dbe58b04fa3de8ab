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
from tests.plugins.infra import axe_check, screenshot

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
        assert axe_check(page) == [], f"axe at {width} px"


def test_changing_a_lines_category_redraws_its_factor_choices(live_server, browser_page: Page, transactional_db):
    """Swindon: a CP line offers "CP complex"; changed to CIN, its factor list is redrawn without it (htmx),
    and the focus stays on the category."""
    _reference_data()
    team = TeamFactory(name="Swindon Central", code="SWC", scheme=("swindon-cws-v1", "childrens_social_work"))
    manager = team_manager(team, username="tess.manager", first_name="Tess", last_name="Manager")
    worker = WorkerFactory(team=team, first_name="Sam", surname="Worker")
    allocate(worker, reference="S-1", children=2, category="cp")
    today = timezone.localdate()
    entry = entry_start(worker=worker, month=today.replace(day=1), started_by=manager, ip="10.0.0.1", today=today)
    page = browser_page
    log_in(page, "tess.manager", "Tess Manager")
    page.goto(f"/supervision/entries/{entry.pk}/")
    options = page.locator("#line-factors-0 input[name='lines-0-factors']")
    expect(options).to_have_count(10)
    assert options.first.get_attribute("value") == "cp_complex"
    page.focus("#id_lines-0-category")
    page.select_option("#id_lines-0-category", "cin")
    expect(options).to_have_count(9)
    assert "cp_complex" not in [o.get_attribute("value") for o in options.all()]
    assert page.evaluate("document.activeElement.id") == "id_lines-0-category"


@pytest.fixture
def awaiting_signature(transactional_db):
    """Sam Worker (with a login) and last month's pro-forma, submitted and waiting for his countersignature."""
    from supervision.services import entry_submit, entry_update
    from tests.factories_supervision import user_in
    from workload.roles import Role
    from workload.workdays import add_months
    _reference_data()
    team = TeamFactory(name="Nottingham North Assessment", code="NNA")
    manager = team_manager(team, username="tess.manager", first_name="Tess", last_name="Manager")
    user = user_in(Role.SOCIAL_WORKER, username="sam.worker", first_name="Sam", last_name="Worker")
    worker = WorkerFactory(team=team, user=user, first_name="Sam", surname="Worker")
    allocate(worker, reference="F-101", children=2, category="cin_stable")
    allocate(worker, reference="F-102", children=3, category="cp_stable")
    today = timezone.localdate()
    month = add_months(today.replace(day=1), -1)
    entry = entry_start(worker=worker, month=month, started_by=manager, ip="10.0.0.1", today=today)
    lines = [{"case_id": li.case_id, "reference": li.reference, "children": li.children, "category": li.category,
              "factors": [], "co_worked": False, "co_work_share": None, "not_allocated": False}
             for li in entry.lines.order_by("position", "pk")]
    entry = entry_update(entry=entry, expected_lock_version=entry.lock_version, updated_by=manager, ip="10.0.0.1",
                         fields={"workload_manageable": True, "workload_comment": "Manageable.",
                                 "date_of_score": month.replace(day=14),
                                 "deviation_reason": "Building up after a move; agreed in supervision."},
                         lines=lines)
    return entry_submit(entry=entry, submitted_by=manager, ip="10.0.0.1")


def test_countersign_page_fits_every_width_with_the_actions_near_the_top(live_server, browser_page: Page,
                                                                           awaiting_signature):
    page = browser_page
    log_in(page, "sam.worker", "Sam Worker")
    for width, height in WIDTHS:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/supervision/entries/{awaiting_signature.pk}/countersign/")
        expect(page.locator("#glance-total")).to_have_text("12")  # CIN stable 2 + 1, CP stable 5 + 2 + 2
        scroll_width, inner_width = _no_horizontal_scroll(page)
        assert scroll_width <= inner_width, f"countersign page scrolls sideways at {width} px"
        sign = page.locator("#sign-entry").bounding_box()
        glance = page.locator("#countersign-glance").bounding_box()
        readonly = page.locator("#entry-readonly").bounding_box()
        assert glance["y"] < sign["y"] < readonly["y"]
        if width >= 1024:  # the result and the countersign button on the first screen
            assert sign["y"] + sign["height"] <= height, f"Countersign button below the first screen at {width} px"
        screenshot(page, f"countersign-{width}x{height}")
        assert axe_check(page) == [], f"axe at {width} px"


def test_a_refused_submit_stays_at_the_entrys_address_and_a_reload_does_not_post(live_server, browser_page: Page,
                                                                                long_entry):
    page = browser_page
    log_in(page, "tess.manager", "Tess Manager")
    url = f"/supervision/entries/{long_entry.pk}/"
    page.goto(url)
    marker = page.locator("#div_id_workload_comment > label").evaluate("l => getComputedStyle(l, '::after').content")
    assert marker == '" (needed to submit)"'  # shown beside the label before any submit
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(url)) as refused:
        page.click("#submit-entry")
    assert refused.value.status == 400
    expect(page.locator("#error-summary")).to_be_visible()
    assert page.url.endswith(url)
    methods: list[str] = []
    page.on("request", lambda request: methods.append(request.method) if request.is_navigation_request() else None)
    assert page.locator("#entry-form").get_attribute("data-posted") == "1"
    page.wait_for_load_state("load")  # the page's script has run (it replaces the history entry)
    page.reload()  # as the browser's reload button
    expect(page.locator("#entry-heading")).to_be_visible()
    assert methods == ["GET"]
