"""The concerns inbox (POLICIES R09): answering and closing, the deadline, who may see and answer, the daily
escalation to the head of service, the worker seeing the answer, and the emails' links."""
from datetime import date, datetime
from html import escape
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from supervision import tasks
from supervision.concerns import (
    ALREADY_CLOSED,
    CLOSE_NEEDS_ANSWER,
    NOT_YOURS_TO_ANSWER,
    RESPONSE_REQUIRED,
    concern_answer,
    concern_close,
    concern_inbox,
    concern_respond_by,
)
from supervision.models import AuditEvent, WorkloadConcern
from supervision.team_services import concern_raise
from tests.factories import TeamFactory
from tests.factories_supervision import head_of_service, team_manager, worker_with_login

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
SITE = "https://caseweight.example.gov.uk"


@pytest.fixture
def inbox(db):
    team = TeamFactory(name="Assessment East")
    manager = team_manager(team, first_name="Tess", last_name="Manager", email="tess@example.org")
    hos = head_of_service(team.service_area, first_name="Hana", last_name="Head", email="hos@example.org")
    worker = worker_with_login(team)
    worker.user.email = "sam@example.org"
    worker.user.save()
    other_team = TeamFactory(name="Assessment West")
    other_manager = team_manager(other_team, first_name="Omar", last_name="Other", email="omar@example.org")
    other_worker = worker_with_login(other_team, first_name="Olu", surname="Else")
    return {"team": team, "manager": manager, "hos": hos, "worker": worker, "other_team": other_team,
            "other_manager": other_manager, "other_worker": other_worker}


def raised(worker, text="Three court cases in one week.", on: datetime | None = None) -> WorkloadConcern:
    concern = concern_raise(worker=worker, raised_by=worker.user, text=text)
    if on is not None:
        WorkloadConcern.objects.filter(pk=concern.pk).update(created_at=on)
        concern.refresh_from_db()
    return concern


def actions(concern) -> list[str]:
    return list(AuditEvent.objects.filter(target_type="supervision.workloadconcern", target_id=concern.pk)
                .order_by("pk").values_list("action", flat=True))


