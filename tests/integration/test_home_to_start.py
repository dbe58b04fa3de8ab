"""A team manager's home lists this month's pro-formas not yet started, and one button records today's
supervision and opens the pre-filled month (the keyboard journey's first action)."""
import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import ProformaEntry, SupervisionSession
from tests.factories import TeamFactory
from tests.factories_supervision import allocate, team_manager, worker_with_login
from workload.workdays import add_months

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(db):
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    sam = worker_with_login(team)
    allocate(sam, reference="F-1", children=4, category="s47_icpc")
    kim = worker_with_login(team, first_name="Kim", surname="Colleague")
    other = worker_with_login(TeamFactory(), first_name="Oli", surname="Elsewhere")  # not Tess's team
    return team, manager, sam, kim, other


def start_url(team, worker) -> str:
    month = timezone.localdate().replace(day=1)
    return reverse("supervision:entry-start", args=[team.pk, month.year, month.month, worker.pk])


def test_home_lists_the_months_to_start_and_one_step_records_supervision(client, setting):
    team, manager, sam, kim, other = setting
    today = timezone.localdate()
    client.force_login(manager)
    home = client.get(reverse("home")).content.decode()
    assert f"Pro-formas to start for {today:%B %Y}" in home
    assert [f'id="start-with-supervision-{kim.pk}"' in home, f'id="start-with-supervision-{sam.pk}"' in home,
            f'id="start-with-supervision-{other.pk}"' in home] == [True, True, False]
    assert home.index("Kim Colleague") < home.index("Sam Worker")  # by surname

    response = client.post(start_url(team, sam), {"record_supervision": "1"})

    entry = ProformaEntry.objects.get(worker=sam, month=today.replace(day=1))
    assert (response.status_code, response["Location"]) == (302, reverse("supervision:entry-detail", args=[entry.pk]))
    [session] = SupervisionSession.objects.filter(worker=sam)
    assert (session.held_on, session.held, session.recorded_with_proforma, session.next_due, entry.session_id,
            entry.date_of_score) == (today, True, True, add_months(today, 1), session.pk, today)
    page = client.get(response["Location"]).content.decode()
    assert (f"Supervision recorded for {today:%-d %B %Y}. Started Sam Worker&#x27;s pro-forma for {today:%B %Y}, "
            "pre-filled from last month and the current allocations.") in page
    home = client.get(reverse("home")).content.decode()
    assert (f'id="start-with-supervision-{sam.pk}"' in home, f'id="start-with-supervision-{kim.pk}"' in home) == (
        False, True)


def test_starting_without_the_supervision_step_records_no_session(client, setting):
    team, manager, sam, _kim, _other = setting
    client.force_login(manager)
    response = client.post(start_url(team, sam))
    assert response.status_code == 302
    assert SupervisionSession.objects.filter(worker=sam).count() == 0  # saving the pro-forma records it later


def test_a_worker_of_another_team_cannot_be_started_from_the_home_page(client, setting):
    team, manager, _sam, _kim, other = setting
    client.force_login(manager)
    assert client.post(start_url(other.team, other), {"record_supervision": "1"}).status_code == 404
    assert client.post(start_url(team, other), {"record_supervision": "1"}).status_code == 404
    assert (ProformaEntry.objects.count(), SupervisionSession.objects.count()) == (0, 0)
