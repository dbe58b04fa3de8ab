"""Input a person or a tampered post can send to the monthly-cycle pages: a clear 4xx with the message next to
the field, never a 500, and nothing stored out of range."""
import time
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.models import AuditEvent, ProformaEntry, SupervisionSession
from supervision.prefill import entry_start
from tests.factories import TeamFactory, WorkerFactory
from tests.factories_supervision import allocate, started, team_manager, worker_with_login
from tests.integration.test_supervision_views import form_data
from workload.models import Position

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)


@pytest.fixture
def setting(db):
    """A team, its manager, and a worker holding two cases (the same as the views' tests)."""
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=4, category="s47_icpc")
    allocate(worker, reference="F-2", children=1, category="cin_stable")
    return team, manager, worker


@pytest.mark.parametrize("case_id", ["abc", "NaN", "1e308", "99999999999999999999", "-4"])
@pytest.mark.parametrize("submit", [False, True])
def test_a_tampered_case_id_is_a_400_next_to_its_line(client, setting, case_id, submit):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    url = reverse("supervision:entry-submit" if submit else "supervision:entry-detail", args=[entry.pk])

    response = client.post(url, form_data(entry, **{"lines-0-case_id": case_id}))

    assert response.status_code == 400
    assert "This line&#x27;s case record is not valid: remove the line and add it again." in response.content.decode()
    entry.refresh_from_db()
    assert (entry.lock_version, entry.status) == (0, "draft")  # nothing saved


