"""factory_boy factories: each builds a valid, minimal object; tests state the facts they depend on."""
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from workload.models import (
    Allocation,
    Case,
    CaseloadPreset,
    CaseloadSnapshot,
    Membership,
    SchemeVersion,
    ServiceArea,
    Team,
    TeamPolicy,
    TeamScheme,
    Worker,
)

HISTORY_START = date(2024, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("caseweight-test")


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Area {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    """A Nottinghamshire assessment team on BARNET_2019 Duty and Assessment (the REPORTS worked example)."""

    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    code = factory.Sequence(lambda n: f"T{n}")
    service_area = factory.SubFactory(ServiceAreaFactory)

    @factory.post_generation
    def scheme(self, create, extracted, **kwargs):
        if not create:
            return
        slug, team_type = extracted or ("nottinghamshire-wlm-2016", "assessment")
        TeamScheme.objects.create(
            team=self, scheme_version=SchemeVersion.objects.get(slug=slug), team_type=team_type, valid_from=HISTORY_START
        )
        TeamPolicy.objects.create(
            team=self, preset=CaseloadPreset.objects.get(code="BARNET_2019"), team_type="duty_and_assessment",
            valid_from=HISTORY_START,
        )


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker
        skip_postgeneration_save = True

    first_name = "Jo"
    surname = factory.Sequence(lambda n: f"Smith{n}")
    team = factory.SubFactory(TeamFactory)
    wte = Decimal("1.00")

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create and self.team_id:
            Membership.objects.create(worker=self, team=self.team, start=extracted or HISTORY_START)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    team = factory.SubFactory(TeamFactory)
    reference = factory.Sequence(lambda n: f"F-{10000 + n}")
    children = 1
    category = "cin_stable"
    opened = HISTORY_START


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    case = factory.SubFactory(CaseFactory)
    worker = factory.SubFactory(WorkerFactory)
    start = HISTORY_START


class CaseloadSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseloadSnapshot

    worker = factory.SubFactory(WorkerFactory)
    team = factory.LazyAttribute(lambda s: s.worker.team)
    taken_on = date(2025, 7, 31)
    kind = "month_end"
    wte = factory.LazyAttribute(lambda s: s.worker.wte)
