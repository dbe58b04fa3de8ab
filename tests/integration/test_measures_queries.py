"""The number of queries does not grow with teams or workers (docs/dashboards.md)."""
from datetime import date
from decimal import Decimal

import pytest

from reporting.measures import AUTHORITY, measures_by_team, measures_for
from supervision.models import SupervisionSession
from tests.factories import TeamFactory, UserFactory, WorkerFactory
from workload.models import Absence, CaseloadSnapshot, TeamSnapshot

pytestmark = pytest.mark.django_db
MONTH, END = date(2025, 1, 1), date(2025, 1, 31)


def authority(teams: int, workers: int) -> list[int]:
    supervisor = UserFactory()
    ids = []
    for t in range(teams):
        team = TeamFactory()
        ids.append(team.pk)
        TeamSnapshot.objects.create(team=team, taken_on=END, kind="month_end", unallocated_children=t)
        for w in range(workers):
            worker = WorkerFactory(team=team, wte=Decimal("0.5") if w % 3 == 0 else Decimal("1.0"))
            CaseloadSnapshot.objects.create(worker=worker, team=team, taken_on=END, kind="month_end", wte=worker.wte,
                                            allocated_children=10 + w)
            SupervisionSession.objects.create(worker=worker, supervisor=supervisor, held_on=date(2025, 1, 9))
            if w == 1:
                Absence.objects.create(worker=worker, kind="sickness", start=date(2024, 11, 4))
    return ids


@pytest.mark.parametrize(("teams", "workers"), [(2, 3), (8, 12)])
def test_authority_measures_take_eleven_queries_whatever_the_size(django_assert_num_queries, teams, workers):
    authority(teams, workers)
    # 1 the scope's teams; 3 teams with their scheme assignments, policies, the data of the versions in force;
    # 1 snapshot dates; 1 grouped statement (snapshot rows with their Exists subqueries and bands, and the
    # pro-formas of workers without a snapshot); 1 team snapshots; 1 escalations; 1 imported aggregates; 2 M22
    with django_assert_num_queries(11):
        values = measures_for(AUTHORITY, [MONTH])
    m01 = next(v for v in values if v.measure == "M01")
    assert m01.detail["headcount"] == teams * (workers - 1)  # one long-absent worker per team


@pytest.mark.parametrize(("teams", "workers"), [(2, 3), (8, 12)])
def test_twelve_months_take_the_same_eleven_queries(django_assert_num_queries, teams, workers):
    authority(teams, workers)
    months = [date(2024, m, 1) for m in range(2, 13)] + [MONTH]
    # the same queries as one month, each grouped by month
    with django_assert_num_queries(11):
        values = measures_for(AUTHORITY, months)
    m01 = [v for v in values if v.measure == "M01"]
    assert [v.month for v in m01] == months
    assert [v.status for v in m01] == ["no_data"] * 11 + ["ok"]  # snapshots only in January 2025
    assert m01[-1].detail["headcount"] == teams * (workers - 1)


@pytest.mark.parametrize(("teams", "workers"), [(2, 3), (8, 12)])
def test_per_team_rows_take_ten_queries_whatever_the_size(django_assert_max_num_queries, teams, workers):
    ids = authority(teams, workers)
    with django_assert_max_num_queries(10):
        rows = measures_by_team(ids, MONTH)
    assert sorted(rows) == sorted(ids)
    assert {next(v.display for v in values if v.measure == "M15") for values in rows.values()} == {
        f"{t}; 11 held by absent workers" for t in range(teams)}
