"""Who may see and do what: outside scope is 404, in scope but not permitted is 403."""
from datetime import date

import pytest
from django.urls import reverse

from supervision.models import EntryStatus, TeamMonth
from tests.factories import TeamFactory
from tests.factories_supervision import (
    allocate,
    head_of_service,
    started,
    submitted,
    team_manager,
    user_in,
    worker_with_login,
)
from workload.roles import Role

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)


@pytest.fixture
def two_teams(db):
    team, other_team = TeamFactory(), TeamFactory()
    manager, other_manager = team_manager(team), team_manager(other_team)
    worker = worker_with_login(team)
    other_worker = worker_with_login(other_team, first_name="Kim", surname="Other")
    allocate(worker, reference="F-1")
    allocate(other_worker, reference="G-1")
    return team, manager, worker, other_team, other_manager, other_worker


def test_a_manager_of_another_team_gets_404_for_its_pages(client, two_teams):
    team, manager, worker, other_team, other_manager, other_worker = two_teams
    entry = started(worker, manager, JULY)
    pages = [
        ("get", reverse("supervision:entry-detail", args=[entry.pk])),
        ("get", reverse("supervision:team-month", args=[team.pk, 2025, 7])),
        ("post", reverse("supervision:entry-score", args=[entry.pk])),
        ("post", reverse("supervision:entry-start", args=[team.pk, 2025, 7, worker.pk])),
        ("post", reverse("supervision:entry-revise", args=[entry.pk])),
        ("post", reverse("supervision:team-month-update", args=[team.pk, 2025, 7])),
    ]
    client.force_login(manager)
    assert [getattr(client, method)(url).status_code for method, url in pages[:2]] == [200, 200]

    client.force_login(other_manager)
    assert [getattr(client, method)(url).status_code for method, url in pages] == [404] * len(pages)
    # their own team's start URL with this team's worker: still 404, never a start
    mixed = reverse("supervision:entry-start", args=[other_team.pk, 2025, 7, worker.pk])
    assert client.post(mixed).status_code == 404


def test_a_worker_cannot_open_or_sign_another_workers_entry(client, two_teams):
    team, manager, worker, other_team, other_manager, other_worker = two_teams
    entry = submitted(started(worker, manager, JULY), manager)
    colleague = worker_with_login(team, first_name="Lou", surname="Colleague")

    client.force_login(worker.user)
    assert client.get(reverse("supervision:entry-countersign", args=[entry.pk])).status_code == 200
    client.force_login(colleague.user)
    assert client.get(reverse("supervision:entry-detail", args=[entry.pk])).status_code == 404
    assert client.post(reverse("supervision:entry-countersign", args=[entry.pk]),
                       {"typed_name": "Sam Worker"}).status_code == 404
    assert client.post(reverse("supervision:entry-dispute", args=[entry.pk]), {"reason": "x"}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_the_manager_cannot_countersign_for_the_worker(client, two_teams):
    team, manager, worker, *_ = two_teams
    entry = submitted(started(worker, manager, JULY), manager)
    client.force_login(manager)
    assert client.post(reverse("supervision:entry-countersign", args=[entry.pk]),
                       {"typed_name": "Sam Worker"}).status_code == 403
    assert client.post(reverse("supervision:entry-dispute", args=[entry.pk]), {"reason": "x"}).status_code == 403


def test_a_worker_cannot_edit_or_start_their_own_entry(client, two_teams):
    team, manager, worker, *_ = two_teams
    entry = started(worker, manager, JULY)
    client.force_login(worker.user)
    assert client.get(reverse("supervision:entry-detail", args=[entry.pk])).status_code == 200
    assert client.post(reverse("supervision:entry-detail", args=[entry.pk]), {}).status_code == 403
    assert client.post(reverse("supervision:entry-score", args=[entry.pk]), {}).status_code == 403
    assert client.post(reverse("supervision:entry-start", args=[team.pk, 2025, 8, worker.pk])).status_code == 404


def test_a_head_of_service_reads_but_does_not_edit(client, two_teams):
    team, manager, worker, *_ = two_teams
    head = head_of_service(team.service_area)
    entry = started(worker, manager, JULY)
    client.force_login(head)
    page = client.get(reverse("supervision:entry-detail", args=[entry.pk]))
    assert page.status_code == 200 and 'id="entry-form"' not in page.content.decode()
    assert client.post(reverse("supervision:entry-detail", args=[entry.pk]), {}).status_code == 403
    month = client.get(reverse("supervision:team-month", args=[team.pk, 2025, 7])).content.decode()
    assert 'name="service_manager_comment"' in month and "data-testid=\"start-entry-" not in month


def test_smt_reads_every_team_and_changes_nothing(client, two_teams):
    team, manager, worker, *_ = two_teams
    smt = user_in(Role.SMT)
    entry = started(worker, manager, JULY)
    client.force_login(smt)
    assert client.get(reverse("supervision:team-month", args=[team.pk, 2025, 7])).status_code == 200
    assert client.post(reverse("supervision:team-month-update", args=[team.pk, 2025, 7]),
                       {"lock_version": 0}).status_code == 403
    assert client.post(reverse("supervision:entry-revise", args=[entry.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("supervision:session-list"), {}).status_code == 403


def test_a_head_of_service_writes_the_csm_comment_and_leaves_the_managers_fields(client, two_teams):
    team, manager, worker, *_ = two_teams
    head = head_of_service(team.service_area)
    url = reverse("supervision:team-month-update", args=[team.pk, 2025, 7])
    client.force_login(manager)
    assert client.post(url, {"lock_version": 0, "unallocated_cases": 4, "manager_comment": "Two vacancies.",
                             "service_manager_comment": "ignored", "suggestions": ""}).status_code == 302
    client.force_login(head)

    response = client.post(url, {"lock_version": 1, "service_manager_comment": "Agency cover agreed.",
                                 "manager_comment": "overwritten?", "suggestions": "Fewer fields"})

    assert response.status_code == 302
    saved = TeamMonth.objects.get(team=team)
    assert (saved.manager_comment, saved.unallocated_cases, saved.service_manager_comment, saved.suggestions) == (
        "Two vacancies.", 4, "Agency cover agreed.", "Fewer fields")
