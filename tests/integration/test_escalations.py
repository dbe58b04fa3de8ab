"""Escalations from the snapshot history: REPORTS' worked example dates (team DA1, BARNET_2019, and the
same caseloads under LUTON_WSX), idempotence and bounded reads of the evaluation."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reporting.escalation_services import escalation_decide
from reporting.escalations import escalations_evaluate
from reporting.models import Escalation, EscalationEvent, EscalationKind, EscalationState
from tests.factories import CaseloadSnapshotFactory, TeamFactory, WorkerFactory
from tests.factories_supervision import head_of_service, team_manager
from workload.models import Absence, AbsenceType, CaseloadPreset, Position, SnapshotKind, TeamPolicy

pytestmark = pytest.mark.django_db

FIRST_FRIDAY = date(2024, 11, 1)
W2_OVER, W3_OVER, W6_OVER = date(2025, 1, 24), date(2025, 1, 31), date(2024, 11, 15)


def fridays(until: date) -> list[date]:
    days, day = [], FIRST_FRIDAY
    while day <= until:
        days.append(day)
        day += timedelta(weeks=1)
    return days


def build_da1(*, until: date, preset: str = "BARNET_2019", team_type: str = "duty_and_assessment"):
    """Team DA1 of the worked example with a weekly snapshot history (every Friday from 1 Nov 2024); the
    snapshot of Fri 31 Jan 2025 is the month end."""
    team = TeamFactory(code="DA1", name="Duty and Assessment 1")
    if preset != "BARNET_2019":
        TeamPolicy.objects.filter(team=team).update(preset=CaseloadPreset.objects.get(code=preset), team_type=team_type)
    hos = head_of_service(team.service_area, first_name="Hana", last_name="Head")
    manager_user = team_manager(team, first_name="Tess", last_name="Manager")

    def worker(name, wte="1.00", **fields):
        return WorkerFactory(team=team, first_name=name, surname="DA1", wte=Decimal(wte), **fields)

    people = {
        "TM": worker("TM", position=Position.TEAM_MANAGER, user=manager_user),
        "W1": worker("W1", position=Position.SENIOR_PRACTITIONER),
        "W2": worker("W2"), "W3": worker("W3", "0.60"),
        "W4": worker("W4", position=Position.ASYE, asye_start=date(2024, 9, 2)),
        "W5": worker("W5", "0.80", position=Position.ASYE, asye_start=date(2024, 10, 1)),
        "W6": worker("W6"), "W7": worker("W7"),
    }
    Absence.objects.create(worker=people["W7"], kind=AbsenceType.SICKNESS, start=date(2024, 12, 2))

    def cases(name: str, day: date) -> int:
        return {
            "TM": 2, "W1": 16, "W4": 13, "W5": 6, "W7": 3,
            "W2": 24 if day >= W2_OVER else 20,
            "W3": 14 if day >= W3_OVER else 13,  # 13 ≤ 13.2 until 31 Jan
            "W6": 29 if day >= W6_OVER else 20,
        }[name]

    for day in fridays(until):
        kind = SnapshotKind.MONTH_END if day == date(2025, 1, 31) else SnapshotKind.WEEKLY
        for name, person in people.items():
            CaseloadSnapshotFactory(worker=person, team=team, taken_on=day, kind=kind,
                                    allocated_children=cases(name, day))
    return team, people, hos


def rows() -> list[tuple]:
    return sorted(
        Escalation.objects.values_list("kind", "worker__first_name", "first_over_on", "opened_on", "due_on", "state",
                                       "cases", "threshold", "closed_on", "owner__username")
    )


def test_worked_example_escalation_dates_under_barnet():
    team, people, hos = build_da1(until=date(2025, 1, 31))
    escalations_evaluate(on=W6_OVER)  # the week W6 first went over 22: a request to the head of service
    w6_request = Escalation.objects.get(kind=EscalationKind.HOS_AGREEMENT, worker=people["W6"])
    escalation_decide(escalation=w6_request, user=hos, agree=True, until=date(2025, 6, 30),
                      comment="Agreed with the action plan.", today=date(2024, 11, 20))

    escalations_evaluate(on=date(2025, 1, 31))

    found = {
        (e.kind, e.worker.first_name): (e.first_over_on, e.opened_on, e.due_on, e.state, e.owner_id)
        for e in Escalation.objects.select_related("worker")
    }
    tm = people["TM"].user_id
    assert found == {
        # (a) over 22 × WTE with no agreement: due 5 working days after the first snapshot over
        (EscalationKind.HOS_AGREEMENT, "W2"): (W2_OVER, W2_OVER, date(2025, 1, 31), EscalationState.OPEN, hos.pk),
        (EscalationKind.HOS_AGREEMENT, "W3"): (W3_OVER, W3_OVER, date(2025, 2, 7), EscalationState.OPEN, hos.pk),
        (EscalationKind.HOS_AGREEMENT, "W6"): (W6_OVER, W6_OVER, date(2024, 11, 22), EscalationState.AGREED, hos.pk),
        # (b) 15 Nov 2024 + 2 months = 15 Jan 2025; first snapshot strictly after: Fri 17 Jan; HoS 10 working days
        (EscalationKind.SUSTAINED, "W6"): (W6_OVER, date(2025, 1, 17), date(2025, 1, 31), EscalationState.OPEN, hos.pk),
        # managers hold no cases: from the first snapshot, reallocated by the next weekly snapshot
        (EscalationKind.MANAGER_HOLDING_CASES, "TM"): (FIRST_FRIDAY, FIRST_FRIDAY, date(2024, 11, 8),
                                                       EscalationState.OPEN, tm),
        # sick since Mon 2 Dec 2024 without an expected return: long from Mon 23 Dec (15 working days), seen
        # holding 3 children at the next snapshot, Fri 27 Dec; reallocated by the next weekly snapshot
        (EscalationKind.LONG_ABSENCE, "W7"): (date(2024, 12, 23), date(2024, 12, 27), date(2025, 1, 3),
                                              EscalationState.OPEN, tm),
    }
    w3 = Escalation.objects.get(kind=EscalationKind.HOS_AGREEMENT, worker=people["W3"])
    assert (w3.cases, w3.threshold) == (14, Decimal("13.20"))  # pro_rata: 22 × 0.6; a raw reading would not fire
    # M18 on 31 Jan: (a) not yet agreed = W2, W3; (b) W6
    open_now = Escalation.objects.open_on(date(2025, 1, 31))
    assert open_now.filter(kind=EscalationKind.HOS_AGREEMENT).exclude(state=EscalationState.AGREED).count() == 2
    assert open_now.filter(kind=EscalationKind.SUSTAINED).count() == 1


def test_worked_example_sustained_under_luton_fires_after_three_months():
    build_da1(until=date(2025, 2, 28), preset="LUTON_WSX", team_type="social_work")
    escalations_evaluate(on=date(2025, 2, 28))
    sustained = Escalation.objects.filter(kind=EscalationKind.SUSTAINED).select_related("worker")
    # Luton max 20 × WTE: W2 over since 24 Jan (not yet 3 months); W6 since 15 Nov: 15 Feb, first snapshot
    # after = Fri 21 Feb; W3 (13 > 20 × 0.6 = 12) since the first snapshot, 1 Nov: 1 Feb, first after = Fri 7 Feb
    assert [(e.worker.first_name, e.first_over_on, e.opened_on, e.due_on) for e in sustained] == [
        ("W6", W6_OVER, date(2025, 2, 21), date(2025, 3, 7)),
        ("W3", FIRST_FRIDAY, date(2025, 2, 7), date(2025, 2, 21)),
    ]
    # no agreement threshold under Luton: nothing asks for the head of service's agreement
    assert not Escalation.objects.filter(kind=EscalationKind.HOS_AGREEMENT).exists()


def test_team_above_target_at_month_end_under_luton():
    """DA1's month-end average under LUTON_WSX (target 15–20; its population W1–W6): Nov 2024 (last snapshot
    Fri 29 Nov) (16+20+13+13+6+29) ÷ 5.4 = 18.1 ≤ 20; Dec (27 Dec) the same; Jan (31 Jan) 102 ÷ 5.4 = 18.9."""
    team, people, hos = build_da1(until=date(2025, 2, 28), preset="LUTON_WSX", team_type="social_work")
    for snapshot in people["W1"].snapshots.filter(taken_on__gte=date(2025, 2, 1)):
        snapshot.allocated_children = 40  # Feb: (40+24+14+13+6+29) ÷ 5.4 = 126 ÷ 5.4 = 23.3 > 20
        snapshot.save()
    escalations_evaluate(on=date(2025, 2, 28))
    team_rows = Escalation.objects.filter(kind=EscalationKind.TEAM_ABOVE_TARGET)
    assert [(e.worker_id, e.first_over_on, e.opened_on, e.due_on, e.cases, e.threshold, e.owner_id)
            for e in team_rows] == [
        (None, date(2025, 2, 28), date(2025, 2, 28), date(2025, 3, 14), 126, Decimal("108.00"), hos.pk),
    ]
    assert team_rows[0].events.get(action="opened").data["average"] == "23.3"


def test_evaluating_twice_changes_nothing():
    build_da1(until=date(2025, 1, 31))
    first = escalations_evaluate(on=date(2025, 1, 31))
    before_rows = rows()
    before_events = list(EscalationEvent.objects.order_by("pk").values_list("pk", "escalation_id", "action", "data"))

    second = escalations_evaluate(on=date(2025, 1, 31))

    assert (first, second) == ({"opened": 6, "updated": 0, "closed": 0}, {"opened": 0, "updated": 0, "closed": 0})
    assert rows() == before_rows
    assert list(EscalationEvent.objects.order_by("pk").values_list("pk", "escalation_id", "action", "data")) == \
        before_events


def test_an_escalation_updates_then_closes_when_the_caseload_drops():
    team, people, hos = build_da1(until=date(2025, 1, 31))
    escalations_evaluate(on=date(2025, 1, 24))
    w2 = people["W2"]
    w2.snapshots.filter(taken_on=date(2025, 1, 31)).update(allocated_children=25)
    escalations_evaluate(on=date(2025, 1, 31))
    request = Escalation.objects.get(kind=EscalationKind.HOS_AGREEMENT, worker=w2)
    assert request.cases == 25
    assert list(request.events.values_list("action", "data")) == [
        ("opened", {"cases": 24, "threshold": "22.00", "due_on": "2025-01-31"}),
        ("updated", {"cases": [24, 25], "threshold": ["22.00", "22.00"]}),
    ]
    CaseloadSnapshotFactory(worker=w2, team=team, taken_on=date(2025, 2, 7), kind=SnapshotKind.WEEKLY,
                            allocated_children=21)
    escalations_evaluate(on=date(2025, 2, 7))
    request.refresh_from_db()
    assert (request.state, request.closed_on, request.closed_reason) == (
        EscalationState.CLOSED, date(2025, 2, 7), "Caseload back under the threshold")
    assert list(request.events.values_list("action", flat=True)) == ["opened", "updated", "closed"]


def _evaluation_queries(workers: int) -> int:
    team = TeamFactory()
    for n in range(workers):
        person = WorkerFactory(team=team)
        for day in fridays(date(2024, 12, 27)):
            CaseloadSnapshotFactory(worker=person, team=team, taken_on=day, kind=SnapshotKind.WEEKLY,
                                    allocated_children=30 if n % 2 else 10)
    escalations_evaluate(on=date(2024, 12, 27))  # opens; the second run below only reads
    with CaptureQueriesContext(connection) as queries:
        escalations_evaluate(on=date(2024, 12, 27))
    return len(queries)


def test_evaluation_reads_a_fixed_number_of_queries():
    small = _evaluation_queries(2)
    Escalation.objects.all().delete()
    large = _evaluation_queries(8)
    # savepoint and release of the evaluation's transaction; snapshots, policies, schemes, absences,
    # escalations (owners are read only when opening): no query per worker or per escalation
    assert (small, large) == (7, 7)


def _weekly(person, team, days, children):
    for day in days:
        CaseloadSnapshotFactory(worker=person, team=team, taken_on=day, kind=SnapshotKind.WEEKLY,
                                allocated_children=children)


def test_practice_managers_hold_cases_only_where_the_scheme_scores_them():
    """POL-23: a Warrington practice manager is case-holding; a practice manager elsewhere is flagged."""
    warrington = TeamFactory(scheme=("warrington-wms-2014", "children_in_care"))
    elsewhere = TeamFactory()
    days = fridays(date(2024, 11, 8))
    for team in (warrington, elsewhere):
        _weekly(WorkerFactory(team=team, first_name="Pat", position=Position.PRACTICE_MANAGER), team, days, 4)
    escalations_evaluate(on=days[-1])
    assert list(Escalation.objects.values_list("kind", "team", "first_over_on", "due_on")) == [
        (EscalationKind.MANAGER_HOLDING_CASES, elsewhere.pk, FIRST_FRIDAY, date(2024, 11, 8))]


def test_an_agreement_that_ends_while_still_over_goes_back_to_the_head_of_service():
    team = TeamFactory()
    hos = head_of_service(team.service_area)
    person = WorkerFactory(team=team)
    days = fridays(date(2024, 12, 6))
    _weekly(person, team, days, 23)
    escalations_evaluate(on=FIRST_FRIDAY)
    request = Escalation.objects.get(kind=EscalationKind.HOS_AGREEMENT)
    escalation_decide(escalation=request, user=hos, agree=True, until=date(2024, 11, 29), comment="For November.",
                      today=date(2024, 11, 4))
    escalations_evaluate(on=date(2024, 11, 29))
    request.refresh_from_db()
    assert request.state == EscalationState.AGREED  # still in force on its last day
    escalations_evaluate(on=date(2024, 12, 6))
    request.refresh_from_db()
    assert (request.state, request.due_on) == (EscalationState.OPEN, date(2024, 12, 6))  # 29 Nov + 5 working days
    assert list(request.events.values_list("action", flat=True)) == ["opened", "agreed", "agreement_ended"]


def test_planned_long_absence_counts_from_its_start():
    """R14 (a): leave expected to exceed 15 working days is long from its first day; due by that day."""
    team = TeamFactory()
    person = WorkerFactory(team=team)
    Absence.objects.create(worker=person, kind=AbsenceType.ANNUAL_LEAVE, start=date(2024, 11, 4),
                           expected_return=date(2024, 11, 29))  # 19 working days after the start
    days = fridays(date(2024, 11, 22))
    _weekly(person, team, days, 3)
    escalations_evaluate(on=days[-1])
    assert list(Escalation.objects.values_list("kind", "first_over_on", "opened_on", "due_on")) == [
        (EscalationKind.LONG_ABSENCE, date(2024, 11, 4), date(2024, 11, 8), date(2024, 11, 4))]


def test_opening_queues_one_email_and_a_retry_sends_nothing_more(mailoutbox, settings,
                                                                django_capture_on_commit_callbacks):
    from reporting.escalation_services import escalation_opened_send

    settings.CELERY_TASK_ALWAYS_EAGER = True
    team = TeamFactory(name="Intake")
    head_of_service(team.service_area, email="head@example.org")
    _weekly(WorkerFactory(team=team, first_name="Kim", surname="Busy"), team, [FIRST_FRIDAY], 30)
    with django_capture_on_commit_callbacks(execute=True):
        escalations_evaluate(on=FIRST_FRIDAY)
    escalation = Escalation.objects.get()
    assert escalation_opened_send(escalation_id=escalation.pk) is False  # the retry finds it sent
    assert [(m.subject, m.to) for m in mailoutbox] == [
        ("Caseload escalation for Kim Busy (Intake): over the head of service agreement threshold",
         ["head@example.org"])]
    assert list(escalation.events.values_list("action", flat=True)) == ["opened", "emailed"]
