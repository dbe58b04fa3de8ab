"""Bad input gets a clear error and nothing is half-saved."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories import AllocationFactory, CaseFactory, TeamFactory, WorkerFactory
from workload import services
from workload.models import Allocation, CaseloadPreset, Membership, Position, SchemeVersion, Worker
from workload.roles import Role

pytestmark = pytest.mark.django_db


def test_reference_data_is_loaded_by_migration():
    assert sorted(SchemeVersion.objects.values_list("slug", flat=True)) == [
        "caseload-count-v1", "nottinghamshire-wlm-2016", "rbwm-cws-v1", "swindon-cws-v1", "warrington-wms-2014",
    ]
    assert sorted(CaseloadPreset.objects.values_list("code", flat=True)) == [
        "BARNET_2019", "CAMBRIDGESHIRE_2018", "LUTON_WSX", "PERF_2017", "PROGRESS_2022",
    ]
    from django.contrib.auth.models import Group

    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(Role.values)  # one group per role


@pytest.mark.parametrize("wte", [Decimal("0"), Decimal("1.01"), Decimal("-0.5")])
def test_worker_wte_outside_zero_to_one_is_refused_with_a_message(team, wte):
    with pytest.raises(ValidationError) as exc:
        services.worker_create(team=team, start=date(2025, 1, 1), first_name="A", surname="B", wte=wte)
    assert "wte" in exc.value.message_dict
    assert Worker.objects.count() == 0  # nothing half-saved


def test_the_database_refuses_an_out_of_range_wte_too(team):
    worker = WorkerFactory(team=team)
    with pytest.raises(IntegrityError), transaction.atomic():
        Worker.objects.filter(pk=worker.pk).update(wte=Decimal("1.5"))


def test_worker_create_records_the_first_membership(team):
    worker = services.worker_create(team=team, start=date(2025, 1, 6), first_name="Ada", surname="Lovelace",
                                    wte=Decimal("0.6"))
    assert list(Membership.objects.filter(worker=worker).values_list("team_id", "start", "end")) == [
        (team.pk, date(2025, 1, 6), None)
    ]


def test_membership_move_closes_the_old_team_the_day_before(team):
    worker = WorkerFactory(team=team, membership=date(2024, 1, 1))
    other = TeamFactory(name="Other")
    services.membership_move(worker=worker, team=other, start=date(2025, 3, 1))
    worker.refresh_from_db()
    assert worker.team == other
    assert list(worker.memberships.order_by("start").values_list("team_id", "start", "end")) == [
        (team.pk, date(2024, 1, 1), date(2025, 2, 28)),
        (other.pk, date(2025, 3, 1), None),
    ]


def test_a_worker_cannot_be_in_two_teams_for_the_same_dates(team):
    worker = WorkerFactory(team=team, membership=date(2024, 1, 1))
    other = TeamFactory(name="Other")
    with pytest.raises(ValidationError) as exc:
        services.membership_add(worker=worker, team=other, start=date(2024, 6, 1), end=date(2024, 7, 31))
    assert "already in" in exc.value.message_dict["start"][0]
    assert worker.memberships.count() == 1


def test_a_move_before_the_current_membership_started_is_refused(team):
    worker = WorkerFactory(team=team, membership=date(2025, 1, 1))
    with pytest.raises(ValidationError, match="must start after"):
        services.membership_move(worker=worker, team=TeamFactory(name="Other"), start=date(2024, 12, 1))


def test_a_case_cannot_have_more_than_two_workers(team):
    case = CaseFactory(team=team)
    first, second, third = (WorkerFactory(team=team) for _ in range(3))
    services.case_allocate(case=case, worker=first, start=date(2025, 1, 1))
    services.case_allocate(case=case, worker=second, start=date(2025, 1, 1), role="co_worker")
    with pytest.raises(ValidationError) as exc:
        services.case_allocate(case=case, worker=third, start=date(2025, 2, 1))
    assert "already has 2 workers" in exc.value.message_dict["worker"][0]
    assert Allocation.objects.filter(case=case).count() == 2


def test_an_ended_allocation_frees_a_place(team):
    case = CaseFactory(team=team)
    first, second, third = (WorkerFactory(team=team) for _ in range(3))
    a = services.case_allocate(case=case, worker=first, start=date(2025, 1, 1))
    services.case_allocate(case=case, worker=second, start=date(2025, 1, 1))
    services.allocation_end(allocation=a, end=date(2025, 1, 31))
    services.case_allocate(case=case, worker=third, start=date(2025, 2, 1))
    assert list(Allocation.objects.filter(case=case).order_by("start", "worker_id")
                .values_list("worker_id", "start", "end")) == [
        (first.pk, date(2025, 1, 1), date(2025, 1, 31)),
        (second.pk, date(2025, 1, 1), None),
        (third.pk, date(2025, 2, 1), None),
    ]


def test_a_student_cannot_be_the_allocated_worker(team):
    student = WorkerFactory(team=team, position=Position.STUDENT)
    case = CaseFactory(team=team)
    with pytest.raises(ValidationError, match="student"):
        services.case_allocate(case=case, worker=student, start=date(2025, 1, 1))
    assert Allocation.objects.filter(case=case).count() == 0  # the refused allocation left nothing behind
    services.case_allocate(case=case, worker=student, start=date(2025, 1, 1), role="co_worker")
    assert list(Allocation.objects.filter(case=case).values_list("worker_id", "role")) == [(student.pk, "co_worker")]


def test_case_close_ends_open_allocations(team):
    allocation = AllocationFactory(case=CaseFactory(team=team), worker=WorkerFactory(team=team))
    services.case_close(case=allocation.case, closed=date(2025, 5, 31))
    allocation.refresh_from_db()
    assert allocation.end == date(2025, 5, 31)


def test_scheme_versions_are_added_never_overwritten():
    base = SchemeVersion.objects.get(slug="nottinghamshire-wlm-2016")
    with pytest.raises(ValidationError, match="never changed"):
        services.scheme_version_add(slug=base.slug, label="Edited", data=base.data)
    new = services.scheme_version_add(slug="nottinghamshire-wlm-2027", label="Nottinghamshire WLM 2027", data=base.data)
    assert new.scheme == base.scheme
    assert new.data["slug"] == "nottinghamshire-wlm-2027"
    assert SchemeVersion.objects.get(slug=base.slug).data == base.data


def test_team_scheme_team_type_must_belong_to_the_scheme(team):
    version = SchemeVersion.objects.get(slug="swindon-cws-v1")
    with pytest.raises(ValidationError) as exc:
        services.team_scheme_set(team=team, scheme_version=version, team_type="assessment", valid_from=date(2025, 4, 1),
                                 agreed_through=None)
    assert "not a team type" in exc.value.message_dict["team_type"][0]
