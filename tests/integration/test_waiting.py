"""What is waiting for this person: the home panel and the navigation badges, in a fixed number of queries."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.concerns import WaitingCounts, concern_answer, waiting_counts
from supervision.models import WorkloadConcern
from supervision.services import entry_dispute
from supervision.team_services import concern_raise
from tests.conftest import user_with_role
from tests.factories import ServiceAreaFactory, TeamFactory
from tests.factories_supervision import (
    allocate,
    head_of_service,
    started,
    submitted,
    team_manager,
    worker_with_login,
)
from workload.roles import Role, user_roles

pytestmark = pytest.mark.django_db
JULY, AUGUST = date(2025, 7, 1), date(2025, 8, 1)
LONG_AGO = datetime(2025, 7, 1, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # overdue whatever today is


def concern(worker, text: str, *, on: datetime | None = None) -> WorkloadConcern:
    made = concern_raise(worker=worker, raised_by=worker.user, text=text)
    if on is not None:
        WorkloadConcern.objects.filter(pk=made.pk).update(created_at=on)
    return made


@pytest.fixture
def cycle(db):
    """A team with one entry awaiting the worker's signature, one disputed entry, one overdue and one new
    concern; and another team whose records must never count."""
    team = TeamFactory(name="Assessment East")
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    hos = head_of_service(team.service_area, first_name="Hana", last_name="Head")
    sam = worker_with_login(team)
    allocate(sam, reference="F-1")
    submitted(started(sam, manager, JULY), manager)
    dee = worker_with_login(team, first_name="Dee", surname="Disputer")
    allocate(dee, reference="F-2")
    entry_dispute(entry=submitted(started(dee, manager, JULY), manager), user=dee.user,
                  reason="Two of these cases closed in June.")
    old = concern(sam, "Court work all month.", on=LONG_AGO)
    new = concern(dee, "A new large sibling group.")
    other = TeamFactory(name="Elsewhere")
    other_manager = team_manager(other, first_name="Omar", last_name="Other")
    olu = worker_with_login(other, first_name="Olu", surname="Else")
    concern(olu, "Not yours.", on=LONG_AGO)
    return {"team": team, "manager": manager, "hos": hos, "sam": sam, "dee": dee, "old": old, "new": new,
            "other_manager": other_manager}


def test_waiting_counts_per_role(cycle):
    today = timezone.localdate()
    shown_tm = frozenset({"disputes", "concerns_to_answer", "concerns_overdue"})
    assert waiting_counts(user=cycle["manager"], today=today) == WaitingCounts(
        to_sign=0, disputes=1, concerns_to_answer=2, concerns_overdue=1, shown=shown_tm)
    assert waiting_counts(user=cycle["hos"], today=today) == WaitingCounts(
        to_sign=0, disputes=0, concerns_to_answer=2, concerns_overdue=1,
        shown=frozenset({"concerns_to_answer", "concerns_overdue"}))
    assert waiting_counts(user=cycle["sam"].user, today=today) == WaitingCounts(
        to_sign=1, shown=frozenset({"to_sign"}))
    assert waiting_counts(user=cycle["other_manager"], today=today) == WaitingCounts(
        disputes=0, concerns_to_answer=1, concerns_overdue=1, shown=shown_tm)
    assert waiting_counts(user=user_with_role(Role.SMT), today=today) == WaitingCounts()


def test_answered_concerns_stop_waiting(cycle):
    concern_answer(concern=cycle["old"], answered_by=cycle["manager"], response="Cases moved.")
    counts = waiting_counts(user=cycle["manager"], today=timezone.localdate())
    assert (counts.concerns_to_answer, counts.concerns_overdue, counts.total) == (1, 0, 2)


def test_home_lists_what_waits_for_a_manager_and_the_badge_counts_it(client, cycle):
    client.force_login(cycle["manager"])
    html = client.get(reverse("home")).content.decode()
    assert ('<span class="badge rounded-pill text-bg-warning" data-testid="nav-waiting">3'
            '<span class="visually-hidden"> waiting</span></span>') in html
    assert ('<span class="badge rounded-pill text-bg-warning" data-testid="nav-concerns">2'
            '<span class="visually-hidden"> to answer</span></span>') in html
    assert "Disputes to resolve (1)" in html
    assert "Dee Disputer, July 2025</a>" in html
    assert "Concerns to answer (2)" in html
    assert '<span class="badge text-bg-danger" data-testid="waiting-overdue-count">1 overdue</span>' in html
    assert "overdue, was due 8 Jul" in html
    assert "Supervision due (" in html  # nobody in the team has a session recorded


def test_home_lists_the_pro_forma_a_worker_has_to_sign(client, cycle):
    client.force_login(cycle["sam"].user)
    html = client.get(reverse("home")).content.decode()
    assert "Pro-formas to sign (1)" in html
    assert '<span class="visually-hidden"> waiting</span>' in html
    assert 'data-testid="nav-waiting">1<' in html


def test_nothing_waiting_says_so_and_shows_no_badge(client, cycle):
    worker = worker_with_login(cycle["team"], first_name="Nia", surname="None")
    client.force_login(worker.user)
    html = client.get(reverse("home")).content.decode()
    assert 'data-testid="waiting-nothing">Nothing is waiting for you.' in html
    assert 'data-testid="nav-waiting"' not in html


def _authority(teams: int):
    """One head of service over N teams, each with a manager, a worker, an entry to sign, a disputed entry
    and an overdue concern."""
    area = ServiceAreaFactory(name=f"Area of {teams}")
    hos = head_of_service(area, first_name="Hana", last_name="Head")
    for n in range(teams):
        team = TeamFactory(name=f"Team {teams}-{n}", service_area=area)
        manager = team_manager(team)
        worker = worker_with_login(team, first_name=f"W{n}", surname=f"Worker{n}")
        allocate(worker, reference=f"R-{teams}-{n}")
        submitted(started(worker, manager, JULY), manager)
        concern(worker, "Too much.", on=LONG_AGO)
    return hos


@pytest.mark.parametrize("teams", [2, 6])  # 6 shows a per-team query as well as 12 did
def test_waiting_counts_are_one_query_whatever_the_size(django_assert_num_queries, teams):
    hos = _authority(teams)
    user_roles(hos)  # the role lookup is the request's, cached on the user before the counts run
    with django_assert_num_queries(1):  # one SELECT with a COUNT subquery per kind of waiting item
        counts = waiting_counts(user=hos, today=timezone.localdate())
    assert (counts.concerns_to_answer, counts.concerns_overdue) == (teams, teams)
    with django_assert_num_queries(0):  # the navigation and home share it
        waiting_counts(user=hos, today=timezone.localdate())


@pytest.mark.parametrize("teams", [2, 6])  # 6 shows a per-team query as well as 12 did
def test_home_with_waiting_items_is_a_fixed_number_of_queries(client, django_assert_max_num_queries, teams):
    hos = _authority(teams)
    client.force_login(hos)
    # session, user, groups, worker record (none), latest snapshot date, team list, the month's progress
    # (entries, members, absences), supervision due (workers), the waiting counts (one query, shared with the
    # navigation), the first open concerns, the caseload policy changes waiting for approval, savepoint pair;
    # session save (SAVEPOINT, UPDATE, RELEASE). Measured: 18 at 2, 6 and 12 teams.
    with django_assert_max_num_queries(18):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert f"Concerns to answer ({teams})" in html
    assert f'data-testid="nav-waiting">{teams}<' in html
