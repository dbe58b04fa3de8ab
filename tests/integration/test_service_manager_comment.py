"""The service manager's overall comments: labelled as the authority calls it, stored with its author and time,
and shown at the top of the team month page, where a head of service looks first."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import TeamMonth
from supervision.team_services import team_month_update
from tests.factories import TeamFactory
from tests.factories_supervision import head_of_service, team_manager

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)
FIELDS = {"manager_comment": "", "suggestions": "", "unallocated_cases": None}  # the team manager's, left blank


@pytest.fixture
def setting(db):
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    head = head_of_service(team.service_area, first_name="Hana", last_name="Head")
    return team, manager, head


def test_the_comment_is_stored_with_its_author_and_time_and_cleared_with_it(setting):
    team, manager, head = setting
    before = timezone.now()
    saved = team_month_update(team=team, month=JULY, updated_by=head, expected_lock_version=0,
                              service_manager_comment="Agency cover agreed.", **FIELDS)
    assert (saved.service_manager_comment, saved.service_manager_comment_by) == ("Agency cover agreed.", head)
    assert before <= saved.service_manager_comment_at <= timezone.now()

    # the team manager's later save leaves the comment's author and time alone
    at = saved.service_manager_comment_at
    saved = team_month_update(team=team, month=JULY, updated_by=manager, expected_lock_version=1,
                              service_manager_comment="Agency cover agreed.", **{**FIELDS, "manager_comment": "Three."})
    assert (saved.service_manager_comment_by, saved.service_manager_comment_at) == (head, at)

    saved = team_month_update(team=team, month=JULY, updated_by=head, expected_lock_version=2,
                              service_manager_comment="  ", **{**FIELDS, "manager_comment": "Three."})
    assert (saved.service_manager_comment, saved.service_manager_comment_by, saved.service_manager_comment_at) == (
        "", None, None)


def test_team_month_shows_the_comment_first_with_its_author_and_time(client, setting):
    team, manager, head = setting
    client.force_login(head)
    url = reverse("supervision:team-month", args=[team.pk, 2025, 7])
    form = client.get(url).content.decode()
    assert ('No comment yet for July 2025.' in form and 'href="#id_service_manager_comment"' in form)
    assert "Service manager&#x27;s overall comments" in form.split('id="team-month-form"')[1]
    assert "To include information about measures put in place to support staff with high workloads." in form
    assert "CSM" not in form

    response = client.post(reverse("supervision:team-month-update", args=[team.pk, 2025, 7]),
                           {"lock_version": 0, "service_manager_comment": "Agency cover agreed.", "suggestions": ""})
    assert response.status_code == 302
    TeamMonth.objects.filter(team=team).update(
        service_manager_comment_at=datetime(2025, 8, 4, 9, 30, tzinfo=ZoneInfo("Europe/London")))
    client.force_login(manager)

    html = client.get(url).content.decode()

    block = html.split('data-testid="service-manager-comment">')[1].split("</section>")[0]
    assert '<blockquote class="mb-1" id="sm-comment-text">Agency cover agreed.</blockquote>' in block
    assert '<p class="small text-body-secondary mb-0" id="sm-comment-by">Hana Head, 4 Aug 2025 09:30</p>' in block
    assert "Write or change the comment" not in block  # the team manager cannot change it
    assert html.index('id="service-manager-comment"') < html.index('id="team-month-table"')
