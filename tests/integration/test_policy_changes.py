"""Changing a team's caseload policy or scheme (POLICIES R26): an administrator proposes from a later month, the
head of service of the team's service area approves or refuses before it begins; never retroactive; audited."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import ServiceAreaFactory, TeamFactory
from tests.factories_supervision import head_of_service, team_manager, user_in
from workload.models import CaseloadPreset, PolicyChange, SchemeVersion, TeamPolicy
from workload.policy_services import (
    ALREADY_PENDING,
    EXPIRED,
    NO_DIFFERENCE,
    NOT_FUTURE,
    REFUSAL_NEEDS_COMMENT,
    SELF_APPROVAL,
    policy_change_approve,
    policy_change_propose,
    policy_change_refuse,
)
from workload.roles import Role
from workload.selectors import team_policy_on, team_scheme_on

pytestmark = pytest.mark.django_db
PROPOSED_ON = date(2025, 7, 10)
SEPTEMBER = date(2025, 9, 1)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@pytest.fixture
def people(db):
    area = ServiceAreaFactory(name="Children in Need")
    team = TeamFactory(name="Duty North", service_area=area)  # BARNET_2019 Duty and Assessment from Jan 2024
    admin = user_in(Role.ADMINISTRATOR, first_name="Ada", last_name="Admin")
    hos = head_of_service(area, first_name="Hana", last_name="Head")
    return team, admin, hos


def propose_policy(team, admin, *, today=PROPOSED_ON, effective_from=SEPTEMBER, team_type="intervention_and_planning",
                   overrides=None):
    return policy_change_propose(team=team, proposed_by=admin, today=today, effective_from=effective_from,
                                 reason="The team now holds planning work.",
                                 preset=CaseloadPreset.objects.get(code="BARNET_2019"), preset_team_type=team_type,
                                 overrides=overrides or {})


def test_approval_writes_the_policy_from_its_month_and_a_past_month_keeps_the_old_one(people):
    team, admin, hos = people
    change = propose_policy(team, admin, overrides={"asye_limit_cases": 12, "reporting_thresholds": [25, 22]})
    assert list(TeamPolicy.objects.filter(team=team).values_list("valid_from", flat=True)) == [date(2024, 1, 1)]

    policy_change_approve(change=change, approved_by=hos, today=date(2025, 7, 20), comment="Agreed at SMT.")

    rows = list(TeamPolicy.objects.filter(team=team).order_by("valid_from")
                .values_list("valid_from", "preset__code", "team_type", "overrides"))
    assert rows == [
        (date(2024, 1, 1), "BARNET_2019", "duty_and_assessment", {}),
        (SEPTEMBER, "BARNET_2019", "intervention_and_planning", {"asye_limit_cases": 12, "reporting_thresholds": [22, 25]}),
    ]
    # August's figures still use the policy in force in August; September's the approved one
    august, september = team_policy_on(team=team, month=date(2025, 8, 1)), team_policy_on(team=team, month=SEPTEMBER)
    assert (august.team_type, august.settings()["target_high"], august.settings()["reporting_thresholds"]) == (
        "duty_and_assessment", 16, [22])
    assert (september.team_type, september.settings()["target_high"], september.settings()["reporting_thresholds"],
            september.settings()["asye_limit_cases"]) == ("intervention_and_planning", 15, [22, 25], 12)
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_comment, change.before) == (
        "approved", hos, "Agreed at SMT.",
        {"preset": "BARNET_2019", "team_type": "duty_and_assessment", "overrides": {}})
    assert (change.proposed_by, change.decided_at is not None) == (admin, True)


def test_approving_a_scheme_change_writes_the_team_scheme_from_its_month(people):
    team, admin, hos = people
    change = policy_change_propose(team=team, proposed_by=admin, today=PROPOSED_ON, effective_from=SEPTEMBER,
                                   reason="Moving to counts.", scheme_version=SchemeVersion.objects.get(
                                       slug="caseload-count-v1"), scheme_team_type=next(iter(
                                           SchemeVersion.objects.get(slug="caseload-count-v1").tables().team_types)))

    policy_change_approve(change=change, approved_by=hos, today=date(2025, 8, 31))

    assert team_scheme_on(team=team, month=date(2025, 8, 1)).scheme_version.slug == "nottinghamshire-wlm-2016"
    assert team_scheme_on(team=team, month=SEPTEMBER).scheme_version.slug == "caseload-count-v1"
    change.refresh_from_db()
    assert change.before == {"scheme_version": "nottinghamshire-wlm-2016", "team_type": "assessment"}


def test_refusal_needs_a_comment_and_leaves_the_policy_alone(people):
    team, admin, hos = people
    change = propose_policy(team, admin)

    with pytest.raises(ValidationError) as error:
        policy_change_refuse(change=change, refused_by=hos, today=date(2025, 7, 20), comment="  ")
    assert error.value.message_dict == {"comment": [REFUSAL_NEEDS_COMMENT]}
    policy_change_refuse(change=change, refused_by=hos, today=date(2025, 7, 20), comment="Not until the review.")

    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_comment) == ("refused", hos, "Not until the review.")
    assert TeamPolicy.objects.filter(team=team).count() == 1
    with pytest.raises(ValidationError, match="already been refused"):
        policy_change_approve(change=change, approved_by=hos, today=date(2025, 7, 21))


def test_a_change_not_approved_before_its_month_has_expired(people):
    team, admin, hos = people
    change = propose_policy(team, admin)

    with pytest.raises(ValidationError) as error:
        policy_change_approve(change=change, approved_by=hos, today=SEPTEMBER)

    assert error.value.messages == [EXPIRED.format(month="September 2025")]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.is_expired(SEPTEMBER), change.is_expired(date(2025, 8, 31))) == (
        "pending", None, True, False)
    assert list(PolicyChange.objects.expired_on(SEPTEMBER)) == [change]
    assert TeamPolicy.objects.filter(team=team).count() == 1


def test_the_proposer_cannot_approve_their_own_change(people):
    team, admin, hos = people
    both = head_of_service(team.service_area, first_name="Bo", last_name="Both")  # now the area's head of service
    both.groups.add(*admin.groups.all())  # and an administrator
    change = propose_policy(team, both)

    with pytest.raises(ValidationError) as error:
        policy_change_approve(change=change, approved_by=both, today=date(2025, 7, 20))

    assert error.value.messages == [SELF_APPROVAL]
    assert PolicyChange.objects.get(pk=change.pk).status == "pending"


def test_a_proposal_must_start_after_the_current_month_and_differ_from_what_applies(people):
    team, admin, hos = people
    for month in (date(2025, 7, 1), date(2025, 6, 1)):  # the current month, a past month
        with pytest.raises(ValidationError) as error:
            propose_policy(team, admin, effective_from=month)
        assert error.value.message_dict == {"effective_from": [NOT_FUTURE]}
    with pytest.raises(ValidationError) as error:
        propose_policy(team, admin, team_type="duty_and_assessment")
    assert error.value.messages == [NO_DIFFERENCE.format(month="September 2025")]
    propose_policy(team, admin)
    with pytest.raises(ValidationError) as error:
        propose_policy(team, admin, team_type="children_in_care")
    assert error.value.message_dict == {"effective_from": [ALREADY_PENDING.format(month="September 2025")]}
    assert PolicyChange.objects.count() == 1


def test_figures_are_checked_against_each_other_and_their_ranges(people):
    team, admin, hos = people
    with pytest.raises(ValidationError) as error:
        propose_policy(team, admin, overrides={"target_high": 23})  # Barnet's maximum is 22
    assert error.value.message_dict == {"target_high": ["The target (23) cannot be above the individual maximum (22)."]}
    with pytest.raises(ValidationError) as error:
        propose_policy(team, admin, overrides={"escalation_months": 13, "reporting_thresholds": [0, 25]})
    assert error.value.message_dict == {"escalation_months": ["Enter a number from 1 to 12."],
                                        "reporting_thresholds": ["Enter numbers from 1 to 100."]}
    assert PolicyChange.objects.count() == 0


# ------------------------------------------------------------------------------------------------ pages
def test_another_services_head_gets_404_and_the_teams_own_head_decides(client, people):
    team, admin, hos = people
    other = head_of_service(ServiceAreaFactory(name="Looked After"), first_name="Oli", last_name="Other")
    today = timezone.localdate()
    change = propose_policy(team, admin, today=today, effective_from=next_month(today))
    detail = reverse("workload:policy-change-detail", args=[change.pk])
    decide = reverse("workload:policy-change-decide", args=[change.pk])

    client.force_login(other)
    assert client.get(detail).status_code == 404
    assert client.post(decide, {"decision": "approve"}).status_code == 404
    assert client.get(reverse("workload:team-policy", args=[team.pk])).status_code == 404
    assert PolicyChange.objects.get(pk=change.pk).status == "pending"

    client.force_login(hos)
    response = client.post(decide, {"decision": "approve", "comment": "Fine."})
    assert response.status_code == 302
    assert PolicyChange.objects.get(pk=change.pk).status == "approved"
    assert team_policy_on(team=team, month=next_month(today)).team_type == "intervention_and_planning"


def test_a_team_manager_or_smt_sees_the_change_but_cannot_decide_or_propose(client, people):
    team, admin, hos = people
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    today = timezone.localdate()
    change = propose_policy(team, admin, today=today, effective_from=next_month(today))
    client.force_login(manager)

    page = client.get(reverse("workload:policy-change-detail", args=[change.pk])).content.decode()
    assert 'data-testid="decision-form"' not in page
    assert client.post(reverse("workload:policy-change-decide", args=[change.pk]),
                       {"decision": "approve"}).status_code == 404
    assert client.post(reverse("workload:policy-change-propose", args=[team.pk]), {}).status_code == 403
    smt = user_in(Role.SMT)  # sees every team, changes nothing
    client.force_login(smt)
    assert client.get(reverse("workload:team-policy", args=[team.pk])).status_code == 200
    assert client.get(reverse("workload:scheme-change-propose", args=[team.pk])).status_code == 403
    assert client.post(reverse("workload:policy-change-decide", args=[change.pk]),
                       {"decision": "approve"}).status_code == 404
    assert PolicyChange.objects.get().status == "pending"


def test_a_retroactive_month_is_refused_beside_the_field_and_nothing_is_saved(client, people):
    team, admin, hos = people
    client.force_login(admin)
    this_month = timezone.localdate().replace(day=1)

    response = client.post(reverse("workload:policy-change-propose", args=[team.pk]), {
        "preset_team_type": "BARNET_2019/intervention_and_planning", "effective_from": f"{this_month:%Y-%m}",
        "reason": "Planning work."})

    assert response.status_code == 400
    html = response.content.decode()
    field_error = html.split('id="error_1_id_effective_from"')[1].split("</span>")[0]
    assert NOT_FUTURE in unescape(field_error)
    assert PolicyChange.objects.count() == 0


def test_bad_figures_are_refused_beside_their_fields(client, people):
    team, admin, hos = people
    client.force_login(admin)

    response = client.post(reverse("workload:policy-change-propose", args=[team.pk]), {
        "preset_team_type": "BARNET_2019/intervention_and_planning", "effective_from": "2099-01",
        "reason": "Planning work.", "asye_limit_cases": "500", "reporting_thresholds": "22, lots", "max": "x"})

    assert response.status_code == 400
    html = unescape(response.content.decode())
    errors = {name: html.split(f'id="error_1_id_{name}"')[1].split("</span>")[0]
              for name in ("asye_limit_cases", "reporting_thresholds", "max")}
    assert "Enter a whole number from 1 to 100." in errors["asye_limit_cases"]
    assert "Enter whole numbers from 1 to 100, separated by commas, e.g. 22, 25." in errors["reporting_thresholds"]
    assert "Enter a whole number from 1 to 100." in errors["max"]
    assert PolicyChange.objects.count() == 0


def test_proposing_through_the_page_then_the_history_shows_who_approved(client, people):
    team, admin, hos = people
    today = timezone.localdate()
    month = next_month(today)
    client.force_login(admin)
    response = client.post(reverse("workload:policy-change-propose", args=[team.pk]), {
        "preset_team_type": "BARNET_2019/intervention_and_planning", "effective_from": f"{month:%Y-%m}",
        "reason": "Planning work.", "asye_limit_cases": "12", "reporting_thresholds": "25, 22"})
    change = PolicyChange.objects.get()
    assert response.status_code == 302 and response.url == reverse("workload:policy-change-detail", args=[change.pk])
    assert (change.preset_team_type, change.overrides) == (
        "intervention_and_planning", {"asye_limit_cases": 12, "reporting_thresholds": [22, 25]})

    client.force_login(hos)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="waiting-policy-changes">1<' in home
    waiting = text_of(client.get(reverse("workload:policy-change-waiting")).content.decode())
    assert (f"Duty North {month:%B %Y} Caseload policy Barnet caseload policy (2019), Intervention and Planning; for "
            "this team: ASYE caseload limit 12 cases, Reporting thresholds (workers with more than N cases) 22 and 25 "
            "cases Ada Admin") in waiting
    client.post(reverse("workload:policy-change-decide", args=[change.pk]), {"decision": "approve", "comment": "Yes."})

    page = client.get(reverse("workload:team-policy", args=[team.pk])).content.decode()
    history = text_of(page.split('data-testid="policy-history"')[1].split("</table>")[0])
    assert (f"{month:%B %Y} Caseload policy Barnet caseload policy (2019), Intervention and Planning; for this team: "
            f"ASYE caseload limit 12 cases, Reporting thresholds (workers with more than N cases) 22 and 25 cases "
            f"Hana Head, {today.day} {today:%b %Y} Planning work.") in history
    assert ("January 2024 in force Caseload policy Barnet caseload policy (2019), Duty and Assessment "
            "Set up before approvals were recorded") in history
    assert "intervention_and_planning" not in page and "BARNET_2019" not in text_of(page)
    detail = text_of(client.get(reverse("workload:policy-change-detail", args=[change.pk])).content.decode())
    assert ("Replaced Barnet caseload policy (2019), Duty and Assessment Asks for Barnet caseload policy (2019), "
            "Intervention and Planning; for this team: ASYE caseload limit 12 cases, Reporting thresholds (workers "
            "with more than N cases) 22 and 25 cases Reason Planning work. Proposed by Ada Admin") in detail
    assert f"Approved by Hana Head, {today.day} {today:%b %Y}" in detail and "Comment Yes." in detail
    assert 'data-testid="waiting-policy-changes"' not in client.get(reverse("home")).content.decode()


def test_an_expired_change_shows_as_expired_and_cannot_be_approved(client, people):
    team, admin, hos = people
    change = propose_policy(team, admin)  # September 2025: long past on the real clock
    client.force_login(hos)

    page = text_of(client.get(reverse("workload:policy-change-detail", args=[change.pk])).content.decode())
    assert "Expired It was not approved before September 2025 began, so it can no longer be approved." in page
    response = client.post(reverse("workload:policy-change-decide", args=[change.pk]), {"decision": "approve"})

    assert response.status_code == 400
    assert EXPIRED.format(month="September 2025") in unescape(response.content.decode())
    assert PolicyChange.objects.get().status == "pending"
    assert 'data-testid="nothing-waiting"' in client.get(reverse("workload:policy-change-waiting")).content.decode()


def test_the_policy_page_is_a_fixed_number_of_queries_whatever_the_history(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team, admin, hos = people
    client.force_login(hos)
    url = reverse("workload:team-policy", args=[team.pk])
    client.get(url)  # the session and the scheme tables are warm for both counts

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n, team_type in enumerate(("intervention_and_planning", "children_in_care", "leaving_care")):
        month = date(2025, 9 + n, 1)
        change = propose_policy(team, admin, effective_from=month, team_type=team_type)
        policy_change_approve(change=change, approved_by=hos, today=date(2025, 7, 20))
    propose_policy(team, admin, effective_from=date(2025, 12, 1))  # one pending too
    # savepoint; session, user, groups; the team; presets and scheme versions (labels); the team's changes; the
    # approved changes, policies and schemes (history); whether the user approves; the navigation's worker record
    # and waiting counts; savepoint; session save (savepoint, update, release)
    assert (few, queries()) == (18, 18)


def test_proposing_a_scheme_change_through_the_page(client, people):
    team, admin, hos = people
    client.force_login(admin)
    url = reverse("workload:scheme-change-propose", args=[team.pk])
    version = SchemeVersion.objects.get(slug="caseload-count-v1")
    code, label = next(iter(version.tables().team_types.items()))

    page = text_of(client.get(url).content.decode())
    assert "as things stand: Nottinghamshire" in page and ", team type " in page
    response = client.post(url, {"scheme_team_type": f"caseload-count-v1/{code}", "effective_from": "2099-01",
                                 "reason": "Counting cases only."})

    change = PolicyChange.objects.get()
    assert response.status_code == 302
    assert (change.kind, change.scheme_version, change.scheme_team_type, change.effective_from, change.preset) == (
        "scheme", version, code, date(2099, 1, 1), None)
    detail = text_of(client.get(reverse("workload:policy-change-detail", args=[change.pk])).content.decode())
    assert f"Asks for {version.label}, team type {label}" in detail
