"""Shared fixtures. Real-infrastructure fixtures (Celery worker, SMTP sink, Chromium) are in tests/plugins/infra.py;
running in parallel (pytest-xdist) in tests/plugins/parallel.py."""
from datetime import date

import pytest
from django.contrib.auth.models import Group

from tests.factories import TeamFactory, UserFactory, WorkerFactory
from workload.roles import Role

pytest_plugins = ["tests.plugins.infra", "tests.plugins.parallel"]


@pytest.fixture
def month() -> date:
    return date(2025, 7, 1)


def user_with_role(role: str, **kwargs):
    user = UserFactory(**kwargs)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


@pytest.fixture
def make_user():
    return user_with_role


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def manager(db, team):
    user = user_with_role(Role.TEAM_MANAGER, first_name="Tess", last_name="Manager")
    team.managers.add(user)
    return user


@pytest.fixture
def worker(db, team):
    user = user_with_role(Role.SOCIAL_WORKER, first_name="Sam", last_name="Worker")
    return WorkerFactory(team=team, user=user, first_name="Sam", surname="Worker")
