"""The list of workers behind a count on a dashboard card: as long as the figure (pro-forma fallback rows
included and marked), in the card's scope only (404 outside it), bad links a 400 with the message by the field,
and a number of queries that does not grow with teams or workers."""
from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ServiceAreaFactory, TeamFactory, UserFactory, WorkerFactory
from tests.factories_supervision import head_of_service, team_manager, user_in, worker_with_login
from tests.worked_example import build, entry
from workload.models import CaseloadPreset, CaseloadSnapshot, Position, TeamPolicy, TeamSnapshot
from workload.roles import Role

pytestmark = pytest.mark.django_db
MONTH, END = date(2025, 1, 1), date(2025, 1, 31)


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def card(response, label: str):
    return next(c for c in response.context["panel"]["cards"] if c.label == label)


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, username="admin")


def snap(team, children, **fields):
    worker = WorkerFactory(team=team, **fields)
    CaseloadSnapshot.objects.create(worker=worker, team=team, taken_on=END, kind="month_end", wte=worker.wte,
                                    allocated_children=children)
    return worker


def test_the_list_behind_a_card_is_as_long_as_its_figure_with_pro_forma_workers_marked(client, admin):
    team = TeamFactory(name="Duty")  # BARNET_2019: more than 22 × WTE
    TeamSnapshot.objects.create(team=team, taken_on=END, kind="month_end", unallocated_children=1)
    snap(team, 30, first_name="Ann", surname="Adams")
    snap(team, 10, first_name="Ben", surname="Brown")
    carter = WorkerFactory(team=team, first_name="Cat", surname="Carter")  # over 22, no snapshot this month
    entry(carter, MONTH, "90", created_by=admin, children=25)
    client.force_login(admin)

    page = client.get(f"/dashboards/team/{team.pk}/", {"month": "2025-01"})
    over = card(page, "Workers with more than 22 cases")
    listing = client.get(over.drill_url)

    assert (over.value_text, over.drill_label) == ("2 (67 %)", "Who they are")
    assert [(r["name"], r["children"], r["from_proforma"]) for r in listing.context["listing"]["rows"]] == [
        ("Ann Adams", 30, False), ("Cat Carter", 25, True)]
    text = text_of(listing)
    assert "Workers with more than 22 cases: Duty" in text
    assert "January 2025: 2 workers, the same people the dashboard's figure counts." in text
    assert "Cat Carter 25 1.00 From pro-forma" in text  # a team's own list has no team column
    assert "Ann Adams 30 1.00 Caseload snapshot" in text


def test_worker_lists_keep_to_the_scope_and_a_guessed_id_is_404(client):
    example = build()
    south = ServiceAreaFactory(name="South")
    elsewhere = TeamFactory(name="Elsewhere", service_area=south)
    users = {"smt": user_in(Role.SMT, username="smt"), "hos": head_of_service(example.area, username="hos"),
             "tm": team_manager(example.da1, username="tm"), "sw": worker_with_login(example.da1).user}
    query = {"month": "2025-01", "measure": "M04", "n": "22"}
    paths = ["/dashboards/workers/", f"/dashboards/service/{example.area.pk}/workers/",
             f"/dashboards/service/{south.pk}/workers/", f"/dashboards/team/{example.da1.pk}/workers/",
             f"/dashboards/team/{elsewhere.pk}/workers/", "/dashboards/team/999999/workers/"]

    def status(user, path):
        client.force_login(user)
        return client.get(path, query).status_code

    assert {name: [status(user, p) for p in paths] for name, user in users.items()} == {
        "smt": [200, 200, 200, 200, 200, 404],
        "hos": [404, 200, 404, 200, 404, 404],
        "tm": [404, 404, 404, 200, 404, 404],
        "sw": [404, 404, 404, 404, 404, 404],
    }


