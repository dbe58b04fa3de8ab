"""The reports pages: who may download what (allowed and refused in one setup), the history table's filters
and paging, on-request builds by a head of service or administrator with the progress fragment htmx polls,
the team's return page and its forms, and the distribution lists an administrator manages."""
import re
from functools import partial
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from reporting.models import DistributionList, QuarterlyReturn, ReportKind, ReportRun
from tests.factories import ServiceAreaFactory, TeamFactory
from tests.factories_supervision import head_of_service, team_manager, user_in, worker_with_login
from workload.roles import Role

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7 stored report"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Stored PDFs go to a directory of this test's own, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _stored_run(*, kind, period_key, team=None) -> ReportRun:
    run = ReportRun.objects.create(kind=kind, period_key=period_key, team=team, status="done", progress=100,
                                   sha256="0" * 64, finished_at=timezone.now())
    run.pdf.save("report.pdf", ContentFile(PDF))
    return run


@pytest.fixture
def people():
    area, other_area = ServiceAreaFactory(name="North"), ServiceAreaFactory(name="South")
    team = TeamFactory(name="Duty and Assessment 1", code="DA1", service_area=area)
    other = TeamFactory(name="Looked After 2", code="LA2", service_area=other_area)
    sm = user_in(Role.HEAD_OF_SERVICE, username="sm", email="sm@example.org")
    team.service_manager = sm
    team.save(update_fields=["service_manager"])
    return {
        "team": team, "other": other,
        "tm": team_manager(team, username="tm"), "other_tm": team_manager(other, username="other_tm"),
        "sm": sm, "hos": head_of_service(area, username="hos"),
        "other_hos": head_of_service(other_area, username="other_hos"),
        "smt": user_in(Role.SMT, username="smt"), "admin": user_in(Role.ADMINISTRATOR, username="admin"),
        "worker": worker_with_login(team).user,
    }


def test_stored_pdfs_reach_only_those_allowed(client, people):
    team_run = _stored_run(kind=ReportKind.QUARTERLY_RETURN, period_key="2025-Q1", team=people["team"])
    pack = _stored_run(kind=ReportKind.AUTHORITY_PACK, period_key="2025-Q1")
    outcomes = {}
    for name, user in people.items():
        if name in ("team", "other"):
            continue
        client.force_login(user)
        outcomes[name] = tuple(
            client.get(reverse("reports:run-download", args=[run.pk, "pdf"])).status_code for run in (team_run, pack))
    assert outcomes == {
        "tm": (200, 404), "other_tm": (404, 404), "sm": (200, 200), "hos": (200, 200), "other_hos": (404, 200),
        "smt": (200, 200), "admin": (200, 200), "worker": (404, 404),
    }
    client.force_login(people["tm"])
    response = client.get(reverse("reports:run-download", args=[team_run.pk, "pdf"]))
    assert (b"".join(response.streaming_content), response["Content-Type"]) == (PDF, "application/pdf")
    assert client.get(reverse("reports:run-download", args=[team_run.pk, "exe"])).status_code == 404
    assert client.get(reverse("reports:run-download", args=[team_run.pk, "csv"])).status_code == 404  # none stored


def _table_text(response) -> str:
    html = response.content.decode()
    return text_of(html[html.index('id="runs-table"'):html.index("</table>", html.index('id="runs-table"'))])


