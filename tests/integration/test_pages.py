"""Home and team pages: each role's home page, and query counts that do not grow with the number of teams."""
import re

import pytest
from django.urls import reverse

from tests.conftest import user_with_role
from tests.factories import CaseloadSnapshotFactory, TeamFactory, WorkerFactory
from workload.roles import Role

pytestmark = pytest.mark.django_db


def build_authority(teams: int, workers_per_team: int = 3):
    for _ in range(teams):
        team = TeamFactory()
        for worker in WorkerFactory.create_batch(workers_per_team, team=team):
            CaseloadSnapshotFactory(worker=worker, allocated_children=12)


@pytest.mark.parametrize("teams", [3, 25])
def test_home_page_queries_do_not_grow_with_teams(client, django_assert_max_num_queries, teams):
    build_authority(teams)
    smt = user_with_role(Role.SMT)
    client.force_login(smt)
    # session, user, groups, the user's worker record (none), latest snapshot date, the team list (one
    # query with subqueries), the month's progress (the month's entries, the members by dated membership,
    # their absences), and the ATOMIC_REQUESTS savepoint pair; then the session save that moves the idle
    # expiry on (SAVEPOINT, UPDATE, RELEASE)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(re.findall(r'href="/workload/teams/\d+/"', response.content.decode())) == teams


@pytest.mark.parametrize("teams", [3, 25])
def test_team_list_aggregates_in_the_database(client, django_assert_max_num_queries, teams):
    build_authority(teams, workers_per_team=2)
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    # session, user, groups, worker (for the nav), latest snapshot date, the paginator's count, the page of
    # the team list (one query with subqueries), the filter's service-area choices, savepoint pair; the
    # navigation's waiting counts (one query); the session save that moves the idle expiry on (SAVEPOINT,
    # UPDATE, RELEASE)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("workload:team-list"))
    html = response.content.decode()
    # 2 workers × 12 children per team, summed by the database
    assert html.count('data-figure="children" data-value="24">24</td>') == teams


def test_manager_home_lists_overdue_supervision(client, manager, worker):
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert "Supervision due or overdue (1)" in html
    assert "Sam Worker" in html


def test_worker_home_shows_their_own_workload_only(client, worker):
    client.force_login(worker.user)
    html = client.get(reverse("home")).content.decode()
    assert "Your workload" in html
    assert "Teams you can see" not in html
