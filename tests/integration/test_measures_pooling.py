"""Pooled scopes (REPORTS 1.3): worker rows, never team averages; mixed presets as docs/dashboards.md says;
M22 through assistant team managers (REP-25); M11–M14 from imported aggregates; the trend's empty states."""
from datetime import date
from decimal import Decimal

import pytest

from reporting.measures import AUTHORITY, Scope, measures_for, team_scope, trend_table
from reporting.models import ImportedAggregate, TrendRow
from tests.factories import TeamFactory, UserFactory, WorkerFactory
from tests.worked_example import entry
from workload.models import CaseloadPreset, CaseloadSnapshot, Position, TeamPolicy

pytestmark = pytest.mark.django_db
MONTH, END = date(2025, 1, 1), date(2025, 1, 31)


def snap(team, children, wte="1.0", **fields):
    worker = WorkerFactory(team=team, wte=Decimal(wte), **fields)
    CaseloadSnapshot.objects.create(worker=worker, team=team, taken_on=END, kind="month_end", wte=worker.wte,
                                    allocated_children=children)
    return worker


def by_key(values):
    return {(v.measure, v.threshold): v for v in values}


def test_teams_on_different_presets_pool_on_fte_and_count_each_on_its_own_basis():
    barnet = TeamFactory()  # BARNET_2019: fte, pro rata, target 16, N 22
    progress = TeamFactory()
    TeamPolicy.objects.filter(team=progress).update(preset=CaseloadPreset.objects.get(code="PROGRESS_2022"),
                                                    team_type="assessment")  # headcount, raw, no target, N 25
    snap(barnet, 12, wte="0.5")  # 12 > 22 × 0.5 pro rata
    snap(barnet, 16)
    snap(progress, 26, wte="0.5")  # 26 > 25 raw
    snap(progress, 20)
    values = by_key(measures_for(AUTHORITY, [MONTH]))
    m01 = values["M01", None]
    assert (m01.basis, m01.display, m01.numerator, m01.denominator) == ("fte", "24.7", Decimal(74), Decimal("3.00"))
    assert (m01.target, m01.rag, values["M02", None].status) == (None, "", "no_data")
    assert {(n, v.basis, v.value) for (code, n), v in values.items() if code == "M04"} == {
        (Decimal(22), "mixed", Decimal(2)), (Decimal(25), "mixed", Decimal(1))}  # 22: 12 > 11 pro rata, 26 > 22 raw
    # each team alone: its own basis and precision
    alone = by_key(measures_for(team_scope(progress), [MONTH]))
    assert (alone["M01", None].basis, alone["M01", None].display, alone["M01", None].detail["dfe_display"]) == (
        "headcount", "23", "31")


def test_manager_workload_pools_through_assistant_team_managers():
    team = TeamFactory()
    user = UserFactory()
    tm = snap(team, 0, position=Position.TEAM_MANAGER, first_name="Tina", surname="Lead")
    atm1 = snap(team, 0, position=Position.TEAM_MANAGER, first_name="Ann", surname="Assist", supervisor=tm)
    atm2 = snap(team, 0, position=Position.TEAM_MANAGER, first_name="Bob", surname="Assist", supervisor=tm)
    for supervisor, total in ((atm1, "50"), (atm1, "60"), (atm2, "70"), (tm, "40")):
        entry(snap(team, 10, supervisor=supervisor), MONTH, total, created_by=user)
    rows = by_key(measures_for(team_scope(team), [MONTH]))["M22", None].detail["rows"]
    assert [(r["name"], r["workers"], r["points"], r["average"]) for r in rows] == [
        ("Ann Assist", 2, Decimal("110.000"), Decimal("55")),
        ("Bob Assist", 1, Decimal("70.000"), Decimal("70")),
        ("Tina Lead", 4, Decimal("220.000"), Decimal("55")),
    ]


def test_imported_aggregates_pool_numerators_and_denominators():
    one, two = TeamFactory(), TeamFactory()
    snap(one, 10)
    ImportedAggregate.objects.create(team=one, month=MONTH, measure="M12", numerator=1, denominator=3)
    ImportedAggregate.objects.create(team=two, month=MONTH, measure="M12", numerator=4, denominator=4)
    ImportedAggregate.objects.create(team=two, month=MONTH, measure="M13", numerator=0, denominator=0)
    values = by_key(measures_for(AUTHORITY, [MONTH]))
    assert (values["M12", None].display, values["M12", None].numerator, values["M12", None].denominator) == (
        "71 %", Decimal(5), Decimal(7))
    assert [(values[m, None].status, values[m, None].note) for m in ("M11", "M13")] == [
        ("no_data", "No data"), ("empty_population", "No case-holding staff")]


def test_trend_line_blank_before_start_and_dash_without_data():
    team = TeamFactory(name="Duty and Assessment")
    snap(team, 20)
    row = TrendRow.objects.create(measure="M01", label="Average caseload, duty", scope_kind="team", team=team,
                                  target=Decimal(19), start_month=date(2024, 3, 1))
    [line] = trend_table([row], MONTH)
    assert line.month_labels[0] == "Feb-24" and line.month_labels[-1] == "Jan-25"
    assert [(c.status, c.display) for c in line.cells[:2]] == [("not_started", ""), ("no_data", "–")]
    assert (line.cells[-1].display, line.cells[-1].rag, line.target) == ("20.0", "amber", Decimal(19))
    assert Scope("team", team.pk, team.name) == line.cells[-1].scope


def test_a_worker_without_a_snapshot_counts_from_their_countersigned_pro_forma():
    user = UserFactory()
    team = TeamFactory()
    snap(team, 10)
    entry(WorkerFactory(team=team), MONTH, "80", created_by=user, children=20)  # no snapshot this month
    entry(WorkerFactory(team=team), MONTH, None, created_by=user, children=30)  # not countersigned: not used
    m01 = by_key(measures_for(team_scope(team), [MONTH]))["M01", None]
    assert (m01.display, m01.detail["headcount"], m01.detail["from_proforma"], m01.snapshot_on) == (
        "15.0", 2, 1, END)
    only_proformas = TeamFactory()
    entry(WorkerFactory(team=only_proformas), MONTH, "90", created_by=user, children=24)
    values = by_key(measures_for(team_scope(only_proformas), [MONTH]))
    assert [(values[m, None].status, values[m, None].display) for m in ("M01", "M03", "M15", "M18", "M19")] == [
        ("ok", "24.0"), ("ok", "24 – 24"), ("no_data", "–"), ("no_data", "–"), ("ok", "100 %")]
    assert values["M01", None].snapshot_on is None