def test_history_is_scoped_filtered_and_paged(client, people):
    for week in range(1, 31):
        ReportRun.objects.create(kind=ReportKind.SMT_WEEKLY, period_key=f"2025-W{week:02d}", status="done")
    ReportRun.objects.create(kind=ReportKind.QUARTERLY_RETURN, period_key="2025-Q1", team=people["team"],
                             status="failed", error="The email could not be sent (Connection refused); it will be "
                                                    "tried again.")
    ReportRun.objects.create(kind=ReportKind.QUARTERLY_RETURN, period_key="2025-Q1", team=people["other"])
    client.force_login(people["hos"])
    url = reverse("reports:run-list")

    rows = re.compile(r'data-testid="run-\d+"')
    assert len(rows.findall(client.get(url).content.decode())) == 25  # 31 visible runs, 25 a page
    assert len(rows.findall(client.get(url, {"page": 2}).content.decode())) == 6
    failed = _table_text(client.get(url, {"status": "failed"}))
    assert "Quarterly team return January to March 2025 Duty and Assessment 1 Failed" in failed
    assert "Looked After 2" not in failed and "Weekly SMT" not in failed
    weeks = client.get(url, {"kind": "smt_weekly", "period": "2025-W0"}).content.decode()
    assert len(rows.findall(weeks)) == 9  # W01 to W09
    assert "Weekly SMT caseload report week ending Fri 3 Jan 2025 Whole authority Done" in _table_text(
        client.get(url, {"kind": "smt_weekly", "period": "2025-W01"}))

    bad = client.get(url, {"status": "exploded", "team": people["other"].pk})
    assert bad.status_code == 400
    text = text_of(bad.content.decode())
    assert "Select a valid choice. exploded is not one of the available choices." in text
    assert "Select a valid choice. That choice is not one of the available choices." in text  # another's team


def test_on_request_build_with_progress(client, people, django_capture_on_commit_callbacks):
    url = reverse("reports:run-generate")
    client.force_login(people["tm"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "smt_weekly", "period": "2025-W41"}).status_code == 404
    assert not ReportRun.objects.exists()

    client.force_login(people["hos"])
    bad = client.post(url, {"kind": "smt_weekly", "period": "2025-13"})
    assert bad.status_code == 400
    assert re.search(r'id="error_1_id_period"[^>]*>\s*<strong>&#x27;2025-13&#x27;: the month must be 01 to 12\.',
                     bad.content.decode())
    future = client.post(url, {"kind": "smt_monthly", "period": "2099-01"})
    assert future.status_code == 400
    assert "has not started yet" in text_of(future.content.decode())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"kind": "smt_weekly", "period": "2025-W41"})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:run-detail", args=[run.pk])
    assert (run.kind, run.period_key, run.team, run.status, run.requested_by) == (
        "smt_weekly", "2025-W41", None, "queued", people["hos"])
    assert [c.keywords for c in callbacks if isinstance(c, partial)] == [{"run_id": run.pk, "send": False}]

    progress_url = reverse("reports:run-progress", args=[run.pk])
    queued = client.get(progress_url).content.decode()
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in queued
    assert "Waiting for the report builder to start" in text_of(queued)
    ReportRun.objects.filter(pk=run.pk).update(status="running", progress=80)
    assert "Building the report: 80% done." in text_of(client.get(progress_url).content.decode())
    ReportRun.objects.filter(pk=run.pk).update(status="failed", error="The report could not be built: no fonts")
    failed = client.get(progress_url).content.decode()
    assert "hx-trigger" not in failed  # finished: polling stops
    assert "The last attempt failed: The report could not be built: no fonts" in text_of(failed)


