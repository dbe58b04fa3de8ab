"""Who needs attention: the reasons, thresholds scaled by WTE, months over, persistent high bands, the open
escalation with its deadline, scope, filters, exports, bad query strings and a fixed number of queries."""
from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from openpyxl import load_workbook

from reporting.attention import attention_list
from reporting.models import Escalation, EscalationKind
from supervision.models import EntryStatus, ProformaEntry
from tests.factories import (
    CaseloadSnapshotFactory,
    ServiceAreaFactory,
    TeamFactory,
    UserFactory,
    WorkerFactory,
)
from tests.factories_supervision import head_of_service, team_manager, user_in, worker_with_login
from tests.worked_example import build
from workload.models import Absence, Position, SchemeVersion, Team
from workload.roles import Role

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)
JULY_END, JUNE_END, MAY_END, APRIL_END = date(2025, 7, 31), date(2025, 6, 30), date(2025, 5, 31), date(2025, 4, 30)
URL = "/dashboards/attention/"


def snap(worker, children: int, on: date = JULY_END, **fields):
    return CaseloadSnapshotFactory(worker=worker, taken_on=on, allocated_children=children, **fields)


def countersigned(worker, month: date, band: str, label: str, author) -> ProformaEntry:
    """A countersigned pro-forma with a stored band (only the band matters here)."""
    return ProformaEntry.objects.create(
        worker=worker, team=worker.team, month=month, status=EntryStatus.COUNTERSIGNED, created_by=author,
        scheme_version=SchemeVersion.objects.get(slug="nottinghamshire-wlm-2016"), team_type="assessment",
        position=worker.position, wte=worker.wte, band=band, band_label=label,
    )


@pytest.fixture
def da1():
    """The REPORTS worked example's team (BARNET_2019 Duty and Assessment: max 22, pro rata), July 2025."""
    area = ServiceAreaFactory(name="North")
    team = TeamFactory(name="Duty and Assessment 1", code="DA1", service_area=area)
    manager = team_manager(team, username="tess", first_name="Tess", last_name="Manager")
    w2 = WorkerFactory(team=team, first_name="Wyn", surname="Two")
    snap(w2, 24)
    snap(w2, 23, on=JUNE_END)
    snap(w2, 20, on=MAY_END)  # not over in May: the run is June and July
    w3 = WorkerFactory(team=team, first_name="Wren", surname="Three", wte=Decimal("0.60"))
    snap(w3, 14)  # 14 > 22 x 0.6 = 13.2
    w3b = WorkerFactory(team=team, first_name="Wade", surname="Under", wte=Decimal("0.60"))
    snap(w3b, 13)  # 13 <= 13.2: not over
    w4 = WorkerFactory(team=team, first_name="Ash", surname="Four", position=Position.ASYE,
                       asye_start=date(2025, 1, 6))
    snap(w4, 9)  # ASYE agreed level 0.5 x 16 x 1.0 = 8
    tm = WorkerFactory(team=team, first_name="Tom", surname="Manager", position=Position.TEAM_MANAGER)
    snap(tm, 2)
    w7 = WorkerFactory(team=team, first_name="Wil", surname="Seven")
    snap(w7, 30)  # over 22, but on a long absence: listed for the absence, not the threshold
    Absence.objects.create(worker=w7, kind="sickness", start=date(2025, 6, 2))
    w5 = WorkerFactory(team=team, first_name="Pat", surname="Five")
    snap(w5, 10)
    for month in (date(2025, 4, 1), date(2025, 5, 1), date(2025, 7, 1)):
        countersigned(w5, month, "high", "High", manager)
    countersigned(w5, date(2025, 6, 1), "demanding", "Demanding", manager)
    Escalation.objects.create(kind=EscalationKind.HOS_AGREEMENT, team=team, worker=w2, first_over_on=JUNE_END,
                              opened_on=JUNE_END, due_on=date(2025, 7, 7), cases=23, threshold=Decimal("22"))
    Escalation.objects.create(kind=EscalationKind.HOS_AGREEMENT, team=team, worker=w3, first_over_on=MAY_END,
                              opened_on=MAY_END, due_on=date(2025, 6, 6), closed_on=JUNE_END)  # closed: not shown
    return {"team": team, "manager": manager, "area": area, "w2": w2, "w3": w3, "w4": w4, "tm": tm, "w7": w7,
            "w5": w5}


def summary(rows):
    return [(r.worker_name, r.reason, r.cases, r.threshold_text, r.months_over, r.detail, r.escalation,
             r.escalation_due) for r in rows]


