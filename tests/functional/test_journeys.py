"""The monthly cycle as the people do it, in Chromium: a team manager holds supervision, completes an
unchanged month and submits it; the worker countersigns; last month's pro-forma is disputed, corrected,
resubmitted and signed; a countersigned month is revised. Emails go through Celery on Redis to an SMTP sink;
axe-core (tests/vendor/axe.min.js, from the npm package) checks each page for serious and critical
violations. Runs under ./scripts/test.sh (PostgreSQL, Redis, Chromium)."""
from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from supervision.models import AuditEvent, ProformaEntry
from supervision.prefill import entry_start
from tests.functional.conftest import Caseload, log_in, log_out
from tests.plugins.infra import axe_check, screenshot
from workload.workdays import add_months

pytestmark = [pytest.mark.functional, pytest.mark.django_db(transaction=True)]

SAM = "sam.worker@example.org"
TESS = "tess.manager@example.org"


# ------------------------------------------------------------------------------------------ helpers


def body(mail) -> str:
    """The text part with the line endings SMTP gave it (CRLF) read as newlines."""
    return mail.body.replace("\r\n", "\n")


def flash(page: Page):
    """The messages framework's banner (role=status) at the top of <main>."""
    return page.locator("main > div[aria-live] .alert")


def status_of(page: Page):
    return page.locator("#entry-status")


def audit_rows(page: Page) -> list[tuple[str, str]]:
    """(action code, who) for each row of the audit trail, in the order shown."""
    rows = page.locator("#audit-trail tbody tr[data-action]")
    return [(row.get_attribute("data-action"), row.locator("td").nth(1).inner_text()) for row in rows.all()]


def wait_for_notified(entry: ProformaEntry, count: int, timeout: float = 10) -> None:
    """The Celery worker records each sent email in the audit trail just after the SMTP server accepted it."""
    deadline = time.monotonic() + timeout
    while AuditEvent.objects.filter(entry=entry, action="entry.notified").count() < count:
        assert time.monotonic() < deadline, f"fewer than {count} entry.notified events for entry {entry.pk}"
        time.sleep(0.05)


def month_url(caseload: Caseload, month) -> str:
    return f"/supervision/teams/{caseload.team.pk}/{month:%Y-%m}/"


# ------------------------------------------------------------------------------------------ journey


