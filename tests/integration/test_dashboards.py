"""The authority, service area and team dashboards: the worked example's figures with target, RAG in words,
change since last month, the DfE and national figures, trends as tables, empty states, scope (404 outside
it), the month picker's bad values, and a fixed number of queries at two sizes."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.dashboard_selectors import change_words
from reporting.measures import AUTHORITY, MeasureValue
from tests.factories import (
    CaseloadSnapshotFactory,
    ServiceAreaFactory,
    TeamFactory,
    UserFactory,
    WorkerFactory,
)
from tests.factories_supervision import head_of_service, team_manager, user_in, worker_with_login
from tests.worked_example import build
from workload.models import Team, TeamSnapshot
from workload.roles import Role

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def card(response, label: str):
    return next(c for c in response.context["panel"]["cards"] if c.label == label)


@pytest.fixture
def example():
    return build()


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, username="admin")


def test_authority_shows_pooled_average_with_target_rag_in_words_and_national_figure(client, example, admin):
    client.force_login(admin)

    response = client.get("/dashboards/", {"month": "2025-01"})

    average = card(response, "Average caseload")
    assert response.status_code == 200
    assert (average.value_text, average.unit, average.target_text, average.rag, average.rag_text) == (
        "16.4", "per FTE", "15.6 per FTE", "amber", "Team average RAG: Amber — a little above target")
    assert average.national_text == ("National: 16.3 — England average caseload per FTE, 30 September 2023 "
                                     "(DfE, Children's social work workforce)")
    text = text_of(response)
    assert "Amber — a little above target" in text
    assert "Per case-holding FTE: the figure comparable with DfE's." in text
    # drill-down: the service area, then each team with its own average and RAG in words
    assert [(r["name"], [c.text for c in r["cells"]]) for r in response.context["panel"]["children"]] == [
        ("Duty and Assessment", ["18.9 (Red)", "3 (50 %) (Red)", "5", "3 (Red)"]),
        ("Intervention and Planning", ["12.0 (Green)", "0 (0 %) (Green)", "0", "0 (Green)"])]


def test_team_view_shows_worked_example_and_drills_to_workers(client, example, admin):
    client.force_login(admin)
    da1 = example.da1

    response = client.get(f"/dashboards/team/{da1.pk}/", {"month": "2025-01"})

    average = card(response, "Average caseload")
    over = card(response, "Workers with more than 22 cases")
    assert (average.value_text, average.rag_text) == ("18.9", "Team average RAG: Red — above target")
    assert (over.value_text, over.rag_text, over.detail) == (
        "3 (50 %)", "Red — above target", "Scaled to hours: more than 22 × WTE. Counted without scaling for hours: 2")
    assert over.drill_url == f"/dashboards/team/{da1.pk}/workers/?month=2025-01&measure=M04&n=22"
    assert [r["name"] for r in client.get(over.drill_url).context["listing"]["rows"]] == [
        "W2 Example", "W3 Example", "W6 Example"]  # the three behind the count
    escalations = card(response, "Open escalations")
    assert escalations.detail == "Over since Fri 15 Nov 2024 at the longest. Earliest action due Fri 31 Jan 2025."
    type(example.escalations["W2"]).objects.filter(pk=example.escalations["W2"].pk).update(due_on=date(2025, 1, 29))
    escalations = card(client.get(f"/dashboards/team/{da1.pk}/", {"month": "2025-01"}), "Open escalations")
    assert escalations.detail.endswith("Earliest action due Wed 29 Jan 2025, overdue on the snapshot date.")
    html = response.content.decode()
    w6 = example.people["W6"]
    assert f'href="/workload/workers/{w6.pk}/"' in html
    assert [row.worker.first_name for row in response.context["workers"]] == [
        "S1", "TM", "W1", "W2", "W3", "W4", "W5", "W6", "W7"]


def test_trend_table_holds_the_chart_numbers_and_empty_months_say_no_data(client, example, admin):
    client.force_login(admin)

    response = client.get(f"/dashboards/team/{example.da1.pk}/", {"month": "2025-01"})

    trend = response.context["panel"]["trends"][0]
    assert trend["label"] == "Average caseload"
    assert trend["chart"]["labels"][-2:] == ["Dec-24", "Jan-25"]
    assert trend["chart"]["values"][-1] == 18.9
    assert trend["cells"][0].text == "–" and trend["cells"][0].note == "No data"  # Feb-24: no snapshot
    assert 'data-testid="trend-table-m01"' in response.content.decode()


def test_change_since_last_month_in_words_by_direction():
    def value(measure, display, number):
        return MeasureValue(measure=measure, label="x", scope=AUTHORITY, month=date(2025, 1, 1), snapshot_on=None,
                            value=Decimal(number), display=display, status="ok")

    december = date(2024, 12, 1)
    assert change_words(value("M01", "18.9", "18.888"), value("M01", "17.7", "17.7"), before_month=december) == (
        "▲ 1.2 worse than Dec 2024", "worse")
    assert change_words(value("M10", "83 %", "83.33"), value("M10", "67 %", "66.67"), before_month=december) == (
        "▲ 16 points better than Dec 2024", "better")
    assert change_words(value("M04", "1 (10 %)", "1"), value("M04", "3 (30 %)", "3"), before_month=december) == (
        "▼ 2 better than Dec 2024", "better")
    assert change_words(value("M17", "1", "1"), value("M17", "1", "1"), before_month=december) == (
        "= the same as Dec 2024", "same")


def test_empty_team_says_no_case_holding_staff_or_no_data_never_zero(client, admin):
    team = TeamFactory(name="Managers only")
    CaseloadSnapshotFactory(worker=WorkerFactory(team=team, position="team_manager"), taken_on=date(2025, 1, 31),
                            allocated_children=0)
    client.force_login(admin)

    january = client.get(f"/dashboards/team/{team.pk}/", {"month": "2025-01"})
    december = client.get(f"/dashboards/team/{team.pk}/", {"month": "2024-12"})

    assert (card(january, "Average caseload").value_text, card(january, "Average caseload").note) == (
        "–", "No case-holding staff")
    assert (card(december, "Average caseload").value_text, card(december, "Average caseload").note) == (
        "–", "No data")
    assert ("– No data: no caseload snapshot or countersigned pro-forma for this team in December 2024."
            in text_of(december))


def test_team_view_lists_a_worker_counted_from_their_pro_forma(client, example, admin):
    """REPORTS 1.1 fallback: a worker with no snapshot in the month is counted from their countersigned
    pro-forma, so the team's list of the workers the figures count shows them too, marked."""
    from tests.worked_example import entry

    newcomer = WorkerFactory(team=example.da1, first_name="Nia", surname="Newcomer")
    tm_user = example.da1.managers.first() or UserFactory()
    entry(newcomer, date(2025, 1, 1), "60", created_by=tm_user, children=7)
    client.force_login(admin)
    response = client.get(f"/dashboards/team/{example.da1.pk}/", {"month": "2025-01"})
    rows = {row.worker.first_name: row for row in response.context["workers"]}
    assert set(rows) == {"S1", "TM", "W1", "W2", "W3", "W4", "W5", "W6", "W7", "Nia"}
    assert (rows["Nia"].allocated_children, getattr(rows["W1"], "from_proforma", False)) == (7, False)
    assert "7 (from the pro-forma: no snapshot this month)" in text_of(response)