def test_attention_lists_each_reason_with_scaled_threshold_months_and_escalation(da1):
    attention = attention_list(teams=Team.objects.filter(pk=da1["team"].pk), month=JULY)

    assert attention.snapshot_on == JULY_END
    assert summary(attention.rows) == [
        ("Pat Five", "high_band", 10, "", 1, "Countersigned band: High", "", None),
        ("Pat Five", "persistent_high", 10, "", 3, "High band in 3 of the last 6 months", "", None),
        ("Ash Four", "asye_over", 9, "8 × 1 WTE = 8", None, "", "", None),
        ("Tom Manager", "manager_holding", 2, "", None, "Managers hold no cases", "", None),
        ("Wil Seven", "long_absence", 30, "", None, "Sickness since 2 Jun 2025, no expected return", "", None),
        ("Wren Three", "over_threshold", 14, "22 × 0.6 WTE = 13.2", 1, "", "", None),
        ("Wyn Two", "over_threshold", 24, "22", 2, "",
         "Over the head of service agreement threshold: waiting for action", date(2025, 7, 7)),
    ]


def test_persistent_high_follows_n_of_m_from_the_query(da1, client):
    client.force_login(da1["manager"])
    four = client.get(URL, {"month": "2025-07", "reason": "persistent_high", "high_in": "4", "high_of": "6"})
    two_of_three = client.get(URL, {"month": "2025-07", "reason": "persistent_high", "high_in": "2",
                                    "high_of": "3"})

    assert four.status_code == 200 and four.context["row_count"] == 0
    assert [(r.worker_name, r.detail) for r in two_of_three.context["table"].data] == [
        ("Pat Five", "High band in 2 of the last 3 months")]


def test_page_shows_rows_in_scope_with_threshold_and_due_date(da1, client):
    other = TeamFactory(name="Elsewhere")
    snap(WorkerFactory(team=other, first_name="Zed", surname="Other"), 40)
    client.force_login(da1["manager"])

    response = client.get(URL, {"month": "2025-07"})

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["row_count"] == 7
    assert "Zed Other" not in html
    assert "22 × 0.6 WTE = 13.2" in html and "7 Jul 2025" in html
    assert "Over the head of service agreement threshold: waiting for action" in html


def test_filters_narrow_by_team_service_area_and_reason(da1, client):
    other = TeamFactory(name="Elsewhere", service_area=ServiceAreaFactory(name="South"))
    snap(WorkerFactory(team=other, first_name="Zed", surname="Other"), 40)
    client.force_login(UserFactory(is_superuser=True))

    everyone = client.get(URL, {"month": "2025-07"}).context["row_count"]
    south = client.get(URL, {"month": "2025-07", "service_area": other.service_area.pk}).context["table"].data
    team = client.get(URL, {"month": "2025-07", "team": da1["team"].pk, "reason": "over_threshold"})

    assert everyone == 8
    assert [(r.worker_name, r.reason) for r in south] == [("Zed Other", "over_threshold")]
    assert [r.worker_name for r in team.context["table"].data] == ["Wren Three", "Wyn Two"]


def test_csv_and_xlsx_export_exactly_the_filtered_rows_in_scope(da1, client):
    other = TeamFactory(name="Elsewhere")
    snap(WorkerFactory(team=other, first_name="Zed", surname="Other"), 40)
    client.force_login(da1["manager"])
    query = {"month": "2025-07", "reason": "over_threshold", "per_page": "1"}

    csv_response = client.get(URL, {**query, "export": "csv"})
    xlsx_response = client.get(URL, {**query, "export": "xlsx"})

    rows = list(csv.reader(StringIO(csv_response.content.decode())))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows == [
        ["Worker", "Team", "Service area", "Reason", "Children", "WTE", "Threshold for this WTE", "Months in a row",
         "Details", "Open escalation", "Action due by"],
        ["Wren Three", "Duty and Assessment 1", "North", "Over the caseload threshold", "14", "0.60", "13.2", "1",
         "", "", ""],
        ["Wyn Two", "Duty and Assessment 1", "North", "Over the caseload threshold", "24", "1.00", "22", "2", "",
         "Over the head of service agreement threshold: waiting for action", "2025-07-07"],
    ]
    sheet = load_workbook(BytesIO(xlsx_response.content)).active
    assert [[cell.value or "" for cell in row] for row in sheet.iter_rows()] == rows


def test_export_quotes_cells_a_spreadsheet_would_run(da1, client):
    w = WorkerFactory(team=da1["team"], first_name="=HYPERLINK(1)", surname="Zz")
    snap(w, 30)
    client.force_login(da1["manager"])

    rows = list(csv.reader(StringIO(client.get(URL, {"month": "2025-07", "export": "csv",
                                                      "reason": "over_threshold"}).content.decode())))

    assert [row[0] for row in rows[1:]] == ["Wren Three", "Wyn Two", "'=HYPERLINK(1) Zz"]


def test_scope_social_worker_404_head_of_service_sees_their_areas(da1, client):
    hos = head_of_service(da1["area"], username="hos")
    other = TeamFactory(name="Elsewhere", service_area=ServiceAreaFactory(name="South"))
    snap(WorkerFactory(team=other, first_name="Zed", surname="Other"), 40)
    sw = worker_with_login(da1["team"])

    client.force_login(sw.user)
    assert client.get(URL).status_code == 404
    client.force_login(hos)
    response = client.get(URL, {"month": "2025-07"})
    assert response.context["row_count"] == 7
    assert client.get(URL, {"team": other.pk}).status_code == 400  # a team outside the scope is not a choice