def test_a_post_claiming_99999_lines_is_refused_before_building_them(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    data = {"lock_version": 0, "lines-TOTAL_FORMS": "99999", "lines-INITIAL_FORMS": "0"}  # about 100 bytes

    began = time.perf_counter()
    response = client.post(reverse("supervision:entry-detail", args=[entry.pk]), data)
    elapsed = time.perf_counter() - began

    assert response.status_code == 400
    assert "A pro-forma has at most 200 case lines; this one claimed more, so nothing was saved." in (
        response.content.decode())
    assert elapsed < 1  # no line form is built (about 0.05 s); 99,999 forms took many seconds


@pytest.mark.parametrize(("field", "value", "message"), [
    ("date_of_score", "0001-01-01", "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
    ("date_of_score", "9999-12-31", "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
    ("date_of_score", "2025-08-01", "The date of score must be in July 2025."),
    ("over_max_until", "9999-01-01", "Enter a date between 1 Jan 2000 and 31 Dec 2099."),
    ("wte", "1e308", "Enter a WTE between 0.01 and 1.00 (for example 0.6 for three days a week)."),
    ("wte", "NaN", "Enter a WTE between 0.01 and 1.00 (for example 0.6 for three days a week)."),
    ("extra_duty_hours", "745", "Enter the hours of extra duties this month, at most 744 (every hour of a "
                                "31-day month)."),
    ("workload_comment", "x" * 4001, "Keep this to 4,000 characters or fewer (4001 typed)."),
    ("position", "student", "Select a valid choice. student is not one of the available choices."),
])
def test_out_of_range_values_are_refused_next_to_the_field(client, setting, field, value, message):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)

    response = client.post(reverse("supervision:entry-detail", args=[entry.pk]), form_data(entry, **{field: value}))

    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message.replace("'", "&#x27;") in body
    assert ProformaEntry.objects.get(pk=entry.pk).lock_version == 0


def test_a_date_of_score_in_the_future_is_refused(client, setting):
    team, manager, worker = setting
    this_month = timezone.localdate().replace(day=1)
    entry = entry_start(worker=worker, month=this_month, started_by=manager)
    client.force_login(manager)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(reverse("supervision:entry-detail", args=[entry.pk]),
                           form_data(entry, date_of_score=tomorrow.isoformat()))
    assert response.status_code == 400
    assert "The date of score cannot be in the future." in response.content.decode()


def test_a_student_has_no_pro_forma_even_by_a_direct_post(client, setting):
    team, manager, worker = setting
    student = WorkerFactory(team=team, position=Position.STUDENT, first_name="Ellie", surname="Taylor")
    client.force_login(manager)
    response = client.post(reverse("supervision:entry-start", args=[team.pk, 2025, 7, student.pk]))
    assert response.status_code == 409
    assert "Ellie Taylor is a student on placement: that position has no monthly workload pro-forma." in (
        response.content.decode())
    assert not ProformaEntry.objects.filter(worker=student).exists()


@pytest.mark.parametrize("path", [
    "/supervision/sessions/?worker=%C2%B2",
    "/supervision/sessions/?worker=" + "9" * 5000,
    "/supervision/sessions/?team=%C2%B2",
    "/supervision/entries/99999999999999999999/",
])
def test_odd_query_strings_and_ids_are_never_a_500(client, setting, path):
    team, manager, worker = setting
    client.force_login(manager)
    assert client.get(path).status_code in (200, 400, 404)  # a team id that is no choice: 400 by the field


def test_the_month_before_the_first_is_not_linked_and_cannot_be_opened(client, setting):
    team, manager, worker = setting
    client.force_login(manager)
    first = client.get(f"/supervision/teams/{team.pk}/2000-01/")
    assert first.status_code == 200 and 'id="previous-month"' not in first.content.decode()
    assert client.get(f"/supervision/teams/{team.pk}/1000-01/").status_code == 404
    assert client.post(f"/supervision/teams/{team.pk}/1000-01/fields/", {"lock_version": 0}).status_code == 404
    assert client.post(f"/supervision/teams/{team.pk}/1000-01/workers/{worker.pk}/start/").status_code == 404


def test_free_text_on_other_forms_is_capped(client, setting):
    team, manager, worker = setting
    client.force_login(worker.user)
    response = client.post(reverse("supervision:concern-raise"), {"text": "x" * 4001})
    assert response.status_code == 400
    assert "Keep this to 4,000 characters or fewer (4001 typed)." in response.content.decode()


# ------------------------------------------------------------------------- the supervision is the session


def test_saving_the_date_of_score_records_the_supervision_once_and_moves_it_with_a_correction(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    url = reverse("supervision:entry-detail", args=[entry.pk])

    assert client.post(url, form_data(entry, date_of_score="2025-07-15")).status_code == 302
    session = SupervisionSession.objects.get(worker=worker)
    assert (session.held_on, session.held, session.recorded_with_proforma, session.next_due) == (
        date(2025, 7, 15), True, True, date(2025, 8, 15))
    entry.refresh_from_db()
    assert entry.session == session

    assert client.post(url, form_data(entry, date_of_score="2025-07-22")).status_code == 302
    session.refresh_from_db()
    assert (SupervisionSession.objects.count(), session.held_on, session.next_due) == (
        1, date(2025, 7, 22), date(2025, 8, 22))
    assert list(AuditEvent.objects.filter(target_type="supervision.supervisionsession")
                .values_list("action", flat=True)) == ["session.recorded", "session.moved"]


def test_a_session_recorded_on_the_sessions_page_is_linked_not_duplicated(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    recorded = SupervisionSession.objects.create(worker=worker, supervisor=manager, held_on=date(2025, 7, 9),
                                                 held=True, next_due=date(2025, 8, 9))
    client.force_login(manager)
    assert client.post(reverse("supervision:entry-detail", args=[entry.pk]),
                       form_data(entry, date_of_score="2025-07-09")).status_code == 302
    entry.refresh_from_db()
    assert (entry.session, SupervisionSession.objects.count()) == (recorded, 1)


def test_a_worker_due_today_is_listed_as_due(client, setting):
    team, manager, worker = setting
    today = timezone.localdate()
    SupervisionSession.objects.create(worker=worker, supervisor=manager, held_on=today - timedelta(days=30),
                                      held=True, next_due=today)
    client.force_login(manager)
    body = client.get(reverse("supervision:session-list")).content.decode()
    assert f'data-testid="overdue-{worker.pk}"' in body
    assert "<td>Due today</td>" in body
