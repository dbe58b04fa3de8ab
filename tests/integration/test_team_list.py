"""The team list: a django-tables2 table (sortable, paginated) with a django-filter filter. Bad query
strings are a 400 with the message next to the field, or ignored; never a 500."""
import re

import pytest
from django.urls import reverse

from tests.conftest import user_with_role
from tests.factories import CaseloadSnapshotFactory, ServiceAreaFactory, TeamFactory, WorkerFactory
from workload.roles import Role

pytestmark = pytest.mark.django_db


def team_names(html: str) -> list[str]:
    """Team names in table order (the linked first cell of each row)."""
    return re.findall(r'<a href="/workload/teams/\d+/">([^<]+)</a>', html)


@pytest.fixture
def authority():
    """North: Alpha (10 children), Bravo (30); South: Charlie (20). A head of service leads North only."""
    north, south = ServiceAreaFactory(name="North"), ServiceAreaFactory(name="South")
    for name, area, children in (("Alpha", north, 10), ("Bravo", north, 30), ("Charlie", south, 20)):
        team = TeamFactory(name=name, service_area=area)
        CaseloadSnapshotFactory(worker=WorkerFactory(team=team), allocated_children=children)
    hos = user_with_role(Role.HEAD_OF_SERVICE)
    north.head_of_service = hos
    north.save()
    return {"north": north, "south": south, "hos": hos, "admin": user_with_role(Role.ADMINISTRATOR)}


def test_filter_by_service_area_and_name(client, authority):
    client.force_login(authority["admin"])
    url = reverse("workload:team-list")

    assert team_names(client.get(url).content.decode()) == ["Alpha", "Bravo", "Charlie"]
    assert team_names(client.get(url, {"service_area": authority["south"].pk}).content.decode()) == ["Charlie"]
    assert team_names(client.get(url, {"name": "RAV"}).content.decode()) == ["Bravo"]
    assert team_names(client.get(url, {"service_area": authority["north"].pk, "name": "a"}).content.decode()) == [
        "Alpha", "Bravo"]


def test_sort_by_a_figure_column(client, authority):
    client.force_login(authority["admin"])
    html = client.get(reverse("workload:team-list"), {"sort": "-children"}).content.decode()
    assert team_names(html) == ["Bravo", "Charlie", "Alpha"]


def test_a_bad_service_area_is_a_400_with_the_message_by_the_field_and_the_unfiltered_list(client, authority):
    client.force_login(authority["admin"])
    response = client.get(reverse("workload:team-list"), {"service_area": "abc", "name": "zzz"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="id_service_area_error"' in html
    assert re.search(r'id="id_service_area_error"[^>]*>\s*<p[^>]*><strong>Select a valid choice\.', html)
    assert team_names(html) == ["Alpha", "Bravo", "Charlie"]


def test_a_service_area_outside_the_users_scope_is_refused(client, authority):
    client.force_login(authority["hos"])
    response = client.get(reverse("workload:team-list"), {"service_area": authority["south"].pk})
    assert response.status_code == 400
    assert team_names(response.content.decode()) == ["Alpha", "Bravo"]


def test_a_name_with_a_null_character_is_a_400_not_a_database_error(client, authority):
    client.force_login(authority["admin"])
    response = client.get(reverse("workload:team-list"), {"name": "Al\x00pha"})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()


@pytest.mark.parametrize("query", [{"sort": "nonexistent"}, {"page": "999999"}, {"page": "abc"}, {"per_page": "0"},
                                   {"per_page": "-3"}])
def test_unknown_sort_and_pages_out_of_range_show_the_list(client, authority, query):
    client.force_login(authority["admin"])
    response = client.get(reverse("workload:team-list"), query)
    assert response.status_code == 200
    names = ["Alpha"] if query.get("per_page") == "-3" else ["Alpha", "Bravo", "Charlie"]  # 0: the default 25
    assert team_names(response.content.decode()) == names


def test_pages_of_25_teams(client):
    area = ServiceAreaFactory(name="East")
    for n in range(27):
        TeamFactory(name=f"Team {n:02d}", service_area=area)
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    url = reverse("workload:team-list")

    first, last = client.get(url).content.decode(), client.get(url, {"page": 999999}).content.decode()

    assert team_names(first) == [f"Team {n:02d}" for n in range(25)]
    assert team_names(last) == ["Team 25", "Team 26"]


@pytest.mark.parametrize("teams", [3, 25])
def test_filtered_and_sorted_list_queries_do_not_grow_with_teams(client, django_assert_max_num_queries, teams):
    area = ServiceAreaFactory(name="West")
    for n in range(teams):
        team = TeamFactory(name=f"West {n:02d}", service_area=area)
        CaseloadSnapshotFactory(worker=WorkerFactory(team=team), allocated_children=n)
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    # session, user, groups, worker (for the nav), latest snapshot date, the chosen service area (validating
    # the filter), the paginator's count, the page of teams (one query with subqueries), the filter's
    # service-area choices, savepoint pair; the navigation's waiting counts (one query); the session save
    # that moves the idle expiry on (SAVEPOINT, UPDATE, RELEASE)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("workload:team-list"), {"service_area": area.pk, "sort": "-children"})
    assert team_names(response.content.decode()) == [f"West {n:02d}" for n in reversed(range(teams))][:25]
