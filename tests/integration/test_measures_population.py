"""Who is counted (REPORTS 1.2), decided in SQL: long absence as supervision.rules.long_absent says, ASYE
status on the snapshot date, include_aqp, Warrington practice managers, care-leaver teams."""
from datetime import date, timedelta
from decimal import Decimal

import pytest

from reporting.measures import measure_workers, measures_for, team_scope
from reporting.measures.inputs import month_rows, team_params
from supervision.rules import long_absent
from tests.factories import TeamFactory, WorkerFactory
from workload.models import Absence, CaseloadPreset, CaseloadSnapshot, Position, TeamPolicy

pytestmark = pytest.mark.django_db


def snap(worker, day, children=10, **fields):
    return CaseloadSnapshot.objects.create(worker=worker, team=worker.team, taken_on=day, kind="month_end",
                                           wte=worker.wte, allocated_children=children, **fields)


# (start, expected_return, actual_return) around Christmas 2024 and Easter 2025 bank holidays
ABSENCES = [
    (date(2024, 12, 2), None, None),
    (date(2024, 12, 9), None, None),
    (date(2024, 12, 10), None, None),
    (date(2024, 12, 11), None, None),
    (date(2024, 12, 9), date(2024, 12, 31), None),
    (date(2024, 12, 9), date(2025, 1, 2), None),
    (date(2024, 12, 2), None, date(2024, 12, 30)),
    (date(2025, 1, 2), date(2025, 3, 1), None),
    (date(2025, 1, 6), None, None),
    (date(2025, 3, 31), date(2025, 4, 22), None),
    (date(2025, 3, 31), date(2025, 4, 23), None),
    (date(2025, 3, 31), date(2025, 4, 24), None),
]


@pytest.mark.parametrize(("on", "long"), [
    (date(2024, 12, 31), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    (date(2025, 1, 10), [1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
    (date(2025, 1, 31), [1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0]),
    (date(2025, 4, 30), [1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1]),
])
def test_long_absence_in_sql_agrees_with_the_rule(on, long):
    team = TeamFactory()
    expected = {}
    for start, expected_return, actual_return in ABSENCES:
        worker = WorkerFactory(team=team)
        absence = Absence.objects.create(worker=worker, kind="sickness", start=start,
                                         expected_return=expected_return, actual_return=actual_return)
        snap(worker, on)
        expected[worker.pk] = long_absent(absence, on)
    data = month_rows(team_params([team.pk], on.replace(day=1)), on.replace(day=1))
    found = dict(data.rows.values_list("worker_id", "long_absent"))
    assert found == expected
    assert [int(v) for v in expected.values()] == long  # the boundaries: 15 working days over Christmas, Easter


def test_asye_status_runs_twelve_months_or_to_completion_whichever_is_later():
    team = TeamFactory()
    TeamPolicy.objects.filter(team=team).update(overrides={"asye_limit_cases": 12})
    day = date(2025, 1, 31)
    workers = {
        "started a year ago tomorrow": WorkerFactory(team=team, asye_start=date(2024, 2, 1)),
        "twelve months ended today": WorkerFactory(team=team, asye_start=date(2024, 1, 31)),
        "ended but programme runs on": WorkerFactory(team=team, asye_start=date(2023, 9, 1),
                                                     asye_completed=date(2025, 2, 28)),
        "not yet started": WorkerFactory(team=team, asye_start=date(2025, 2, 3)),
    }
    for worker in workers.values():
        snap(worker, day, children=13)
    rows = measure_workers(team_scope(team), date(2025, 1, 1), "M05", 12)
    assert sorted(r["initials"] for r in rows) == sorted(
        workers[k].initials for k in ("started a year ago tomorrow", "ended but programme runs on"))
    assert [w.is_asye_on(day) for w in workers.values()] == [True, False, True, False]


def test_alternatively_qualified_count_only_where_the_preset_includes_them():
    barnet, cambs = TeamFactory(), TeamFactory()
    TeamPolicy.objects.filter(team=cambs).update(preset=CaseloadPreset.objects.get(code="CAMBRIDGESHIRE_2018"),
                                                 team_type="childrens")
    day = date(2025, 1, 31)
    for team in (barnet, cambs):
        snap(WorkerFactory(team=team), day, children=10)
        snap(WorkerFactory(team=team, position=Position.SWA), day, children=20)
    got = {team.code: next(v for v in measures_for(team_scope(team), [date(2025, 1, 1)]) if v.measure == "M01")
           for team in (barnet, cambs)}
    assert (got[barnet.code].display, got[cambs.code].display) == ("10.0", "15")


def test_warrington_practice_managers_hold_cases_and_are_not_managers_holding_cases():
    team = TeamFactory(scheme=("warrington-wms-2014", "children_in_need"))
    other = TeamFactory()
    day = date(2025, 1, 31)
    snap(WorkerFactory(team=team, position=Position.PRACTICE_MANAGER), day, children=8)
    snap(WorkerFactory(team=other, position=Position.PRACTICE_MANAGER), day, children=3)
    for t, (m01, m17) in {team: ("8.0", Decimal(0)), other: ("–", Decimal(1))}.items():
        values = {v.measure: v for v in measures_for(team_scope(t), [date(2025, 1, 1)])}
        assert (values["M01"].display, values["M17"].value) == (m01, m17)


def test_care_leaver_teams_count_on_case_basis_b_in_their_own_measures():
    team = TeamFactory()
    TeamPolicy.objects.filter(team=team).update(preset=CaseloadPreset.objects.get(code="PERF_2017"),
                                                team_type="care_leavers")
    day = date(2025, 1, 31)
    snap(WorkerFactory(team=team, position=Position.PERSONAL_ADVISER), day, children=20, coworked_children=2,
         awaiting_allocation_children=1)
    snap(WorkerFactory(team=team, position=Position.PERSONAL_ADVISER), day, children=18)
    values = {(v.measure, v.threshold): v for v in measures_for(team_scope(team), [date(2025, 1, 1)])}
    assert (values["M08", None].display, values["M08", None].numerator) == ("21", Decimal(41))
    assert (values["M09", Decimal(22)].display, values["M09", Decimal(22)].basis) == ("1 (50 %)", "raw")
    assert (values["M01", None].status, values["M01", None].display) == ("empty_population", "–")


def test_no_snapshot_in_the_month_is_no_data_never_zero():
    team = TeamFactory()
    snap(WorkerFactory(team=team), date(2024, 12, 31))
    values = {v.measure: v for v in measures_for(team_scope(team), [date(2025, 1, 1)])}
    assert {k: (values[k].status, values[k].display, values[k].value) for k in ("M01", "M03", "M15", "M17")} == {
        k: ("no_data", "–", None) for k in ("M01", "M03", "M15", "M17")}


def test_month_end_snapshot_wins_over_a_later_weekly_one():
    team = TeamFactory()
    worker = WorkerFactory(team=team)
    snap(worker, date(2025, 1, 30), children=12)  # month_end kind, taken a day early
    CaseloadSnapshot.objects.create(worker=worker, team=team, taken_on=date(2025, 1, 31), kind="weekly",
                                    wte=worker.wte, allocated_children=30)
    m01 = next(v for v in measures_for(team_scope(team), [date(2025, 1, 1)]) if v.measure == "M01")
    assert (m01.display, m01.snapshot_on) == ("12.0", date(2025, 1, 30))
    assert timedelta(days=1) == date(2025, 1, 31) - m01.snapshot_on