def test_return_page_forms_errors_beside_fields_and_scoping(client, people):
    team, url = people["team"], reverse("reports:return-detail", args=[people["team"].pk, "2025-Q1"])
    client.force_login(people["other_tm"])
    assert client.get(url).status_code == 404  # a guessed team id
    client.force_login(people["tm"])
    assert client.get(reverse("reports:return-detail", args=[people["other"].pk, "2025-Q1"])).status_code == 404
    assert client.get(f"/reports/returns/{team.pk}/2025-Q7/").status_code == 404
    assert client.get(reverse("reports:return-detail", args=[team.pk, "2099-Q1"])).status_code == 404  # future
    assert not QuarterlyReturn.objects.exists()

    page = text_of(client.get(url).content.decode())
    assert "Quarterly team return: Duty and Assessment 1, January to March 2025" in page
    assert "Being completed by the team manager. To be approved by Friday 28 March 2025." in page

    bad = client.post(url, {"action": "complete", "unallocated_cases": "-1", "completed_on": "2099-01-01",
                            "lock_version": "0"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert re.search(r'id="error_1_id_unallocated_cases"[^>]*>\s*<strong>Ensure this value is greater than or '
                     r'equal to 0\.</strong>', html)
    assert re.search(r'id="error_1_id_completed_on"[^>]*>\s*<strong>The date of completion cannot be in the '
                     r'future\.</strong>', html)
    early = client.post(url, {"action": "submit"})
    assert early.status_code == 400
    assert "Enter the number of unallocated cases before submitting." in text_of(early.content.decode())

    ok = client.post(url, {"action": "complete", "unallocated_cases": "4", "completed_on": "2025-03-20",
                           "lock_version": "0", "suggestions": "", "manager_comment": ""})
    assert ok.status_code == 302
    assert client.post(url, {"action": "submit"}).status_code == 302
    refused = client.post(url, {"action": "approve"})
    assert refused.status_code == 403
    assert NOT_SM in text_of(refused.content.decode())
    assert QuarterlyReturn.objects.get(team=team).state == "submitted"

    client.force_login(people["sm"])
    page = text_of(client.get(url).content.decode())
    assert "With the service manager." in page and "Approve and send" in page
    history = text_of(client.get(url).content.decode())
    assert "completed the team fields" in history and "submitted it to the service manager" in history
    no_reason = client.post(url, {"action": "send_back", "reason": ""})
    assert no_reason.status_code == 400
    assert re.search(r'id="error_1_id_reason"[^>]*>\s*<strong>This field is required\.</strong>',
                     no_reason.content.decode())


NOT_SM = "Only the team's service manager or head of service can check, return or approve its return."


def test_administrator_manages_distribution_lists(client, people):
    url = reverse("reports:list-index")
    client.force_login(people["hos"])
    assert client.get(url).status_code == 404
    client.force_login(people["admin"])
    bad = client.post(url, {"kind": "authority_pack", "name": "SMT", "addresses": "dcs@example.org\nnot-an-address"})
    assert bad.status_code == 400
    assert re.search(r'id="error_1_id_addresses"[^>]*>\s*<strong>“not-an-address” is not an email address\.',
                     bad.content.decode())
    ok = client.post(url, {"kind": "authority_pack", "name": "SMT, DCS and PSW",
                           "addresses": "DCS@example.org, psw@example.org\nsmt@example.org"})
    assert ok.status_code == 302
    saved = DistributionList.objects.get()
    assert (saved.kind, saved.service_area, saved.addresses) == (
        "authority_pack", None, ["dcs@example.org", "psw@example.org", "smt@example.org"])
    duplicate = client.post(url, {"kind": "authority_pack", "name": "Again", "addresses": "a@example.org"})
    assert duplicate.status_code == 400
    assert "There is already a list for this report and service area; edit that one." in text_of(
        duplicate.content.decode())
    assert DistributionList.objects.count() == 1


def test_due_date_label_on_a_bank_holiday_quarter(client, people):
    client.force_login(people["tm"])
    page = text_of(client.get(reverse("reports:return-detail", args=[people["team"].pk, "2025-Q4"])).content.decode())
    assert "To be approved by Wednesday 24 December 2025." in page  # 28 Dec 2025 is a Sunday; 25, 26 holidays


def test_run_page_lists_its_emails_with_late_marked(client, people):
    from reporting.models import ReportDelivery

    run = _stored_run(kind=ReportKind.QUARTERLY_RETURN, period_key="2025-Q1", team=people["team"])
    sent = timezone.make_aware(timezone.datetime(2025, 4, 2, 9, 30))
    ReportDelivery.objects.create(run=run, recipients=["smt@example.org", "dcs@example.org"], late=True,
                                  subject="Late: Quarterly team return: Duty and Assessment 1, January to March 2025",
                                  sent_at=sent)
    client.force_login(people["smt"])
    html = client.get(reverse("reports:run-detail", args=[run.pk])).content.decode()
    section = text_of(html[html.index('data-testid="deliveries"'):])
    assert section.startswith('data-testid="deliveries"> Sent Subject To 2 Apr 2025 09:30 Late: Quarterly team '
                              "return: Duty and Assessment 1, January to March 2025 Late smt@example.org, "
                              "dcs@example.org")


def test_committee_report_waits_for_its_month_end_and_issues_only_with_its_narrative(client, people):
    """REPORTS.md (c): complete months only (refused before the quarter's last month-end snapshot), and issued
    (emailed) only once the narrative is written; the narrative page is for heads of service and administrators."""
    from reporting.models import CommitteeNarrative
    from reporting.report_deliveries import DRAFT_NOT_SENT, report_run_email
    from supervision.models import AuditEvent
    from tests.factories import WorkerFactory
    from workload.models import CaseloadSnapshot

    narrative_url = reverse("reports:committee-narrative", args=["2025-Q1"])
    fields = {"background": "Caseloads rose.", "main_issues": "Two teams over target.", "future_plans": "Recruit."}
    for name in ("tm", "worker", "smt"):
        client.force_login(people[name])
        assert (client.get(narrative_url).status_code, client.post(narrative_url, fields).status_code) == (404, 404)
    assert not CommitteeNarrative.objects.exists()

    client.force_login(people["hos"])
    assert "Committee report narrative, " in text_of(client.get(reverse("reports:run-list")).content.decode())
    generate = reverse("reports:run-generate")
    early = client.post(generate, {"kind": "committee", "period": "2025-Q1"})
    assert early.status_code == 400
    assert re.search(r'id="error_1_id_period"[^>]*>\s*<strong>The committee report for January to March 2025 '
                     r'\(2025-Q1\) uses complete months only: it can be built once the month-end snapshot of March '
                     r'2025 exists\.', early.content.decode())
    worker = WorkerFactory(team=people["team"])
    CaseloadSnapshot.objects.create(worker=worker, team=people["team"], taken_on="2025-03-31", kind="month_end",
                                    wte=worker.wte, allocated_children=12)
    draft_issue = client.post(generate, {"kind": "committee", "period": "2025-Q1", "issue": "on"})
    assert draft_issue.status_code == 400
    assert re.search(r'id="error_1_id_issue"[^>]*>\s*<strong>The committee report for January to March 2025 can only '
                     r'be issued once its narrative', draft_issue.content.decode())
    assert not ReportRun.objects.exists()
    wrong_kind = client.post(generate, {"kind": "smt_weekly", "period": "2025-W05", "issue": "on"})
    assert wrong_kind.status_code == 400 and "Only the committee report is issued from here" in wrong_kind.content.decode()

    draft = client.post(generate, {"kind": "committee", "period": "2025-Q1"})  # a draft is built, not emailed
    run = ReportRun.objects.get(kind="committee")
    assert draft.status_code == 302 and run.status == "queued"
    ReportRun.objects.filter(pk=run.pk).update(sha256="2" * 64)
    assert report_run_email(run_id=run.pk) == 0  # a draft is never issued as final
    assert ReportRun.objects.get(pk=run.pk).error == DRAFT_NOT_SENT

    blank = client.post(narrative_url, {"background": "", "main_issues": "x" * 8001, "future_plans": "Recruit."})
    assert blank.status_code == 400
    html = blank.content.decode()
    assert re.search(r'id="error_1_id_background"[^>]*>\s*<strong>Write the background: the report cannot be issued without it\.', html)
    assert re.search(r'id="error_1_id_main_issues"[^>]*>\s*<strong>Ensure this value has at most 8000 characters',
                     html)
    assert client.post(narrative_url, fields).status_code == 302
    narrative = CommitteeNarrative.objects.get()
    assert (narrative.quarter, narrative.author, narrative.background) == ("2025-Q1", people["hos"], "Caseloads rose.")
    client.force_login(people["admin"])
    assert client.post(narrative_url, {**fields, "future_plans": "Recruit two."}).status_code == 302
    events = AuditEvent.objects.filter(target_type="reporting.committeenarrative", target_id=narrative.pk)
    assert [(e.actor, e.data["sections"]) for e in events.order_by("at", "pk")] == [
        (people["hos"], ["background", "main_issues", "future_plans"]), (people["admin"], ["future_plans"])]
    page = text_of(client.get(narrative_url).content.decode())
    assert "wrote background, main issues, future plans" in page and "changed future plans" in page
    issued = client.post(generate, {"kind": "committee", "period": "2025-Q1", "issue": "on"})
    assert issued.status_code == 302  # with its narrative, the committee report may be issued