# ---------------------------------------------------------------------------------------------- services
def test_answer_records_the_response_and_the_audit_event(inbox):
    concern = raised(inbox["worker"], on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    answered_at = datetime(2025, 7, 7, 16, 0, tzinfo=LONDON)

    concern_answer(concern=concern, answered_by=inbox["manager"], response="  We will move two cases.  ",
                   ip="10.0.0.2", now=answered_at)

    concern.refresh_from_db()
    assert (concern.status, concern.response, concern.responded_by, concern.responded_at) == (
        "responded", "We will move two cases.", inbox["manager"], answered_at)
    event = AuditEvent.objects.get(action="concern.answered")
    assert (event.actor, event.ip_address, event.data) == (inbox["manager"], "10.0.0.2", {
        "worker": inbox["worker"].pk, "respond_by": "2025-07-08", "on_time": True, "replaced": False,
        "response": "We will move two cases."})


def test_a_second_answer_replaces_the_first_and_both_are_audited(inbox):
    concern = raised(inbox["worker"], on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    concern_answer(concern=concern, answered_by=inbox["manager"], response="First answer.",
                   now=datetime(2025, 7, 2, 9, 0, tzinfo=LONDON))
    concern_answer(concern=concern, answered_by=inbox["hos"], response="Second answer.",
                   now=datetime(2025, 7, 10, 9, 0, tzinfo=LONDON))

    concern.refresh_from_db()
    assert (concern.response, concern.responded_by) == ("Second answer.", inbox["hos"])
    answered = AuditEvent.objects.filter(action="concern.answered").order_by("pk")
    assert [(e.data["response"], e.data["on_time"], e.data["replaced"]) for e in answered] == [
        ("First answer.", True, False), ("Second answer.", False, True)]


@pytest.mark.parametrize(("response", "message"), [
    ("   ", RESPONSE_REQUIRED),
    ("x" * 4001, "Keep the answer to 4,000 characters or fewer (it has 4,001)."),
])
def test_an_empty_or_too_long_answer_is_refused_on_the_field(inbox, response, message):
    concern = raised(inbox["worker"])
    with pytest.raises(ValidationError) as caught:
        concern_answer(concern=concern, answered_by=inbox["manager"], response=response)
    assert caught.value.message_dict == {"response": [message]}
    concern.refresh_from_db()
    assert (concern.status, concern.response) == ("open", "")


def test_an_answer_of_exactly_4000_characters_is_kept(inbox):
    concern = raised(inbox["worker"])
    concern_answer(concern=concern, answered_by=inbox["manager"], response="y" * 4000)
    concern.refresh_from_db()
    assert len(concern.response) == 4000


def test_close_needs_an_answer_and_then_closes_once(inbox):
    concern = raised(inbox["worker"])
    with pytest.raises(ValidationError) as caught:
        concern_close(concern=concern, closed_by=inbox["manager"])
    assert caught.value.messages == [CLOSE_NEEDS_ANSWER]

    concern_answer(concern=concern, answered_by=inbox["manager"], response="Two cases move to Priya.")
    concern_close(concern=concern, closed_by=inbox["manager"], ip="10.0.0.3")
    concern.refresh_from_db()
    assert (concern.status, concern.closed_by) == ("closed", inbox["manager"])
    assert concern.closed_at is not None

    with pytest.raises(ValidationError) as caught:
        concern_answer(concern=concern, answered_by=inbox["manager"], response="Too late.")
    assert caught.value.messages == [ALREADY_CLOSED]
    assert actions(concern) == ["concern.raised", "concern.answered", "concern.closed"]


def test_only_the_teams_managers_and_head_of_service_may_answer(inbox):
    concern = raised(inbox["worker"])
    for outsider in (inbox["worker"].user, inbox["other_manager"]):
        with pytest.raises(PermissionDenied, match=NOT_YOURS_TO_ANSWER):
            concern_answer(concern=concern, answered_by=outsider, response="Not mine to answer.")
        with pytest.raises(PermissionDenied, match=NOT_YOURS_TO_ANSWER):
            concern_close(concern=concern, closed_by=outsider)
    concern_answer(concern=concern, answered_by=inbox["hos"], response="The head of service answers.")
    concern.refresh_from_db()
    assert (concern.status, concern.responded_by) == ("responded", inbox["hos"])


def test_the_deadline_follows_the_setting(inbox, settings):
    concern = raised(inbox["worker"], on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    assert concern_respond_by(concern) == date(2025, 7, 8)
    settings.CASEWEIGHT_CONCERN_RESPONSE_DAYS = 2
    assert concern_respond_by(concern) == date(2025, 7, 3)


def test_the_inbox_lists_the_users_teams_oldest_first_with_deadlines(inbox):
    late = raised(inbox["worker"], text="Late", on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    recent = raised(inbox["worker"], text="Recent", on=datetime(2025, 7, 7, 9, 0, tzinfo=LONDON))
    done = raised(inbox["worker"], text="Done", on=datetime(2025, 6, 2, 9, 0, tzinfo=LONDON))
    concern_answer(concern=done, answered_by=inbox["manager"], response="Sorted.")
    raised(inbox["other_worker"], text="Elsewhere")

    box = concern_inbox(user=inbox["manager"], today=date(2025, 7, 9))
    assert [(r.concern.text, r.respond_by, r.overdue) for r in box.waiting] == [
        ("Late", date(2025, 7, 8), True), ("Recent", date(2025, 7, 14), False)]
    assert [(r.concern.text, r.overdue) for r in box.answered] == [("Done", False)]
    assert (box.closed, box.overdue_count) == ([], 1)
    assert [r.concern.pk for r in concern_inbox(user=inbox["hos"], today=date(2025, 7, 9)).waiting] == [
        late.pk, recent.pk]
    assert concern_inbox(user=inbox["worker"].user, today=date(2025, 7, 9)).waiting == []


# ---------------------------------------------------------------------------------------------- pages
def test_another_teams_concern_is_404_and_a_worker_answering_is_403(client, inbox):
    concern = raised(inbox["worker"], text="Too many visits.")
    detail = reverse("supervision:concern-detail", args=[concern.pk])
    answer = reverse("supervision:concern-answer", args=[concern.pk])
    close = reverse("supervision:concern-close", args=[concern.pk])

    client.force_login(inbox["manager"])
    assert client.get(detail).status_code == 200
    client.force_login(inbox["other_manager"])
    assert [client.get(detail).status_code, client.post(answer, {"response": "Hi"}).status_code,
            client.post(close).status_code] == [404, 404, 404]
    client.force_login(inbox["other_worker"].user)
    assert client.get(detail).status_code == 404

    client.force_login(inbox["worker"].user)
    page = client.get(detail)
    assert page.status_code == 200 and 'id="concern-answer-form"' not in page.content.decode()
    assert [client.post(answer, {"response": "Answering myself"}).status_code, client.post(close).status_code,
            client.get(reverse("supervision:concern-list")).status_code] == [403, 403, 403]
    concern.refresh_from_db()
    assert (concern.status, concern.response) == ("open", "")


def test_answering_on_the_page_redirects_and_bad_input_is_400_next_to_the_field(client, inbox):
    concern = raised(inbox["worker"], text="Too many visits.")
    answer = reverse("supervision:concern-answer", args=[concern.pk])
    detail = reverse("supervision:concern-detail", args=[concern.pk])
    client.force_login(inbox["manager"])

    empty = client.post(answer, {"response": "  "})
    assert empty.status_code == 400
    html = empty.content.decode()
    # in the summary at the top, linking to the field, and next to the field itself
    assert f'<li><a href="#id_response">{escape(RESPONSE_REQUIRED)}</a></li>' in html
    assert html.count(escape(RESPONSE_REQUIRED)) == 2
    too_long = client.post(answer, {"response": "z" * 4001})
    assert too_long.status_code == 400
    assert "Keep this to 4,000 characters or fewer (4001 typed)." in too_long.content.decode()

    done = client.post(answer, {"response": "Two cases move to Priya on Monday."})
    assert (done.status_code, done["Location"]) == (302, detail)
    closed = client.post(reverse("supervision:concern-close", args=[concern.pk]))
    assert (closed.status_code, closed["Location"]) == (302, reverse("supervision:concern-list"))
    again = client.post(answer, {"response": "One more thing."})
    assert again.status_code == 409
    assert escape(ALREADY_CLOSED) in again.content.decode()


def test_the_worker_sees_the_answer_on_my_workload(client, inbox):
    concern = raised(inbox["worker"], text="Too many visits.")
    concern_answer(concern=concern, answered_by=inbox["manager"], response="Two cases move to Priya.")
    client.force_login(inbox["worker"].user)
    html = client.get(reverse("supervision:my-workload")).content.decode()
    assert f'data-testid="my-concern-answer-{concern.pk}"' in html
    assert "Two cases move to Priya." in html
    assert "Answered" in html


def test_the_inbox_page_shows_the_deadline_and_overdue(client, inbox):
    raised(inbox["worker"], text="Old worry", on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    client.force_login(inbox["manager"])
    html = client.get(reverse("supervision:concern-list")).content.decode()
    assert "<td>Tue 8 Jul 2025</td>" in html
    assert '<span class="badge text-bg-danger">Overdue</span>' in html
    assert "Old worry" in html


# ---------------------------------------------------------------------------------------------- emails
def test_the_new_concern_email_links_to_the_concern(inbox, eager_celery, django_capture_on_commit_callbacks,
                                                    mailoutbox, settings):
    settings.CASEWEIGHT_SITE_URL = SITE
    with django_capture_on_commit_callbacks(execute=True):
        concern = raised(inbox["worker"])
    [mail] = mailoutbox
    assert f"{SITE}/supervision/concerns/{concern.pk}/" in mail.body
    assert f"please answer by {concern_respond_by(concern):%A %-d %B %Y}" in mail.body
    assert "R09" not in mail.body


def _dispatch(day: str, capture) -> list[int]:
    with capture(execute=True):
        return tasks.concerns_overdue_dispatch.delay(day=day).get()


def test_an_overdue_concern_reaches_the_head_of_service_once(inbox, eager_celery,
                                                             django_capture_on_commit_callbacks, mailoutbox,
                                                             settings):
    settings.CASEWEIGHT_SITE_URL = SITE
    concern = raised(inbox["worker"], text="Three court cases.", on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    answered = raised(inbox["worker"], text="Answered in time.", on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    concern_answer(concern=answered, answered_by=inbox["manager"], response="Done.")

    assert _dispatch("2025-07-08", django_capture_on_commit_callbacks) == []  # the deadline day itself
    assert _dispatch("2025-07-09", django_capture_on_commit_callbacks) == [concern.pk]
    assert _dispatch("2025-07-09", django_capture_on_commit_callbacks) == []  # a rerun: already sent
    assert _dispatch("2025-07-10", django_capture_on_commit_callbacks) == []
    assert tasks.concern_overdue_send.delay(concern_id=concern.pk, day="2025-07-09").get() is False  # a retry

    [mail] = mailoutbox
    assert (mail.subject, mail.to) == ("Unanswered workload concern from Sam Worker", ["hos@example.org"])
    assert "The answer was due by Tuesday 8 July 2025." in mail.body
    assert f"{SITE}/supervision/concerns/{concern.pk}/" in mail.body
    concern.refresh_from_db()
    assert concern.escalated_at is not None
    assert actions(concern) == ["concern.raised", "concern.escalated"]
    assert AuditEvent.objects.get(action="concern.escalated").data == {"to": ["hos@example.org"]}


def test_no_head_of_service_means_no_email_and_a_later_try(inbox, eager_celery,
                                                            django_capture_on_commit_callbacks, mailoutbox):
    area = inbox["team"].service_area
    area.head_of_service = None
    area.save(update_fields=["head_of_service"])
    concern = raised(inbox["worker"], on=datetime(2025, 7, 1, 9, 0, tzinfo=LONDON))
    assert _dispatch("2025-07-09", django_capture_on_commit_callbacks) == [concern.pk]
    assert mailoutbox == []
    concern.refresh_from_db()
    assert concern.escalated_at is None  # tried again tomorrow, once a head of service is appointed


def test_the_beat_schedule_names_the_escalation_task(settings):
    from celery import current_app

    entry = settings.CELERY_BEAT_SCHEDULE["concern-overdue-escalations"]
    assert entry["task"] == "supervision.tasks.concerns_overdue_dispatch"
    assert entry["task"] in current_app.tasks