def test_month_cycle_submit_countersign_dispute_resubmit_revise(
    live_server, browser_page: Page, http_errors, caseload: Caseload, celery_worker_live, smtp_sink, settings
):
    page, team, worker, last = browser_page, caseload.team, caseload.worker, caseload.last_entry
    today = timezone.localdate()
    this, previous = caseload.this_month, caseload.last_month
    this_label, previous_label = f"{this:%B %Y}", f"{previous:%B %Y}"

    # Last month's pro-forma, submitted in the setup, has already asked Sam to countersign.
    [request_last] = smtp_sink.wait_for(1, timeout=20)
    assert (request_last.subject, request_last.to, request_last.from_) == (
        f"Your {previous_label} workload pro-forma is ready to countersign", [SAM], settings.DEFAULT_FROM_EMAIL)

    # ---- The manager opens the team's month: Sam has no pro-forma yet.
    log_in(page, "tess.manager", "Tess Manager")
    page.goto(month_url(caseload, this))
    expect(page.locator("#team-month-heading")).to_have_text(
        f"Nottingham North Assessment: team pro-forma, {this_label}")
    row = page.locator(f"[data-testid=worker-row-{worker.pk}]")
    expect(row).to_have_attribute("data-status", "none")
    expect(row.locator("th")).to_have_text("SW Sam Worker")
    expect(page.locator(f"[data-testid=worker-row-{caseload.colleague.pk}]")).to_have_attribute("data-status", "none")
    screenshot(page, "month-view")
    assert axe_check(page) == []

    # ---- Supervision with Sam, recorded today: it becomes the date of score.
    page.goto(f"/supervision/sessions/?team={team.pk}")
    # Last month's pro-forma, dated the 14th, recorded that supervision: Sam is not due until the 14th.
    expect(page.locator(f"[data-testid=overdue-{worker.pk}]")).to_have_count(0)
    page.select_option("#id_worker", str(worker.pk))
    expect(page.locator("#id_held_on")).to_have_value(today.isoformat())
    expect(page.locator("#id_held_0")).to_be_checked()  # "Yes", the session took place
    page.fill("#id_attendees", "Sam Worker, Tess Manager")
    page.click("#record-session")
    expect(flash(page)).to_have_text(
        f"Session recorded for Sam Worker. Next due {add_months(today, 1):%-d %B %Y}.")
    expect(page.locator(f"[data-testid=overdue-{worker.pk}]")).to_have_count(0)
    expect(page.locator("#recent-sessions li").first).to_have_text(
        f"{today:%-d %b %Y}: Sam Worker, worker supervision (Sam Worker, Tess Manager); "
        f"next due {add_months(today, 1):%-d %b %Y}")

    # ---- Start Sam's month from the team view: pre-filled from last month and the allocations.
    page.goto(month_url(caseload, this))
    page.click(f"[data-testid=start-entry-{worker.pk}]")
    entry = ProformaEntry.objects.get(worker=worker, month=this)
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{entry.pk}/$"))
    expect(flash(page)).to_have_text(f"Started Sam Worker's pro-forma for {this_label}, pre-filled from last "
                                     "month and the current allocations.")
    expect(status_of(page)).to_have_attribute("data-status", "draft")
    lines = [
        (page.input_value(f"#id_lines-{i}-reference"), page.input_value(f"#id_lines-{i}-children"),
         page.input_value(f"#id_lines-{i}-category"), page.locator(f"#id_lines-{i}-co_worked").is_checked(),
         page.locator(f"[data-testid=line-{i}] input[name='lines-{i}-factors']:checked").evaluate_all(
             "inputs => inputs.map(i => i.value)"))
        for i in range(page.locator("#entry-lines tbody tr[data-testid]").count())
    ]
    assert lines == [
        ("F-101", "2", "cin_stable", False, []),
        ("F-102", "3", "cp_stable", False, ["interpreter"]),  # last month's factor, kept for a case still held
        ("F-103", "1", "cin_stable", True, []),  # Kim Colleague holds it too
    ]
    assert page.locator("input[name=personal]:checked").evaluate_all("inputs => inputs.map(i => i.value)") == [
        "pq_module"]
    expect(page.locator("#id_workload_context")).to_have_value("Two CP families transferred in from the court team.")
    expect(page.locator("#id_date_of_score")).to_have_value(today.isoformat())  # today's supervision
    expect(page.locator("#id_workload_comment")).to_have_value("")  # this month's judgement: left blank
    expect(page.locator("input[name=workload_manageable]:checked")).to_have_count(0)
    expect(page.locator("#score-total")).to_have_text("21.5")  # unchanged from last month
    expect(page.locator("#score-band")).to_have_attribute("data-band", "below_sustainable")
    expect(page.locator("#id_deviation_reason")).to_be_visible()  # 6 children, expected 14.4-17.6
    screenshot(page, "entry-draft")
    assert axe_check(page) == []

    # ---- The handful of clicks: manageable? a comment, the deviation reason; save; submit.
    page.check("#id_workload_manageable_0")
    page.fill("#id_workload_comment", "Manageable; no change since last month.")
    page.fill("#id_deviation_reason", "Building up after a move; agreed in supervision.")
    page.click("#save-entry")
    expect(flash(page)).to_have_text("Saved. Total 21.5 points, Below sustainable.")
    expect(status_of(page)).to_have_attribute("data-status", "draft")
    page.click("#submit-entry")
    expect(flash(page)).to_have_text("Submitted. Sam Worker has been asked to countersign it.")
    expect(status_of(page)).to_have_attribute("data-status", "submitted")

    request_this = smtp_sink.wait_for(2, timeout=20)[1]
    assert (request_this.subject, request_this.to) == (
        f"Your {this_label} workload pro-forma is ready to countersign", [SAM])
    assert "Tess Manager has completed your workload pro-forma" in body(request_this)
    assert "Total points: 21.5\nBand: Below sustainable" in body(request_this)
    assert f"/supervision/entries/{entry.pk}/countersign/" in body(request_this)
    log_out(page)

    # ---- Sam signs this month.
    log_in(page, "sam.worker", "Sam Worker")
    page.goto("/supervision/me/")
    pending = page.locator("#pending-signatures li")
    expect(pending).to_have_text([
        f"{previous_label}: 21.5 points, Below sustainable (submitted {today:%-d %b %Y})",
        f"{this_label}: 21.5 points, Below sustainable (submitted {today:%-d %b %Y})",
    ])
    page.click(f"[data-testid=pending-{entry.pk}]")
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{entry.pk}/countersign/$"))
    expect(status_of(page)).to_have_attribute("data-status", "submitted")
    assert axe_check(page) == []
    page.fill("#id_typed_name", "Sam Worker")
    page.click("#sign-entry")
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{entry.pk}/$"))
    expect(flash(page)).to_have_text("Countersigned. Thank you; the pro-forma is now locked.")
    expect(status_of(page)).to_have_attribute("data-status", "countersigned")
    expect(page.locator("#worker-signature")).to_contain_text("“Sam Worker”")
    screenshot(page, "entry-countersigned")
    assert axe_check(page) == []

    # ---- Last month: Sam disputes it.
    page.goto("/supervision/me/")
    expect(pending).to_have_count(1)
    page.click(f"[data-testid=pending-{last.pk}]")
    reason = "F-101 has three children now: the baby was born in the first week of the month."
    page.fill("#id_reason", reason)
    page.click("#dispute-entry")
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{last.pk}/$"))
    expect(flash(page)).to_have_text("Disputed. Your manager has been told and will revise the pro-forma.")
    expect(status_of(page)).to_have_attribute("data-status", "disputed")

    dispute_mail = smtp_sink.wait_for(3, timeout=20)[2]
    assert (dispute_mail.subject, dispute_mail.to) == (
        f"Sam Worker disputed their {previous_label} workload pro-forma", [TESS])
    assert f"Their reason:\n{reason}\n" in body(dispute_mail)
    assert f"/supervision/entries/{last.pk}/" in body(dispute_mail)
    log_out(page)

    # ---- Tess corrects it (the live score follows the edit) and submits it again.
    log_in(page, "tess.manager", "Tess Manager")
    page.goto(month_url(caseload, previous))
    expect(page.locator(f"[data-testid=worker-row-{worker.pk}]")).to_have_attribute("data-status", "disputed")
    page.click(f"[data-testid=open-entry-{worker.pk}]")
    expect(page.locator("#dispute-notice")).to_contain_text(f"Disputed by Sam Worker on {today:%-d %b %Y}")
    expect(page.locator("#dispute-notice")).to_contain_text(reason)
    page.fill("#id_lines-0-children", "3")
    page.locator("#id_lines-0-children").blur()  # "change": htmx posts the form to .../score/
    expect(page.locator("#line-points-0")).to_have_text("4")  # F-101 was 3 points with two children
    expect(page.locator("#score-total")).to_have_text("22.5")  # live, not saved yet
    page.click("#submit-entry")
    expect(flash(page)).to_have_text("Submitted. Sam Worker has been asked to countersign it.")
    expect(status_of(page)).to_have_attribute("data-status", "submitted")

    resubmitted_mail = smtp_sink.wait_for(4, timeout=20)[3]
    assert (resubmitted_mail.subject, resubmitted_mail.to) == (
        f"Your {previous_label} workload pro-forma is ready to countersign", [SAM])
    assert "Total points: 22.5\n" in body(resubmitted_mail)
    log_out(page)

    # ---- Sam signs the corrected month; its audit trail tells the whole story.
    log_in(page, "sam.worker", "Sam Worker")
    page.goto("/supervision/me/")
    expect(pending).to_have_text([f"{previous_label}: 22.5 points, Below sustainable (submitted {today:%-d %b %Y})"])
    page.click(f"[data-testid=pending-{last.pk}]")
    page.fill("#id_typed_name", "sam  WORKER ")  # case and spacing do not matter
    page.click("#sign-entry")
    expect(status_of(page)).to_have_attribute("data-status", "countersigned")
    wait_for_notified(last, 3)
    page.reload()
    assert audit_rows(page) == [
        ("entry.started", "Tess Manager"),
        ("entry.updated", "Tess Manager"),
        ("entry.submitted", "Tess Manager"),
        ("entry.notified", "System"),  # the signature request
        ("entry.disputed", "Sam Worker"),
        ("entry.notified", "System"),  # the dispute notice to Tess
        ("entry.updated", "Tess Manager"),
        ("entry.submitted", "Tess Manager"),  # resubmitted after the dispute
        ("entry.notified", "System"),
        ("entry.countersigned", "Sam Worker"),
    ]
    expect(page.locator("#audit-trail tr[data-action='entry.disputed'] td:nth-child(3)")).to_have_text(
        f"Disputed: “{reason}”")
    expect(page.locator("#audit-trail tr[data-action='entry.notified'] td:nth-child(3)")).to_have_text(
        [f"Countersignature request emailed to {SAM}", f"Dispute notice emailed to {TESS}",
         f"Countersignature request emailed to {SAM}"])
    expect(page.locator("#disputes li")).to_contain_text(f"Sam Worker: {reason} (resubmitted {today:%-d %b %Y})")
    log_out(page)

    # ---- A countersigned month is corrected by a revision; the signed one is kept.
    log_in(page, "tess.manager", "Tess Manager")
    page.goto(month_url(caseload, this))
    expect(page.locator("#team-month-progress")).to_contain_text(
        "1 countersigned · 0 awaiting countersignature · 0 disputed · 0 draft · 1 not started")
    row = page.locator(f"[data-testid=worker-row-{worker.pk}]")
    expect(row).to_have_attribute("data-status", "countersigned")
    expect(row.locator("td.fw-semibold")).to_have_text("21.5")  # total points
    page.click(f"[data-testid=open-entry-{worker.pk}]")
    page.fill("#revise-form #id_reason", "The workload comment should mention the court hearing.")
    page.click("#revise-entry")
    revision = ProformaEntry.objects.get(worker=worker, month=this, is_current=True)
    expect(page).to_have_url(re.compile(rf"/supervision/entries/{revision.pk}/$"))
    expect(flash(page)).to_have_text("Revision 2 started. The countersigned revision 1 is kept unchanged; this "
                                     "one needs signing again.")
    expect(status_of(page)).to_have_attribute("data-status", "draft")
    expect(page.locator("#revision-diff")).to_contain_text("No changes yet.")
    page.fill("#id_workload_comment", "Manageable; court hearing for F-102 next month.")
    page.click("#save-entry")
    diff_rows = page.locator("#revision-diff tbody tr")
    expect(diff_rows).to_have_count(1)
    expect(diff_rows.locator("th, td")).to_have_text([
        "Workload comments (please give detail)", "Manageable; no change since last month.",
        "Manageable; court hearing for F-102 next month.",
    ])
    expect(page.locator("#revisions li")).to_have_text([
        "Revision 1: Countersigned, 21.5 points",
        "Revision 2 (this page): Draft, 21.5 points (“The workload comment should mention the court hearing.”)",
    ])
    assert axe_check(page) == []

    assert [(mail.subject, mail.to) for mail in smtp_sink.messages] == [
        (f"Your {previous_label} workload pro-forma is ready to countersign", [SAM]),
        (f"Your {this_label} workload pro-forma is ready to countersign", [SAM]),
        (f"Sam Worker disputed their {previous_label} workload pro-forma", [TESS]),
        (f"Your {previous_label} workload pro-forma is ready to countersign", [SAM]),
    ]
    assert http_errors == []  # no request of the journey, htmx ones included, was refused or failed


def test_live_score_posts_to_the_score_url_whichever_button_was_pressed(
    live_server, browser_page: Page, http_errors, caseload: Caseload
):
    """htmx 2 sends a form's own request to the formaction of the form's button last clicked or focused: with
    "Save and submit" pressed (or focused) just after an edit, the live score went to .../submit/ and
    submitted the pro-forma behind the page's back. The page's script keeps it on .../score/."""
    page = browser_page
    draft = entry_start(worker=caseload.worker, month=caseload.this_month, started_by=caseload.manager)
    log_in(page, "tess.manager", "Tess Manager")
    page.goto(f"/supervision/entries/{draft.pk}/")
    page.focus("#submit-entry")  # htmx now takes it as the form's submitter
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.eval_on_selector("#id_workload_comment", "el => { el.value = 'Manageable.';"
                                                      " el.dispatchEvent(new Event('change', {bubbles: true})); }")

    assert (urlsplit(posted.value.url).path, posted.value.status) == (f"/supervision/entries/{draft.pk}/score/", 200)
    expect(page.locator("#score-heading")).to_have_text("Score live, not saved")
    page.reload()
    expect(page.locator("#entry-status")).to_have_attribute("data-status", "draft")
    assert http_errors == []
