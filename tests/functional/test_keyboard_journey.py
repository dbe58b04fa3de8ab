"""The supervision hour with the keyboard only, in Chromium: no click() and no goto() once signed in, only Tab,
Enter, Space and typing. The team manager goes from their home page through recording today's supervision and
an unchanged, pre-filled month to submitting it; the worker signs in with the keyboard and countersigns.

Actions are what a person decides to do: Enter or Space on a control, or typing into a field, one each. Tab
presses only move the focus and are counted apart. Both counts are printed (pytest -s shows them)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from supervision.models import ProformaEntry, SupervisionSession
from tests.functional.conftest import PASSWORD, Caseload
from workload.workdays import add_months

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

MAX_TABS = 250  # to any one control; far more than any page here needs, so a missing control fails quickly


@dataclass
class Keyboard:
    """Presses keys on the page and counts them: `actions` (Enter, Space, a typed field) and `tabs`."""

    page: Page
    actions: int = 0
    tabs: int = 0
    log: list[str] = field(default_factory=list)

    def focused(self, selector: str) -> bool:
        return self.page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector)

    def tab_to(self, selector: str) -> None:
        """Tab forward until the control matching `selector` has the focus."""
        for _ in range(MAX_TABS):
            if self.focused(selector):
                return
            self.page.keyboard.press("Tab")
            self.tabs += 1
        where = self.page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
        raise AssertionError(f"{MAX_TABS} Tabs did not reach {selector} (focus is on {where})")

    def press(self, selector: str, key: str = "Enter") -> None:
        self.tab_to(selector)
        self.page.keyboard.press(key)
        self.actions += 1
        self.log.append(f"{key} on {selector}")

    def type(self, selector: str, text: str) -> None:
        self.tab_to(selector)
        self.page.keyboard.type(text)
        self.actions += 1
        self.log.append(f"type into {selector}")


def sign_in(keys: Keyboard, username: str, full_name: str) -> None:
    """The login page puts the focus on the username; the password is one Tab on; Enter signs in."""
    keys.type("#id_username", username)
    keys.type("#id_password", PASSWORD)
    keys.page.keyboard.press("Enter")
    keys.actions += 1
    expect(keys.page).to_have_url(re.compile(r"/$"))
    expect(keys.page.locator(".navbar-text")).to_have_text(full_name)


def test_supervision_hour_with_the_keyboard_only(live_server, browser_page: Page, http_errors, caseload: Caseload):
    page, worker = browser_page, caseload.worker
    today = timezone.localdate()
    this_label = f"{caseload.this_month:%B %Y}"
    page.goto("/accounts/login/")  # the only goto: the address a person types before signing in

    # ---- The manager signs in and, from their home page, records today's supervision with Sam.
    manager = Keyboard(page)
    sign_in(manager, "tess.manager", "Tess Manager")
    expect(page.locator("[data-testid=home-to-start] li > span")).to_have_text(["Kim Colleague", "Sam Worker"])
    manager.actions, manager.tabs, manager.log = 0, 0, []  # signing in is not part of the month's work
    manager.press(f"#start-with-supervision-{worker.pk}")

    expect(page).to_have_url(re.compile(r"/supervision/entries/\d+/$"))
    entry = ProformaEntry.objects.get(worker=worker, month=caseload.this_month)
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{entry.pk}/$"))
    expect(page.locator("main > div[aria-live] .alert")).to_have_text(
        f"Supervision recorded for {today:%-d %B %Y}. Started Sam Worker's pro-forma for {this_label}, pre-filled "
        "from last month and the current allocations.")
    [session] = SupervisionSession.objects.filter(worker=worker, held_on=today)
    assert (session.held, session.recorded_with_proforma, entry.session_id) == (True, True, session.pk)
    expect(page.locator("#id_date_of_score")).to_have_value(today.isoformat())
    expect(page.locator("#score-total")).to_have_text("21.5")  # unchanged from last month

    # ---- The month is unchanged: this month's judgement, the reason the policy asks for, submit.
    manager.press("#id_workload_manageable_0", "Space")  # "Yes"
    manager.type("#id_workload_comment", "Manageable; no change since last month.")
    manager.type("#id_deviation_reason", "Building up after a move; agreed in supervision.")
    # leaving a field asks for a live score: let it answer before the submit, as a person reading it would
    manager.tab_to("#submit-entry")
    page.wait_for_timeout(800)
    page.wait_for_load_state("networkidle")
    manager.press("#submit-entry")
    expect(page.locator("main > div[aria-live] .alert")).to_have_text(
        "Submitted. Sam Worker has been asked to countersign it.")
    expect(page.locator("#entry-status")).to_have_attribute("data-status", "submitted")
    print(f"\nManager, unchanged month: {manager.actions} actions ({'; '.join(manager.log)}), {manager.tabs} Tabs")

    entry.refresh_from_db()
    assert (entry.status, entry.total_points, entry.band, entry.workload_manageable, entry.workload_comment,
            entry.deviation_reason, entry.date_of_score, entry.session_id) == (
        "submitted", Decimal("21.5"), "below_sustainable", True, "Manageable; no change since last month.",
        "Building up after a move; agreed in supervision.", today, session.pk)
    session.refresh_from_db()
    assert session.next_due == add_months(today, 1)  # supervision is up to date: off the due list
    assert manager.actions == 5  # start with supervision, Yes, comment, reason, submit (the aim: at most 5)

    # ---- Sign out with the keyboard; Sam signs in and countersigns.
    manager.press("form[action$='/logout/'] button")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    sam = Keyboard(page)
    sign_in(sam, "sam.worker", "Sam Worker")
    sam.actions, sam.tabs, sam.log = 0, 0, []
    sam.press(f"[data-testid=waiting-to-sign] a[href='/supervision/entries/{entry.pk}/']")
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{entry.pk}/$"))
    sam.press("#review-and-sign")
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{entry.pk}/countersign/$"))
    sam.type("#id_typed_name", "Sam Worker")
    sam.press("#sign-entry")
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{entry.pk}/$"))
    expect(page.locator("main > div[aria-live] .alert")).to_have_text(
        "Countersigned. Thank you; the pro-forma is now locked.")
    expect(page.locator("#entry-status")).to_have_attribute("data-status", "countersigned")
    print(f"Worker, countersigning: {sam.actions} actions ({'; '.join(sam.log)}), {sam.tabs} Tabs")

    entry.refresh_from_db()
    assert (entry.status, sam.actions) == ("countersigned", 4)  # open, review, name, sign
    assert http_errors == []
