"""Import end to end: teams, workers, cases and allocations from generated CSV files, then again (no change)."""
from datetime import date
from decimal import Decimal

import pytest

from reporting.imports import apply_import, plan_import
from tests.import_samples import ALLOCATIONS, CASES, TEAMS, TODAY, WORKERS, files
from workload.models import Allocation, Case, Membership, Team, TeamPolicy, TeamScheme, Worker


@pytest.mark.django_db
def test_import_creates_then_reimport_changes_nothing():
    plan = plan_import(files(), today=TODAY)
    assert plan.errors == []
    assert {f.kind: f.counts for f in plan.files} == {
        "teams": {"created": 1, "changed": 0, "closed": 0, "unchanged": 0},
        "workers": {"created": 2, "changed": 0, "closed": 0, "unchanged": 0},
        "cases": {"created": 2, "changed": 0, "closed": 0, "unchanged": 0},
        "allocations": {"created": 3, "changed": 0, "closed": 0, "unchanged": 0},
    }
    apply_import(plan)
    team = Team.objects.get(code="DA1")
    assert (team.name, team.service_area.name) == ("Duty and Assessment 1", "North")
    assert list(TeamScheme.objects.filter(team=team).values_list("scheme_version__slug", "team_type", "valid_from")) == [
        ("nottinghamshire-wlm-2016", "assessment", date(2024, 1, 1))
    ]
    assert list(TeamPolicy.objects.filter(team=team).values_list("preset__code", "team_type")) == [
        ("BARNET_2019", "duty_and_assessment")
    ]
    ben = Worker.objects.get(source_id="W2")
    assert (ben.full_name, ben.position, ben.employment_type, ben.wte, ben.team, ben.supervisor.source_id) == (
        "Ben Roe", "asye", "agency", Decimal("0.60"), team, "W1"
    )
    assert list(Membership.objects.filter(worker=ben).values_list("team__code", "start", "end")) == [
        ("DA1", date(2025, 1, 6), None)
    ]
    assert list(Allocation.objects.order_by("case__reference", "start").values_list(
        "case__reference", "worker__source_id", "role", "start", "end")) == [
        ("C1", "W1", "allocated", date(2025, 2, 1), None),
        ("C1", "W2", "co_worker", date(2025, 2, 10), None),
        ("C2", "W2", "allocated", date(2025, 3, 1), date(2025, 6, 30)),
    ]
    before = {m.__name__: sorted(m.objects.values_list()) for m in (Team, Worker, Membership, Case, Allocation)}

    again = plan_import(files(), today=TODAY)
    assert {f.kind: f.counts for f in again.files} == {
        "teams": {"created": 0, "changed": 0, "closed": 0, "unchanged": 1},
        "workers": {"created": 0, "changed": 0, "closed": 0, "unchanged": 2},
        "cases": {"created": 0, "changed": 0, "closed": 0, "unchanged": 2},
        "allocations": {"created": 0, "changed": 0, "closed": 0, "unchanged": 3},
    }
    apply_import(again)
    after = {m.__name__: sorted(m.objects.values_list()) for m in (Team, Worker, Membership, Case, Allocation)}
    assert after == before


@pytest.mark.django_db
def test_import_counts_changed_and_closed():
    apply_import(plan_import(files(), today=TODAY))
    cases = CASES.replace("C1,DA1,2,cin_stable,,2025-02-01,", "C1,DA1,3,cin_stable,,2025-02-01,")
    allocations = ALLOCATIONS.replace("C1,W2,co_worker,2025-02-10,,", "C1,W2,co_worker,2025-02-10,2025-07-31,")
    plan = plan_import(files(**{"cases.csv": cases, "allocations.csv": allocations}), today=TODAY)
    assert plan.errors == []
    assert (plan.file("cases").counts, plan.file("allocations").counts) == (
        {"created": 0, "changed": 1, "closed": 0, "unchanged": 1},
        {"created": 0, "changed": 0, "closed": 1, "unchanged": 2},
    )
    apply_import(plan)
    assert Case.objects.get(reference="C1").children == 3
    assert Allocation.objects.get(case__reference="C1", worker__source_id="W2").end == date(2025, 7, 31)


@pytest.mark.django_db
def test_a_move_closes_one_membership_and_opens_the_next():
    apply_import(plan_import(files(), today=TODAY))
    teams = TEAMS + "DA2,Duty and Assessment 2,South,duty_and_assessment,BARNET_2019,nottinghamshire-wlm-2016,assessment,2024-01\n"
    workers = WORKERS.replace("DA1,2024-01-01,\n", "DA1,2024-01-01,2025-05-31\n") + \
        "W1,Ann,Lee,social_worker,permanent,1,,,,yes,,,DA2,2025-06-01,\n"
    plan = plan_import(files(**{"teams.csv": teams, "workers.csv": workers}), today=TODAY)
    assert plan.errors == []
    assert (plan.file("teams").counts, plan.file("workers").counts) == (
        {"created": 1, "changed": 0, "closed": 0, "unchanged": 1},
        {"created": 1, "changed": 0, "closed": 1, "unchanged": 1},
    )
    apply_import(plan)
    ann = Worker.objects.get(source_id="W1")
    assert ann.team.code == "DA2"
    assert list(Membership.objects.filter(worker=ann).order_by("start").values_list("team__code", "start", "end")) == [
        ("DA1", date(2024, 1, 1), date(2025, 5, 31)), ("DA2", date(2025, 6, 1), None)]
