"""A return approved after its quarter's authority pack went is also sent to the pack's recipients, marked
"Late" (REPORTS.md (c) "Recipients"); one approved before the pack is not. Tasks run eagerly in-process here
(the real worker path is in test_report_delivery.py); mail goes to the locmem outbox."""
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from reporting.models import DistributionList, QuarterlyReturn, ReportDelivery, ReportKind, ReportRun
from reporting.periods import day_label
from reporting.report_services import (
    quarterly_return_approve,
    quarterly_return_comment,
    quarterly_return_complete,
    quarterly_return_submit,
)
from tests.factories_supervision import team_manager, user_in
from tests.plugins.infra import pdf_text
from tests.worked_example import build
from workload.roles import Role

pytestmark = pytest.mark.django_db
SUBJECT = "Quarterly team return: Duty and Assessment, January to March 2025"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Stored PDFs go to a directory of this test's own, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path


def _approve(example, django_capture_on_commit_callbacks) -> ReportRun:
    team = example.da1
    tm = team_manager(team, email="tara@example.org")
    sm = user_in(Role.HEAD_OF_SERVICE, email="sm@example.org")
    team.service_manager = sm
    team.save(update_fields=["service_manager"])
    qreturn = QuarterlyReturn.objects.create(team=team, quarter="2025-Q1")
    qreturn = quarterly_return_complete(qreturn=qreturn, user=tm, expected_lock_version=0, unallocated_cases=5,
                                        completed_on=date(2025, 3, 25))
    qreturn = quarterly_return_submit(qreturn=qreturn, user=tm)
    qreturn = quarterly_return_comment(qreturn=qreturn, user=sm, expected_lock_version=qreturn.lock_version,
                                       service_manager_comment="Checked.", suggestions="")
    with django_capture_on_commit_callbacks(execute=True):
        qreturn = quarterly_return_approve(qreturn=qreturn, user=sm)
    return qreturn.run


@pytest.fixture
def lists():
    DistributionList.objects.create(kind=ReportKind.QUARTERLY_RETURN, name="Workload mailbox",
                                    addresses=["workload@example.org"])
    DistributionList.objects.create(kind=ReportKind.AUTHORITY_PACK, name="SMT, DCS and PSW",
                                    addresses=["dcs@example.org", "smt@example.org"])


@pytest.mark.parametrize("pack_sent", [True, False])
def test_a_return_approved_after_its_pack_is_sent_to_the_packs_recipients_marked_late(
        pack_sent, lists, eager_celery, django_capture_on_commit_callbacks, mailoutbox):
    example = build()
    pack_emailed_at = timezone.now() - timedelta(days=1)
    if pack_sent:
        ReportRun.objects.create(kind=ReportKind.AUTHORITY_PACK, period_key="2025-Q1", status="done",
                                 sha256="1" * 64, emailed_at=pack_emailed_at)
    run = _approve(example, django_capture_on_commit_callbacks)

    expected = [(SUBJECT, ["workload@example.org"]), (SUBJECT, ["sm@example.org", "tara@example.org"])]
    if pack_sent:
        expected.append((f"Late: {SUBJECT}", ["dcs@example.org", "smt@example.org"]))
    assert [(m.subject, m.to) for m in mailoutbox] == expected
    assert [a[0] for a in mailoutbox[-1].attachments] == [
        "quarterly-return-2025-Q1-DA1.pdf", "quarterly-return-2025-Q1-DA1.csv"]
    assert list(ReportDelivery.objects.filter(run=run).order_by("pk").values_list("late", flat=True)) == (
        [False, False, True] if pack_sent else [False, False])
    if pack_sent:
        assert "approved after the quarter's authority pack was sent" in mailoutbox[-1].body
    # the PDF says so too, the same bytes to every recipient (REPORTS.md (c) "marked 'Late'")
    pdfs = {a[1] for m in mailoutbox for a in m.attachments if a[0].endswith(".pdf")}
    assert len(pdfs) == 1
    text = re.sub(r"\s+", " ", pdf_text(pdfs.pop()))
    late = "Late — approved after the authority pack of " + day_label(timezone.localdate(pack_emailed_at)) \
        if pack_sent else None
    assert (late in text) if pack_sent else ("Late —" not in text)