@pytest.mark.parametrize(("query", "field", "message"), [
    ({"measure": "M04"}, "n", "Give the number of cases the count is about, a whole number from 1 to 200."),
    ({"measure": "M04", "n": "lots"}, "n", "Give the number of cases the count is about, a whole number from 1 to 200."),
    ({"measure": "M05", "n": "0"}, "n", "Give the number of cases the count is about, a whole number from 1 to 200."),
    ({"measure": "M01"}, "measure", "There is no list of workers for that figure."),
    ({}, "measure", "There is no list of workers for that figure."),
    ({"measure": "M17", "month": "2999-01"}, "month", "That month has not happened yet: choose this month or an earlier one."),
    ({"measure": "M17", "month": "x" * 300}, "month", "Ensure this value has at most 7 characters (it has 300)."),
])
def test_a_bad_link_is_a_400_with_the_message_by_the_field(client, admin, query, field, message):
    client.force_login(admin)
    response = client.get("/dashboards/workers/", query)
    assert (response.status_code, response.context["form"].errors[field]) == (400, [message])
    assert message in text_of(response)


def build_teams(teams: int, workers: int, user) -> None:
    for _ in range(teams):
        team = TeamFactory()
        for _ in range(workers):
            snap(team, 30)
            entry(WorkerFactory(team=team), MONTH, "90", created_by=user, children=30)


def test_the_list_takes_the_same_queries_whatever_the_size(client, admin):
    client.force_login(admin)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/dashboards/workers/", {"month": "2025-01", "measure": "M04", "n": "22"})
        return len(queries), len(response.context["listing"]["rows"])

    build_teams(1, 2, admin)
    small = count()
    build_teams(4, 5, admin)
    large = count()
    # 6 for the list (the scope's teams, 3 for policies and schemes, the snapshot dates, one UNION of snapshot
    # rows and pro-forma rows); the other 10 are the page's own (session, user, roles, navigation)
    assert (small, large) == ((16, 4), (16, 44))


def test_a_leaving_care_team_shows_its_care_leaver_figures_not_empty_main_ones(client, admin):
    team = TeamFactory(name="Leaving Care")
    TeamPolicy.objects.filter(team=team).update(preset=CaseloadPreset.objects.get(code="PERF_2017"),
                                                team_type="care_leavers")  # raw counts: more than 22
    TeamSnapshot.objects.create(team=team, taken_on=END, kind="month_end", unallocated_children=0)
    snap(team, 20, position=Position.PERSONAL_ADVISER, first_name="Pat", surname="Ng")
    snap(team, 24, position=Position.PERSONAL_ADVISER, first_name="Ray", surname="Oak")
    client.force_login(admin)

    page = client.get(f"/dashboards/team/{team.pk}/", {"month": "2025-01"})
    authority = client.get("/dashboards/", {"month": "2025-01"})

    labels = [c.label for c in page.context["panel"]["cards"]]
    assert "Average caseload" not in labels and "Variance from target" not in labels
    assert [t["label"] for t in page.context["panel"]["trends"]][:1] == ["Care-leaver average caseload"]
    over = card(page, "Care-leaver workers with more than 22 cases")
    assert [r["name"] for r in client.get(over.drill_url).context["listing"]["rows"]] == ["Ray Oak"]
    row = next(r for r in authority.context["panel"]["children"] if r["name"] == "Leaving Care")
    assert [c.text for c in row["cells"][:2]] == [card(page, "Care-leaver average caseload").value_text + " (Green)",
                                                  "1 (50 %) (Red)"]


def test_the_attention_month_picker_shows_the_month_the_list_is_for(client, admin):
    snap(TeamFactory(), 10)  # the latest snapshot is 31 Jan 2025, so the list opens on January 2025
    client.force_login(admin)
    response = client.get("/dashboards/attention/")
    assert response.status_code == 200
    assert 'name="month" value="2025-01"' in response.content.decode()
    assert text_of(response).count("January 2025: caseloads from the snapshot of 31 Jan 2025") == 1
