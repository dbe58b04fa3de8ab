"""Escalation pages: scoping (a guessed id is a 404), people's actions audited as events, bad input as a
400 with the message beside the field and in the error summary, plain English."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.escalation_services import (
    COMMENT_REQUIRED,
    END_REQUIRED,
    REVIEW_AFTER_TARGET,
    UNTIL_REQUIRED,
)
from reporting.escalations import escalations_evaluate
from reporting.models import Escalation, EscalationKind, EscalationState
from tests.conftest import user_with_role
from tests.factories import CaseloadSnapshotFactory, ServiceAreaFactory, TeamFactory, WorkerFactory
from tests.factories_supervision import head_of_service, team_manager
from tests.integration.test_plain_english import RULE_ID, VisibleText
from workload.models import SnapshotKind
from workload.roles import Role

pytestmark = pytest.mark.django_db

FRIDAYS = [date(2024, 11, 1) + timedelta(weeks=n) for n in range(12)]  # 1 Nov 2024 .. 17 Jan 2025


@pytest.fixture
def two_services():
    """Two service areas, each with a team whose worker has been over 22 since 1 Nov 2024: an agreement
    request (due 8 Nov, long overdue) and, from Fri 3 Jan 2025, sustained exceedance."""
    teams = {}
    for name in ("North", "South"):
        area = ServiceAreaFactory(name=f"{name} services")
        team = TeamFactory(name=f"{name} team", code=name[:2].upper(), service_area=area)
        hos = head_of_service(area, first_name="Head", last_name=name)
        tm = team_manager(team, first_name="Manager", last_name=name)
        worker = WorkerFactory(team=team, first_name="Worker", surname=name, wte=Decimal("1.00"))
        for day in FRIDAYS:
            CaseloadSnapshotFactory(worker=worker, team=team, taken_on=day, kind=SnapshotKind.WEEKLY,
                                    allocated_children=25)
        teams[name] = {"team": team, "hos": hos, "tm": tm, "worker": worker}
    escalations_evaluate(on=FRIDAYS[-1])
    for value in teams.values():
        value["request"] = Escalation.objects.get(kind=EscalationKind.HOS_AGREEMENT, team=value["team"])
        value["sustained"] = Escalation.objects.get(kind=EscalationKind.SUSTAINED, team=value["team"])
    return teams


def beside(field_id: str, message: str) -> str:
    """The message as crispy-forms puts it right under the field (aria-describedby points at it)."""
    return f'<div id="{field_id}_error" class="invalid-feedback"> <span id="error_1_{field_id}"><strong>{message}</strong>'


def visible(response) -> str:
    parser = VisibleText()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def test_list_and_detail_are_scoped_and_a_guessed_id_is_404(client, two_services):
    north, south = two_services["North"], two_services["South"]
    list_url = reverse("reporting:escalation-list")

    client.force_login(north["hos"])
    assert client.get(reverse("reporting:escalation-detail", args=[north["request"].pk])).status_code == 200
    assert client.get(reverse("reporting:escalation-detail", args=[south["request"].pk])).status_code == 404
    rows = client.get(list_url).context["table"].data
    assert sorted(e.pk for e in rows) == sorted([north["request"].pk, north["sustained"].pk])

    client.force_login(north["tm"])
    assert sorted(e.pk for e in client.get(list_url).context["table"].data) == \
        sorted([north["request"].pk, north["sustained"].pk])
    assert client.get(reverse("reporting:escalation-detail", args=[south["sustained"].pk])).status_code == 404

    client.force_login(user_with_role(Role.SMT))
    assert len(client.get(list_url).context["table"].data) == 4

    client.force_login(user_with_role(Role.SOCIAL_WORKER))
    assert client.get(list_url).status_code == 403


def test_overdue_come_first_and_the_page_speaks_plain_english(client, two_services):
    north = two_services["North"]
    client.force_login(north["hos"])
    response = client.get(reverse("reporting:escalation-list"))
    # the request was due 8 Nov 2024 (overdue); the sustained one is due 17 Jan 2025 (also past by now)
    assert [e.pk for e in response.context["table"].data] == [north["request"].pk, north["sustained"].pk]
    text = visible(response)
    assert "Over the head of service agreement threshold" in text
    assert "Over the maximum for longer than the escalation period" in text
    detail = visible(client.get(reverse("reporting:escalation-detail", args=[north["sustained"].pk])))
    assert "Since Friday 1 November 2024" in detail
    assert "Raised Friday 3 January 2025" in detail
    for page in (text, detail):
        assert not RULE_ID.search(page)
        assert "hos_agreement" not in page and "sustained" not in page


def test_head_of_service_agrees_with_an_end_date_and_it_is_audited(client, two_services):
    north = two_services["North"]
    client.force_login(north["hos"])
    until = timezone.localdate() + timedelta(days=60)
    response = client.post(reverse("reporting:escalation-decide", args=[north["request"].pk]), {
        "decision-decision": "agree", "decision-until": until.isoformat(), "decision-comment": "Agreed for now.",
    })
    assert response.status_code == 302
    request = Escalation.objects.get(pk=north["request"].pk)
    assert (request.state, request.agreed_on, request.agreed_until) == (
        EscalationState.AGREED, timezone.localdate(), until)
    event = request.events.get(action="agreed")
    assert (event.actor, event.text, event.data) == (
        north["hos"], "Agreed for now.", {"on": timezone.localdate().isoformat(), "until": until.isoformat()})


def test_bad_decision_is_400_with_the_message_beside_the_field(client, two_services):
    north = two_services["North"]
    client.force_login(north["hos"])
    response = client.post(reverse("reporting:escalation-decide", args=[north["request"].pk]), {
        "decision-decision": "agree", "decision-until": "", "decision-comment": "",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert beside("id_decision-until", UNTIL_REQUIRED) in html
    assert beside("id_decision-comment", COMMENT_REQUIRED) in html
    assert f'<li><a href="#id_decision-until">{UNTIL_REQUIRED}</a></li>' in html  # the error summary
    assert Escalation.objects.get(pk=north["request"].pk).state == EscalationState.OPEN
    assert not Escalation.objects.get(pk=north["request"].pk).events.filter(action="agreed").exists()
    garbage = client.post(reverse("reporting:escalation-decide", args=[north["request"].pk]), {
        "decision-decision": "maybe", "decision-until": "31/02/2025", "decision-comment": "x",
    })
    assert garbage.status_code == 400
    assert beside("id_decision-until", "Enter a real date, for example 28/11/2026.") in garbage.content.decode()
    assert "Select a valid choice. maybe is not one of the available choices." in garbage.content.decode()


def test_only_the_head_of_service_decides(client, two_services):
    north = two_services["North"]
    client.force_login(north["tm"])
    data = {"decision-decision": "refuse", "decision-comment": "No."}
    assert client.post(reverse("reporting:escalation-decide", args=[north["request"].pk]), data).status_code == 403
    client.force_login(two_services["South"]["hos"])
    assert client.post(reverse("reporting:escalation-decide", args=[north["request"].pk]), data).status_code == 404
    client.force_login(north["hos"])
    assert client.post(reverse("reporting:escalation-decide", args=[north["request"].pk]), data).status_code == 302
    assert Escalation.objects.get(pk=north["request"].pk).state == EscalationState.REFUSED


def test_team_manager_records_an_action_plan_and_bad_dates_are_400(client, two_services):
    north = two_services["North"]
    client.force_login(north["tm"])
    url = reverse("reporting:escalation-action-plan", args=[north["sustained"].pk])
    today = timezone.localdate()
    bad = client.post(url, {"plan-actions": "Move two cases.", "plan-owner_name": "Manager North",
                            "plan-target_on": (today + timedelta(days=10)).isoformat(),
                            "plan-review_on": (today + timedelta(days=20)).isoformat()})
    assert bad.status_code == 400
    assert beside("id_plan-review_on", REVIEW_AFTER_TARGET) in bad.content.decode()
    good = client.post(url, {"plan-actions": "Move two cases.", "plan-owner_name": "Manager North",
                             "plan-target_on": (today + timedelta(days=20)).isoformat(),
                             "plan-review_on": (today + timedelta(days=10)).isoformat()})
    assert good.status_code == 302
    sustained = Escalation.objects.get(pk=north["sustained"].pk)
    assert (sustained.state, sustained.review_on) == (EscalationState.ACTION_RECORDED, today + timedelta(days=10))
    assert sustained.action_plan.startswith("Move two cases.\n\nOwner: Manager North\nTarget date to be back under: ")
    assert list(sustained.events.values_list("action", "actor")) == [
        ("opened", None), ("action_plan", north["tm"].pk)]


def test_team_manager_answers_whether_the_work_is_ongoing(client, two_services):
    north = two_services["North"]
    client.force_login(north["tm"])
    url = reverse("reporting:escalation-ongoing", args=[north["sustained"].pk])
    missing = client.post(url, {"ongoing-ongoing": "no"})
    assert missing.status_code == 400
    assert beside("id_ongoing-expected_end", END_REQUIRED) in missing.content.decode()
    end = timezone.localdate() + timedelta(days=30)
    assert client.post(url, {"ongoing-ongoing": "no", "ongoing-expected_end": end.isoformat()}).status_code == 302
    sustained = Escalation.objects.get(pk=north["sustained"].pk)
    assert sustained.due_on == end  # the head of service acts then, if the caseload is still over
    assert sustained.events.get(action="ongoing_answer").data == {"ongoing": False, "expected_end": end.isoformat()}
    # an agreement request asks no such question: the form is absent and a post is refused with 409
    other = client.post(reverse("reporting:escalation-ongoing", args=[north["request"].pk]), {"ongoing-ongoing": "yes"})
    assert other.status_code == 409


def test_list_filter_rejects_a_bad_value_beside_the_field(client, two_services):
    client.force_login(two_services["North"]["hos"])
    response = client.get(reverse("reporting:escalation-list"), {"kind": "R04", "show": "open"})
    assert response.status_code == 400
    assert "Select a valid choice. R04 is not one of the available choices." in response.content.decode()
    narrowed = client.get(reverse("reporting:escalation-list"), {"kind": EscalationKind.SUSTAINED, "show": "open"})
    assert [e.pk for e in narrowed.context["table"].data] == [two_services["North"]["sustained"].pk]


def test_odd_paging_and_sorting_fall_back_instead_of_failing(client, two_services):
    client.force_login(two_services["North"]["hos"])
    response = client.get(reverse("reporting:escalation-list"), {"page": "abc", "sort": "nope"})
    assert response.status_code == 200
    assert len(response.context["table"].page.object_list) == 2
