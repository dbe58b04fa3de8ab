"""The drill-down lists behind a count (measure_workers) hold exactly the workers the count counted, including
those counted from a countersigned pro-forma because they had no snapshot in the month (REPORTS 1.1
"Fallback"), in a number of queries that does not grow with teams or workers."""
from datetime import date
from decimal import Decimal

import pytest

from reporting.measures import AUTHORITY, measure_workers, measures_for, team_scope
from tests.factories import TeamFactory, UserFactory, WorkerFactory
from tests.worked_example import entry
from workload.models import Absence, CaseloadSnapshot, Position, TeamSnapshot

pytestmark = pytest.mark.django_db
MONTH, END = date(2025, 1, 1), date(2025, 1, 31)


def snap(team, children, **fields):
    worker = WorkerFactory(team=team, **fields)
    CaseloadSnapshot.objects.create(worker=worker, team=team, taken_on=END, kind="month_end", wte=worker.wte,
                                    allocated_children=children)
    return worker


def only_proforma(team, children, user, total="90", **fields):
    worker = WorkerFactory(team=team, **fields)
    entry(worker, MONTH, total, created_by=user, children=children)
    return worker


def figure(values, measure, n=None):
    return next(v for v in values if v.measure == measure and (n is None or v.threshold == Decimal(n)))


def test_a_worker_counted_from_their_pro_forma_is_listed_so_the_list_matches_the_count():
    user = UserFactory()
    team = TeamFactory()  # BARNET_2019: more than 22 × WTE
    TeamSnapshot.objects.create(team=team, taken_on=END, kind="month_end", unallocated_children=0)
    snap(team, 30, surname="Adams")
    snap(team, 10, surname="Brown")
    only_proforma(team, 25, user, surname="Carter")  # over 22, no snapshot this month
    only_proforma(team, 5, user, surname="Davies")  # under
    only_proforma(team, 40, user, total=None, surname="Evans")  # not countersigned: not counted, not listed
    only_proforma(team, 3, user, surname="Fox", position=Position.TEAM_MANAGER)  # a manager holding cases
    absent = only_proforma(team, 7, user, surname="Green")  # holding cases on a long absence
    Absence.objects.create(worker=absent, kind="sickness", start=date(2024, 11, 4))
    values = measures_for(team_scope(team), [MONTH])

    over = measure_workers(team_scope(team), MONTH, "M04", 22)
    assert [(r["initials"], r["cases"], r["from_proforma"]) for r in over] == [("JA", 30, False), ("JC", 25, True)]
    assert figure(values, "M04", 22).value == len(over) == 2
    managers = measure_workers(team_scope(team), MONTH, "M17")
    assert [(r["initials"], r["from_proforma"]) for r in managers] == [("JF", True)]
    assert figure(values, "M17").value == len(managers)
    held = measure_workers(team_scope(team), MONTH, "M15")
    assert [(r["initials"], r["allocated_children"], r["from_proforma"]) for r in held] == [("JG", 7, True)]
    assert figure(values, "M15").detail["held_by_absent"] == sum(r["allocated_children"] for r in held)


@pytest.mark.parametrize(("teams", "workers"), [(2, 2), (6, 8)])
def test_the_drill_down_takes_the_same_queries_whatever_the_size(django_assert_num_queries, teams, workers):
    user = UserFactory()
    for _ in range(teams):
        team = TeamFactory()
        for _ in range(workers):
            snap(team, 30)
            only_proforma(team, 30, user)
    # 1 the scope's teams; 3 teams with their scheme assignments, policies, the versions in force;
    # 1 snapshot dates; 1 the snapshot rows UNION the pro-forma rows
    with django_assert_num_queries(6):
        rows = measure_workers(AUTHORITY, MONTH, "M04", 22)
    assert (len(rows), sum(r["from_proforma"] for r in rows)) == (2 * teams * workers, teams * workers)
