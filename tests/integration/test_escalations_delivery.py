"""The real path, once: the daily tasks take the snapshot and open an escalation for a worker over the
maximum; the opening email goes through a Celery worker on Redis into the SMTP sink; the next snapshot under
the line closes it. Runs under ./scripts/test.sh (tests/plugins/infra.py)."""
import time
from datetime import date

import pytest
from django.urls import reverse

from reporting.models import Escalation, EscalationKind, EscalationState
from reporting.tasks import escalations_evaluate, snapshots_take_due
from tests.factories import TeamFactory, WorkerFactory
from tests.factories_supervision import allocate, head_of_service
from tests.integration.test_supervision_delivery import _reference_data
from workload.models import Allocation


def _wait_for_event(escalation: Escalation, action: str) -> None:
    deadline = time.monotonic() + 10
    while not escalation.events.filter(action=action).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_daily_task_opens_emails_and_closes_an_escalation(celery_worker_live, smtp_sink, settings):
    _reference_data()
    settings.CASEWEIGHT_SITE_URL = "https://caseweight.example.org"
    team = TeamFactory(name="Duty and Assessment 1", code="DA1")
    hos = head_of_service(team.service_area, first_name="Hana", last_name="Head", email="hana@example.org")
    worker = WorkerFactory(team=team, first_name="Sam", surname="Over")
    big = allocate(worker, children=20)
    allocate(worker, children=5)  # 25 > 22 (BARNET maximum and agreement threshold, full time)

    assert snapshots_take_due(day="2025-01-24") == "weekly"  # Friday: the week's last working day
    assert escalations_evaluate(day="2025-01-24") == {"opened": 1, "updated": 0, "closed": 0}

    escalation = Escalation.objects.get()
    assert (escalation.kind, escalation.worker, escalation.first_over_on, escalation.due_on, escalation.owner) == (
        EscalationKind.HOS_AGREEMENT, worker, date(2025, 1, 24), date(2025, 1, 31), hos)
    [mail] = smtp_sink.wait_for(1, timeout=20)
    assert (mail.subject, mail.to) == (
        "Caseload escalation for Sam Over (Duty and Assessment 1): over the head of service agreement threshold",
        ["hana@example.org"])
    assert f"https://caseweight.example.org{reverse('reporting:escalation-detail', args=[escalation.pk])}" in mail.body
    assert "Action is due by Friday 31 January 2025." in mail.body
    _wait_for_event(escalation, "emailed")
    assert escalation.events.get(action="emailed").data == {"to": ["hana@example.org"]}

    Allocation.objects.filter(case=big).update(end=date(2025, 1, 27))  # down to 5 children
    assert snapshots_take_due(day="2025-01-31") == "month_end"
    assert escalations_evaluate(day="2025-01-31") == {"opened": 0, "updated": 0, "closed": 1}
    escalation.refresh_from_db()
    assert (escalation.state, escalation.closed_on, escalation.closed_reason) == (
        EscalationState.CLOSED, date(2025, 1, 31), "Caseload back under the threshold")
    assert list(escalation.events.values_list("action", flat=True)) == ["opened", "emailed", "closed"]
    time.sleep(0.5)
    assert len(smtp_sink.messages) == 1  # closing sends nothing; the opening email went once