@pytest.mark.parametrize("query, field", [
    ({"month": "2025-13"}, "month"),
    ({"month": "July"}, "month"),
    ({"month": "2999-01"}, "month"),
    ({"month": "2025-07\x00"}, "month"),
    ({"team": "abc"}, "team"),
    ({"team": "99999999999999999999999"}, "team"),
    ({"service_area": "-1"}, "service_area"),
    ({"reason": "everything"}, "reason"),
    ({"high_in": "0"}, "high_in"),
    ({"high_in": "2.5"}, "high_in"),
    ({"high_in": "5", "high_of": "3"}, "high_in"),
    ({"high_of": "1000"}, "high_of"),
])
def test_bad_query_strings_are_a_400_with_the_message_by_the_field(da1, client, query, field):
    client.force_login(da1["manager"])

    response = client.get(URL, query)

    assert response.status_code == 400
    assert list(response.context["filter"].form.errors) == [field]


def test_future_month_says_so(da1, client):
    client.force_login(da1["manager"])
    response = client.get(URL, {"month": "2999-01"})
    assert response.context["filter"].form.errors["month"] == [
        "That month has not happened yet: choose this month or an earlier one."]


@pytest.mark.parametrize("query", [{"sort": "nonsense"}, {"page": "999"}, {"page": "x"}, {"per_page": "0"},
                                   {"per_page": "-5"}, {"export": "pdf"}])
def test_odd_paging_sorting_and_export_values_are_ignored(da1, client, query):
    client.force_login(da1["manager"])
    response = client.get(URL, {"month": "2025-07", **query})
    assert response.status_code == 200
    if query.get("export") == "pdf":
        assert "Downloads come as CSV or Excel (XLSX)" in response.content.decode()


def build_authority(teams: int, workers: int):
    author = user_in(Role.ADMINISTRATOR, username=f"admin{teams}")
    for t in range(teams):
        team = TeamFactory(name=f"Scale {teams}-{t}")
        for n in range(workers):
            worker = WorkerFactory(team=team, first_name=f"W{n}", surname=f"S{t}-{n}",
                                   position=Position.ASYE if n % 3 == 0 else Position.SOCIAL_WORKER,
                                   asye_start=date(2025, 1, 6) if n % 3 == 0 else None)
            snap(worker, 25 + n)
            snap(worker, 25 + n, on=JUNE_END)
            countersigned(worker, JULY, "high", "High", author)
            Absence.objects.create(worker=worker, kind="annual_leave", start=date(2025, 7, 28),
                                   expected_return=date(2025, 8, 1))
            Escalation.objects.create(kind=EscalationKind.SUSTAINED, team=team, worker=worker,
                                      first_over_on=APRIL_END, opened_on=JUNE_END, due_on=date(2025, 7, 14))
    return author


@pytest.mark.parametrize("teams, workers", [(1, 2), (4, 6)])
def test_attention_page_queries_do_not_grow_with_teams_or_workers(client, django_assert_max_num_queries, teams,
                                                                   workers):
    admin = build_authority(teams, workers)
    client.force_login(admin)
    # session + user + groups (3); navigation's waiting counts (3); the filter's choices are not rendered as
    # queries until the form renders: service areas and teams (2); attention: snapshot date, teams, policies,
    # schemes, snapshots, history, bands, absences, escalations (9)
    with django_assert_max_num_queries(22):
        response = client.get(URL, {"month": "2025-07"})
    assert response.context["row_count"] == teams * workers * 2 + teams * len(range(0, workers, 3))


def test_worked_example_attention_in_january_2025():
    example = build()

    attention = attention_list(teams=Team.objects.filter(pk=example.da1.pk), month=date(2025, 1, 1))

    assert [(r.worker_name, r.reason, r.cases, r.threshold_text, r.months_over, r.escalation, r.escalation_due)
            for r in attention.rows] == [
        ("TM Example", "manager_holding", 2, "", None, "", None),
        ("W2 Example", "over_threshold", 24, "22", 1,
         "Over the head of service agreement threshold: waiting for action", date(2025, 1, 31)),
        ("W2 Example", "high_band", 24, "", 1, "", None),
        ("W3 Example", "over_threshold", 14, "22 × 0.6 WTE = 13.2", 1,
         "Over the head of service agreement threshold: waiting for action", date(2025, 2, 7)),
        ("W4 Example", "asye_over", 13, "12", None, "", None),  # the example's ASYE limit 12 (W5: 6 ≤ 9.6)
        # over 22 since Fri 15 Nov 2024: November's and December's last weekly snapshots, and January's
        ("W6 Example", "over_threshold", 29, "22", 3,
         "Over the maximum for longer than the escalation period: waiting for action", None),
        ("W6 Example", "high_band", 29, "", 1, "", None),
        ("W7 Example", "long_absence", 3, "", None, "", None),
    ]
