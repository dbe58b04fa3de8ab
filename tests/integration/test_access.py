"""Role and team scoping: every role sees only what it should, and a guessed id is a 404, not a 200."""
import pytest
from django.urls import reverse

from tests.conftest import user_with_role
from tests.factories import ServiceAreaFactory, TeamFactory, WorkerFactory
from workload.access import teams_for_user, workers_for_user
from workload.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def authority():
    """Two service areas, three teams, one worker per team; a manager, a HoS and a worker with logins."""
    north, south = ServiceAreaFactory(name="North"), ServiceAreaFactory(name="South")
    a, b, c = TeamFactory(name="Alpha", service_area=north), TeamFactory(name="Bravo", service_area=north), TeamFactory(
        name="Charlie", service_area=south
    )
    manager = user_with_role(Role.TEAM_MANAGER)
    a.managers.add(manager)
    hos = user_with_role(Role.HEAD_OF_SERVICE)
    north.head_of_service = hos
    north.save()
    sw_user = user_with_role(Role.SOCIAL_WORKER)
    workers = {
        "alpha": WorkerFactory(team=a, user=sw_user, first_name="Ada"),
        "bravo": WorkerFactory(team=b, first_name="Ben"),
        "charlie": WorkerFactory(team=c, first_name="Cal"),
    }
    return {"teams": (a, b, c), "manager": manager, "hos": hos, "sw": sw_user, "workers": workers,
            "smt": user_with_role(Role.SMT), "admin": user_with_role(Role.ADMINISTRATOR)}


def names(queryset):
    return sorted(str(x) for x in queryset)


def test_each_role_sees_only_its_teams(authority):
    assert names(teams_for_user(authority["manager"])) == ["Alpha"]
    assert names(teams_for_user(authority["hos"])) == ["Alpha", "Bravo"]
    assert names(teams_for_user(authority["smt"])) == ["Alpha", "Bravo", "Charlie"]
    assert names(teams_for_user(authority["admin"])) == ["Alpha", "Bravo", "Charlie"]
    assert names(teams_for_user(authority["sw"])) == []


def test_each_role_sees_only_its_workers(authority):
    w = authority["workers"]
    assert set(workers_for_user(authority["manager"])) == {w["alpha"]}
    assert set(workers_for_user(authority["hos"])) == {w["alpha"], w["bravo"]}
    assert set(workers_for_user(authority["smt"])) == set(w.values())
    assert set(workers_for_user(authority["sw"])) == {w["alpha"]}


def test_manager_cannot_open_another_teams_worker_by_changing_the_id(client, authority):
    own, other = authority["workers"]["alpha"], authority["workers"]["charlie"]
    client.force_login(authority["manager"])
    allowed = client.get(reverse("workload:worker-detail", args=[own.pk]))
    denied = client.get(reverse("workload:worker-detail", args=[other.pk]))
    assert allowed.status_code == 200
    assert own.full_name in allowed.content.decode()
    assert denied.status_code == 404


def test_manager_cannot_open_another_team(client, authority):
    alpha, _, charlie = authority["teams"]
    client.force_login(authority["manager"])
    assert client.get(reverse("workload:team-detail", args=[alpha.pk])).status_code == 200
    assert client.get(reverse("workload:team-detail", args=[charlie.pk])).status_code == 404


def test_worker_sees_own_record_but_not_a_colleagues(client, authority):
    own, colleague = authority["workers"]["alpha"], authority["workers"]["bravo"]
    client.force_login(authority["sw"])
    assert client.get(reverse("workload:worker-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("workload:worker-detail", args=[colleague.pk])).status_code == 404
    assert client.get(reverse("workload:team-detail", args=[own.team.pk])).status_code == 404


def test_head_of_service_is_limited_to_their_service_area(client, authority):
    _, bravo, charlie = authority["teams"]
    client.force_login(authority["hos"])
    assert client.get(reverse("workload:team-detail", args=[bravo.pk])).status_code == 200
    assert client.get(reverse("workload:team-detail", args=[charlie.pk])).status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, authority):
    response = client.get(reverse("workload:team-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_team_list_shows_only_scoped_teams(client, authority):
    client.force_login(authority["hos"])
    html = client.get(reverse("workload:team-list")).content.decode()
    assert "Alpha" in html and "Bravo" in html
    assert "Charlie" not in html


def test_admin_site_is_for_administrators_only(client, authority):
    client.force_login(authority["manager"])
    assert client.get("/admin/").status_code == 302  # to the admin login: not staff


def test_a_service_manager_sees_the_teams_they_serve(authority):
    _, bravo, charlie = authority["teams"]
    service_manager = user_with_role(Role.HEAD_OF_SERVICE)
    charlie.service_manager = service_manager
    charlie.save()
    assert names(teams_for_user(service_manager)) == ["Charlie"]
    assert set(workers_for_user(service_manager)) == {authority["workers"]["charlie"]}
