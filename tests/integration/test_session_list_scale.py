"""The supervision page at an authority's size: filtered, sorted and paged in the database, with a fixed
number of queries whatever the number of teams and workers."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from supervision.models import SessionKind, SupervisionSession
from tests.factories import TeamFactory, WorkerFactory
from tests.factories_supervision import team_manager, user_in
from workload.roles import Role

pytestmark = pytest.mark.django_db
URL = "/supervision/sessions/"


def _teams(n: int, *, workers: int) -> list:
    teams = []
    for t in range(n):
        team = TeamFactory(name=f"Team {t:03d}", code=f"T{t:03d}")
        for w in range(workers):
            WorkerFactory(team=team, first_name=f"W{w}", surname=f"Surname{t:03d}{w:02d}")
        teams.append(team)
    return teams


def _row_ids(body: str) -> list[str]:
    return re.findall(r'data-testid="overdue-(\d+)"', body)


@pytest.mark.parametrize(("teams", "workers"), [(2, 3), (12, 5)])
def test_sessions_page_query_count_does_not_grow_with_the_authority(client, django_assert_max_num_queries,
                                                                    teams, workers):
    _teams(teams, workers=workers)
    smt = user_in(Role.SMT)
    client.force_login(smt)
    # session, user, groups (roles), the user's own worker record (navigation), the filter's team choices,
    # count + page of workers, recent sessions, the session save; 4 savepoints (ATOMIC_REQUESTS): the same
    # for 6 workers as for 60
    with django_assert_max_num_queries(13):
        response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Supervision due or overdue ({teams * workers})" in body
    assert len(_row_ids(body)) == min(teams * workers, 25)


def test_sessions_page_pages_sorts_and_filters_by_team_and_name(client):
    teams = _teams(3, workers=10)
    admin = user_in(Role.ADMINISTRATOR)
    client.force_login(admin)
    first = client.get(URL, {"sort": "worker"}).content.decode()
    assert "Page 1 of 2." in first and len(_row_ids(first)) == 25
    second = client.get(URL, {"sort": "worker", "page": 2}).content.decode()
    assert len(_row_ids(second)) == 5 and not set(_row_ids(first)) & set(_row_ids(second))
    assert "W9 Surname00209" in second  # sorted by surname: the last team's last worker is on the last page

    one_team = client.get(URL, {"team": teams[1].pk}).content.decode()
    assert "Supervision due or overdue (10)" in one_team
    named = client.get(URL, {"name": "surname00105"}).content.decode()
    assert "Supervision due or overdue (1)" in named and "W5 Surname00105" in named


def test_sessions_page_shows_due_by_default_and_everyone_on_request(client):
    team = TeamFactory()
    manager = team_manager(team)
    today = timezone.localdate()
    fine = WorkerFactory(team=team, first_name="Ada", surname="Upto")
    late = WorkerFactory(team=team, first_name="Bea", surname="Late")
    SupervisionSession.objects.create(worker=fine, supervisor=manager, held_on=today - timedelta(days=5), held=True,
                                      kind=SessionKind.WORKER, next_due=today + timedelta(days=25))
    SupervisionSession.objects.create(worker=late, supervisor=manager, held_on=today - timedelta(days=40),
                                      held=True, kind=SessionKind.WORKER, next_due=today - timedelta(days=10))
    client.force_login(manager)
    due = client.get(URL).content.decode()
    assert _row_ids(due) == [str(late.pk)]
    assert "<td>10 days overdue</td>" in due
    everyone = client.get(URL, {"show": "all", "sort": "worker"}).content.decode()
    assert "All workers (2)" in everyone and _row_ids(everyone) == [str(late.pk), str(fine.pk)]


def test_a_team_from_outside_the_users_reach_is_a_400_next_to_the_field(client):
    mine, other = TeamFactory(), TeamFactory()
    manager = team_manager(mine)
    client.force_login(manager)
    assert client.get(URL, {"team": mine.pk}).status_code == 200
    response = client.get(URL, {"team": other.pk})
    assert response.status_code == 400
    assert re.search(r'id="id_team_error"[^>]*>.*Select a valid choice', response.content.decode(), re.S)


def test_an_administrator_chooses_a_team_before_the_record_form_lists_workers(client):
    teams = _teams(2, workers=2)
    admin = user_in(Role.ADMINISTRATOR)
    client.force_login(admin)
    body = client.get(URL).content.decode()
    assert 'data-testid="session-form"' not in body
    assert 'Choose a team above, or follow a worker\'s "Record" link' in body
    chosen = client.get(URL, {"team": teams[0].pk}).content.decode()
    options = re.findall(r'<option value="(\d+)"[^>]*>[^<]*\(T00', chosen)
    assert len(options) == 2 and 'data-testid="session-form"' in chosen
    assert f'href="?team={teams[0].pk}&amp;worker=' in chosen


@pytest.mark.parametrize(("query", "status", "error_field"), [
    ({"page": "999"}, 200, None), ({"page": "abc"}, 200, None), ({"per_page": "0"}, 200, None),
    ({"per_page": "99999"}, 200, None), ({"sort": "nope"}, 200, None), ({"worker": "²"}, 200, None),
    ({"show": "x"}, 400, "show"), ({"team": "abc"}, 400, "team"), ({"team": "9" * 30}, 400, "team"),
    ({"name": "x" * 200}, 400, "name"), ({"name": "\x00"}, 400, "name"),
])
def test_odd_query_strings_are_a_page_or_a_400_by_the_field(client, query, status, error_field):
    _teams(1, workers=3)
    client.force_login(user_in(Role.ADMINISTRATOR))
    response = client.get(URL, query)
    assert response.status_code == status
    body = response.content.decode()
    assert len(_row_ids(body)) == 3  # a bad filter shows the unfiltered list under the message
    assert (f'id="id_{error_field}_error"' in body) if error_field else ("_error" not in body)
