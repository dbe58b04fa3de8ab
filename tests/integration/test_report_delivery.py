"""The reports' real delivery path: a Celery worker on Redis builds the PDF and an SMTP server receives it
(tests/plugins/infra.py). Approval dispatches exactly one return; a retried task sends nothing more; SMTP down
marks the run failed, retries, and sends once when it is back; the weekly report is built and emailed.
Runs under ./scripts/test.sh. Figures are the REPORTS worked example's (tests/worked_example.py)."""
import csv
import io
import re
import time
from datetime import date

import pytest
from django.apps import apps

from reporting import report_tasks as tasks
from reporting.models import DistributionList, QuarterlyReturn, ReportDelivery, ReportKind, ReportRun
from reporting.report_services import (
    quarterly_return_approve,
    quarterly_return_comment,
    quarterly_return_complete,
    quarterly_return_submit,
)
from tests.factories_supervision import head_of_service, team_manager, user_in
from tests.plugins.infra import free_port, pdf_text
from tests.worked_example import build
from workload.roles import Role

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Stored PDFs go to a directory of this test's own, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path


def _reference_data() -> None:
    """Scheme versions and presets come from a data migration; a transactional test before this one may have
    flushed them, so load them again (the loader is idempotent)."""
    from importlib import import_module

    import_module("workload.migrations.0002_reference_data").load(apps, None)


def _words(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", pdf_text(pdf))


def _wait(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"condition not met within {timeout}s")


def _approved_return(example) -> QuarterlyReturn:
    team = example.da1
    tm = team_manager(team, first_name="Tara", last_name="Lead", email="tara@example.org")
    sm = user_in(Role.HEAD_OF_SERVICE, first_name="Sam", last_name="Service", email="sm@example.org")
    team.service_manager = sm
    team.save(update_fields=["service_manager"])
    head_of_service(example.area, first_name="Hana", last_name="Head", email="hos@example.org")
    DistributionList.objects.create(kind=ReportKind.QUARTERLY_RETURN, name="Workload mailbox",
                                    addresses=["workload@example.org"])
    qreturn = QuarterlyReturn.objects.create(team=team, quarter="2025-Q1")
    qreturn = quarterly_return_complete(qreturn=qreturn, user=tm, expected_lock_version=qreturn.lock_version,
                                        unallocated_cases=5, completed_on=date(2025, 3, 25))
    qreturn = quarterly_return_submit(qreturn=qreturn, user=tm)
    qreturn = quarterly_return_comment(qreturn=qreturn, user=sm, expected_lock_version=qreturn.lock_version,
                                       service_manager_comment="Agency cover for the two vacancies agreed.",
                                       suggestions="")
    return quarterly_return_approve(qreturn=qreturn, user=sm)  # commits; on_commit queues the run on Redis


def test_approval_dispatches_exactly_one_return_and_a_retry_sends_nothing_more(celery_worker_live, smtp_sink):
    _reference_data()
    example = build()
    qreturn = _approved_return(example)

    mails = smtp_sink.wait_for(2, timeout=90)
    run = ReportRun.objects.get()
    _wait(lambda: ReportRun.objects.get(pk=run.pk).emailed_at is not None)
    run.refresh_from_db()
    assert (qreturn.run_id, run.status, run.progress, run.attempts, run.error) == (run.pk, "done", 100, 1, "")
    subject = "Quarterly team return: Duty and Assessment, January to March 2025"
    assert sorted((m.subject, tuple(m.envelope_to)) for m in mails) == [
        (subject, ("hos@example.org", "sm@example.org", "tara@example.org")),
        (subject, ("workload@example.org",)),
    ]
    attachments = {part.get_filename(): part.get_content() for part in mails[0].message.iter_attachments()}
    assert sorted(attachments) == ["quarterly-return-2025-Q1-DA1.csv", "quarterly-return-2025-Q1-DA1.pdf"]
    text = _words(attachments["quarterly-return-2025-Q1-DA1.pdf"])
    assert "Quarterly team return: Duty and Assessment" in text
    assert "Team totals: 6 workers 5.40 82" in text
    assert "Number of unallocated cases currently in this team 5" in text
    assert "Agency cover for the two vacancies agreed." in text
    assert "Not yet approved" not in text  # approved: no draft mark
    rows = list(csv.reader(io.StringIO(attachments["quarterly-return-2025-Q1-DA1.csv"])))
    # W6's row (the worked example's pro-formas record no family groups)
    assert (len(rows), rows[0][:2], rows[-2]) == (8, ["Date of score", "Workers initials"], [
        "", "WE", "SW", "1.00", "0", "", "121", "29", "0", "", "High", "Countersigned (earlier month: Jan-25)"])
    sha = run.sha256

    # the same task again, as a retry or a duplicate delivery would run it: nothing is built or sent
    tasks.report_run_generate.delay(run_id=run.pk, send=True)
    time.sleep(3)  # the worker is idle; it would have sent by now
    run.refresh_from_db()
    assert (len(smtp_sink.messages), ReportRun.objects.count(), ReportDelivery.objects.count()) == (2, 1, 2)
    assert (run.sha256, run.attempts) == (sha, 1)


def test_smtp_down_marks_the_run_failed_retries_and_sends_once_when_back(celery_worker_live, smtp_sink, settings):
    _reference_data()
    build()
    DistributionList.objects.create(kind=ReportKind.SMT_WEEKLY, name="SMT, DCS and PSW",
                                    addresses=["smt@example.org", "dcs@example.org"])
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused

    tasks.smt_weekly_dispatch.delay(day="2025-02-03")  # Monday: the week ending Fri 31 Jan 2025 (2025-W05)

    _wait(lambda: ReportRun.objects.filter(status="failed").exists())
    run = ReportRun.objects.get()
    assert (run.kind, run.period_key, run.emailed_at) == (ReportKind.SMT_WEEKLY, "2025-W05", None)
    assert re.fullmatch(r"The email could not be sent \(.*Connection refused\); it will be tried again\.", run.error)
    assert run.sha256 != ""  # built and stored before the email failed

    settings.EMAIL_PORT = smtp_sink.port  # SMTP is back; the retry (with backoff) sends
    [mail] = smtp_sink.wait_for(1, timeout=90)
    _wait(lambda: ReportRun.objects.get(pk=run.pk).emailed_at is not None)
    time.sleep(3)  # any further retry would have sent by now
    run.refresh_from_db()
    assert (len(smtp_sink.messages), run.status, run.error, run.attempts) == (1, "done", "", 1)
    assert (mail.subject, sorted(mail.envelope_to)) == (
        "Weekly SMT caseload report: week ending Fri 31 Jan 2025", ["dcs@example.org", "smt@example.org"])
    [(name, pdf)] = [(p.get_filename(), p.get_content()) for p in mail.message.iter_attachments()]
    text = _words(pdf)
    assert name == "smt-weekly-2025-W05.pdf"
    assert "Social work caseloads — week ending Fri 31 Jan 2025" in text
    assert "Average caseload (team average RAG) 16.4 Amber 15.6 18.7 ▼ -2.3" in text
    assert list(ReportDelivery.objects.values_list("recipients", flat=True)) == [
        ["dcs@example.org", "smt@example.org"]]
