"""The capability map against real users of each role: what each may do, the teams it reaches, the
navigation each sees, and the role groups the migrations leave behind."""
import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import user_with_role
from tests.factories import ServiceAreaFactory, TeamFactory, UserFactory, WorkerFactory
from workload import capabilities, services
from workload.access import managed_teams_for_user, teams_for_user, workers_for_user
from workload.capabilities import CAN, can, capabilities_of
from workload.models import SchemeVersion, TeamScheme
from workload.roles import Role

pytestmark = pytest.mark.django_db

# What each role may do, written out by hand (not derived from the map), so a change to the map
# has to be made here too, on purpose.
EXPECTED = {
    Role.ADMINISTRATOR: {
        "team.view", "team.view_all", "team.manage_all", "entry.submit", "team_month.comment_tm",
        "team_month.comment_sm", "supervision.view", "session.record", "scheme.what_if", "admin.site",
        "concern.answer", "data.import", "reports.view", "reports.generate", "reports.narrative", "reports.lists",
        "inputs.enter", "policy.propose",
    },
    Role.HEAD_OF_SERVICE: {"team.view", "team.view_led", "team_month.comment_sm", "supervision.view",
                           "scheme.what_if", "concern.answer", "reports.view", "reports.generate",
                           "reports.narrative", "inputs.enter", "policy.approve"},
    Role.TEAM_MANAGER: {
        "team.view", "team.view_managed", "team.manage_managed", "entry.submit", "team_month.comment_tm",
        "supervision.view", "session.record", "scheme.what_if", "concern.answer", "reports.view",
    },
    Role.SOCIAL_WORKER: {"entry.sign", "my_workload.view", "concern.raise", "scheme.what_if"},
    Role.SMT: {"team.view", "team.view_all", "scheme.what_if", "reports.view"},
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_its_capabilities(role):
    user = user_with_role(role)
    assert capabilities_of(user) == EXPECTED[role]
    assert {code for code in CAN if can(user, code)} == EXPECTED[role]


def test_a_superuser_without_groups_holds_the_administrators_capabilities():
    assert capabilities_of(UserFactory(is_superuser=True)) == EXPECTED[Role.ADMINISTRATOR]


def test_a_person_with_two_roles_holds_the_union():
    user = user_with_role(Role.TEAM_MANAGER)
    user.groups.add(Group.objects.get(name=Role.SOCIAL_WORKER))
    assert capabilities_of(user) == EXPECTED[Role.TEAM_MANAGER] | EXPECTED[Role.SOCIAL_WORKER]


def test_a_signed_in_user_with_no_role_holds_nothing():
    assert capabilities_of(UserFactory()) == frozenset()


# ------------------------------------------------------------------------------------ scoping


@pytest.fixture
def authority():
    """Two areas, three teams; one user per role, the manager managing Alpha, the HoS leading North."""
    north, south = ServiceAreaFactory(name="North"), ServiceAreaFactory(name="South")
    alpha = TeamFactory(name="Alpha", service_area=north)
    bravo = TeamFactory(name="Bravo", service_area=north)
    charlie = TeamFactory(name="Charlie", service_area=south)
    users = {role: user_with_role(role) for role in Role}
    alpha.managers.add(users[Role.TEAM_MANAGER])
    north.head_of_service = users[Role.HEAD_OF_SERVICE]
    north.save()
    ada = WorkerFactory(team=alpha, first_name="Ada", user=users[Role.SOCIAL_WORKER])
    return {"users": users, "teams": (alpha, bravo, charlie), "ada": ada}


def names(queryset) -> list[str]:
    return sorted(team.name for team in queryset)


def test_the_teams_each_role_reaches_follow_the_map(authority):
    users = authority["users"]
    seen = {role: names(teams_for_user(users[role])) for role in Role}
    changed = {role: names(managed_teams_for_user(users[role])) for role in Role}
    assert seen == {
        Role.ADMINISTRATOR: ["Alpha", "Bravo", "Charlie"],
        Role.HEAD_OF_SERVICE: ["Alpha", "Bravo"],
        Role.TEAM_MANAGER: ["Alpha"],
        Role.SOCIAL_WORKER: [],
        Role.SMT: ["Alpha", "Bravo", "Charlie"],
    }
    assert changed == {
        Role.ADMINISTRATOR: ["Alpha", "Bravo", "Charlie"],
        Role.HEAD_OF_SERVICE: [],
        Role.TEAM_MANAGER: ["Alpha"],
        Role.SOCIAL_WORKER: [],
        Role.SMT: [],
    }
    # a role sees teams exactly when the map lets it see teams, and changes them exactly when it may
    assert {role for role in Role if seen[role]} == CAN["team.view"]
    assert {role for role in Role if changed[role]} == CAN["entry.submit"]


def test_access_reads_its_scopes_from_the_map(authority, monkeypatch):
    smt, manager = authority["users"][Role.SMT], authority["users"][Role.TEAM_MANAGER]
    assert names(teams_for_user(smt)) == ["Alpha", "Bravo", "Charlie"]
    monkeypatch.setitem(CAN, "team.view_all", frozenset({Role.ADMINISTRATOR}))
    monkeypatch.setitem(CAN, "team.manage_managed", frozenset())
    assert names(teams_for_user(smt)) == []
    assert workers_for_user(smt).count() == 0
    assert names(teams_for_user(manager)) == ["Alpha"]  # seeing is team.view_managed, still granted
    assert names(managed_teams_for_user(manager)) == []


def test_a_worker_sees_only_their_own_record_whatever_the_map(authority):
    worker_user = authority["users"][Role.SOCIAL_WORKER]
    WorkerFactory(team=authority["teams"][0], first_name="Ben")
    assert [w.first_name for w in workers_for_user(worker_user)] == ["Ada"]


# ----------------------------------------------------------------------------------- navigation

# top-level links and the Manage drop-down's items, in the order shown
NAV_LINK = re.compile(r'<a class="(?:nav-link|dropdown-item)[^"]*" href="([^"#]+)"[^>]*>([^<]+)</a>')
HOME, TEAMS, DASHBOARDS, ESCALATIONS, REPORTS, SUPERVISION, CONCERNS, MINE, SCORE, INPUTS, IMPORTS, ADMIN = (
    ("Home", "/"), ("Teams", "/workload/teams/"), ("Dashboards", "/dashboards/"),
    ("Escalations", "/reporting/escalations/"), ("Reports", "/reports/"),
    ("Supervision", "/supervision/sessions/"), ("Concerns", "/supervision/concerns/"),
    ("My workload", "/supervision/me/"), ("Score a month", "/workload/score/"), ("Measure inputs", "/inputs/"),
    ("Imports", "/imports/"),
    ("Administration", "/admin/"),
)


def nav_of(client, user) -> list[tuple[str, str]]:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    return [(label, href) for href, label in NAV_LINK.findall(html)]


def test_each_role_sees_exactly_its_navigation(client, authority):
    users = authority["users"]
    assert {role: nav_of(client, users[role]) for role in Role} == {
        Role.ADMINISTRATOR: [HOME, TEAMS, DASHBOARDS, ESCALATIONS, REPORTS, SUPERVISION, CONCERNS, SCORE, INPUTS, IMPORTS,
                              ADMIN],
        Role.HEAD_OF_SERVICE: [HOME, TEAMS, DASHBOARDS, ESCALATIONS, REPORTS, SUPERVISION, CONCERNS, SCORE, INPUTS],
        Role.TEAM_MANAGER: [HOME, TEAMS, DASHBOARDS, ESCALATIONS, REPORTS, SUPERVISION, CONCERNS, SCORE],
        Role.SOCIAL_WORKER: [HOME, MINE, SCORE],
        Role.SMT: [HOME, TEAMS, DASHBOARDS, ESCALATIONS, REPORTS, SCORE],
    }


def test_my_workload_is_shown_to_anyone_with_a_worker_record(client, authority):
    manager = authority["users"][Role.TEAM_MANAGER]
    WorkerFactory(team=authority["teams"][0], user=manager)
    no_role = UserFactory()
    assert nav_of(client, manager) == [HOME, TEAMS, DASHBOARDS, ESCALATIONS, REPORTS, SUPERVISION, CONCERNS, MINE, SCORE]
    assert nav_of(client, no_role) == [HOME]


def test_the_current_page_is_marked_in_the_navigation(client, authority):
    client.force_login(authority["users"][Role.TEAM_MANAGER])
    html = client.get(reverse("workload:team-list")).content.decode()
    assert re.findall(r'<a class="nav-link active" href="([^"]+)" aria-current="page">', html) == ["/workload/teams/"]


def test_home_page_panels_follow_the_map(client, authority):
    panels = {}
    for role in (Role.SMT, Role.TEAM_MANAGER, Role.SOCIAL_WORKER):
        client.force_login(authority["users"][role])
        html = client.get(reverse("home")).content.decode()
        panels[role] = ("Teams you can see" in html, "Supervision due or overdue" in html)
    assert panels == {
        Role.SMT: (True, False),
        Role.TEAM_MANAGER: (True, True),
        Role.SOCIAL_WORKER: (False, False),
    }


# ------------------------------------------------------------------------------------ groups


def test_every_role_in_the_map_has_its_group_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(capabilities.roles_in_map())


def test_the_groups_migration_recreates_missing_role_groups():
    migration = importlib.import_module("workload.migrations.0004_role_groups")
    Group.objects.filter(name__in=[Role.SMT, Role.HEAD_OF_SERVICE]).delete()
    kept = Group.objects.get(name=Role.TEAM_MANAGER).pk
    migration.ensure_role_groups(apps, None)
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(role.value for role in Role)
    assert Group.objects.get(name=Role.TEAM_MANAGER).pk == kept  # existing groups are left alone


# ------------------------------------------------------------ team_scheme_set takes what it needs


def test_team_scheme_change_is_refused_over_an_agreed_month():
    team = TeamFactory()
    version = SchemeVersion.objects.get(slug="nottinghamshire-wlm-2016")
    with pytest.raises(ValidationError) as exc:
        services.team_scheme_set(team=team, scheme_version=version, team_type="assessment",
                                 valid_from=date(2025, 7, 1), agreed_through=date(2025, 7, 1))
    assert exc.value.message_dict == {
        "valid_from": ["Countersigned pro-formas exist up to July 2025; choose a later month."]
    }
    assignment = services.team_scheme_set(team=team, scheme_version=version, team_type="assessment",
                                          valid_from=date(2025, 8, 1), agreed_through=date(2025, 7, 1))
    assert list(TeamScheme.objects.filter(team=team).values_list("valid_from", flat=True)) == [
        date(2025, 8, 1), date(2024, 1, 1),
    ]
    assert assignment.valid_from == date(2025, 8, 1)