def test_scope_each_role_and_a_guessed_id_is_404(client, example):
    south = ServiceAreaFactory(name="South")
    elsewhere = TeamFactory(name="Elsewhere", service_area=south)
    hos = head_of_service(example.area, username="hos")
    tm = team_manager(example.da1, username="tm")
    smt = user_in(Role.SMT, username="smt")
    sw = worker_with_login(example.da1)
    area, da1 = example.area.pk, example.da1.pk

    def status(user, path):
        client.force_login(user)
        return client.get(path, {"month": "2025-01"}).status_code

    paths = ["/dashboards/", f"/dashboards/service/{area}/", f"/dashboards/service/{south.pk}/",
             f"/dashboards/team/{da1}/", f"/dashboards/team/{elsewhere.pk}/", "/dashboards/team/999999/",
             "/dashboards/attention/"]
    assert {name: [status(user, p) for p in paths] for name, user in
            {"smt": smt, "hos": hos, "tm": tm, "sw": sw.user}.items()} == {
        "smt": [200, 200, 200, 200, 200, 404, 200],
        "hos": [200, 200, 404, 200, 404, 404, 200],
        "tm": [200, 404, 404, 200, 404, 404, 200],
        "sw": [404, 404, 404, 404, 404, 404, 404],
    }
    client.force_login(hos)
    chooser = client.get("/dashboards/")
    assert "Your service areas" in text_of(chooser) and "Authority" not in text_of(chooser)


@pytest.mark.parametrize("month, message", [
    ("2025-13", "Enter a month as year and month, for example 2025-01."),
    ("January", "Enter a month as year and month, for example 2025-01."),
    ("2025-1\x00", "Null characters are not allowed."),
    ("9" * 300, "Ensure this value has at most 7 characters (it has 300)."),
    ("2999-01", "That month has not happened yet: choose this month or an earlier one."),
    ("1999-12", "Choose a month from 2000 onwards."),
])
def test_bad_month_is_a_400_with_the_message_by_the_picker(client, example, admin, month, message):
    client.force_login(admin)
    for path in ("/dashboards/", f"/dashboards/service/{example.area.pk}/", f"/dashboards/team/{example.da1.pk}/"):
        response = client.get(path, {"month": month})
        assert (path, response.status_code, response.context["form"].errors["month"]) == (path, 400, [message])
        assert message in text_of(response)


def build_authority(areas: int, teams: int, workers: int) -> None:
    for a in range(areas):
        area = ServiceAreaFactory(name=f"Area {areas}-{a}")
        for t in range(teams):
            team = TeamFactory(name=f"Team {areas}-{a}-{t}", service_area=area)
            TeamSnapshot.objects.create(team=team, taken_on=date(2025, 1, 31), kind="month_end", unallocated_children=2)
            for n in range(workers):
                worker = WorkerFactory(team=team)
                for day in (date(2024, 12, 31), date(2025, 1, 31)):
                    CaseloadSnapshotFactory(worker=worker, taken_on=day, allocated_children=10 + n)


def page_queries(client, paths) -> list[int]:
    counts = []
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, {"month": "2025-01"}).status_code == 200
        counts.append(len(queries))
    return counts


def test_dashboard_queries_do_not_grow_with_teams_or_workers(client, admin):
    build_authority(1, 1, 2)
    team = Team.objects.order_by("pk").first()
    paths = ["/dashboards/", f"/dashboards/service/{team.service_area_id}/", f"/dashboards/team/{team.pk}/",
             "/dashboards/attention/?month=2025-01"]
    client.force_login(admin)
    small = page_queries(client, paths)
    build_authority(3, 4, 5)  # 12 more teams in 3 more service areas, 60 more workers
    large = page_queries(client, paths)

    assert large == small
    # the measures read one fixed set of 11 queries for the 12 months of trends and the teams' table together
    # (grouped by month); the rest is the page's own (session, user, navigation, scope, snapshot date)
    assert small == [24, 24, 26, 21]
