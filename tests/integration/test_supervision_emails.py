"""Emails of the workflow: queued on commit through Celery (eager here), sent once, reminders once a day."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from supervision import tasks
from supervision.models import AuditEvent, EntryStatus, ProformaEntry
from supervision.services import entry_countersign, entry_dispute, entry_submit
from supervision.team_services import concern_raise
from tests.factories import TeamFactory
from tests.factories_supervision import (
    allocate,
    completed,
    head_of_service,
    started,
    submitted,
    team_manager,
    worker_with_login,
)

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def setting(db):
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager", email="tess@example.org")
    deputy = team_manager(team, first_name="Dev", last_name="Deputy", email="dev@example.org")
    worker = worker_with_login(team)
    worker.user.email = "sam@example.org"
    worker.user.save()
    allocate(worker, reference="F-1")
    return team, manager, deputy, worker


def test_submitting_emails_the_worker_after_commit(setting, eager_celery, django_capture_on_commit_callbacks,
                                                   mailoutbox):
    team, manager, deputy, worker = setting
    entry = completed(started(worker, manager, JULY), manager)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry_submit(entry=entry, submitted_by=manager)
    assert (len(callbacks), len(mailoutbox)) == (1, 0)  # nothing is sent inside the transaction
    callbacks[0]()

    [mail] = mailoutbox
    assert (mail.subject, mail.to) == ("Your July 2025 workload pro-forma is ready to countersign",
                                       ["sam@example.org"])
    assert f"/supervision/entries/{entry.pk}/countersign/" in mail.body
    assert "Total points: 2\n" in mail.body
    event = AuditEvent.objects.get(action="entry.notified")
    assert (event.entry_id, event.data["kind"], event.data["to"]) == (entry.pk, "signature_request",
                                                                      ["sam@example.org"])


def test_a_repeated_task_sends_the_signature_request_once(setting, eager_celery, mailoutbox):
    team, manager, deputy, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    key = ProformaEntry.objects.get(pk=entry.pk).submitted_at.isoformat()

    first = tasks.entry_signature_request_send.delay(entry_id=entry.pk, key=key).get()
    second = tasks.entry_signature_request_send.delay(entry_id=entry.pk, key=key).get()

    assert (first, second, len(mailoutbox)) == (True, False, 1)


def test_no_signature_request_once_the_entry_is_signed(setting, eager_celery, mailoutbox):
    team, manager, deputy, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    key = ProformaEntry.objects.get(pk=entry.pk).submitted_at.isoformat()
    entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker")

    assert tasks.entry_signature_request_send.delay(entry_id=entry.pk, key=key).get() is False
    assert mailoutbox == []


def test_a_dispute_emails_the_team_managers(setting, eager_celery, django_capture_on_commit_callbacks, mailoutbox):
    team, manager, deputy, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)

    with django_capture_on_commit_callbacks(execute=True):
        entry_dispute(entry=entry, user=worker.user, reason="F-1 closed in June.")

    [mail] = mailoutbox
    assert (mail.subject, sorted(mail.to)) == ("Sam Worker disputed their July 2025 workload pro-forma",
                                               ["dev@example.org", "tess@example.org"])
    assert "F-1 closed in June." in mail.body
    assert f"/supervision/entries/{entry.pk}/" in mail.body


def test_a_concern_reaches_the_managers_and_the_head_of_service(setting, eager_celery,
                                                                django_capture_on_commit_callbacks, mailoutbox):
    team, manager, deputy, worker = setting
    head_of_service(team.service_area, email="hos@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        concern = concern_raise(worker=worker, raised_by=worker.user, text="Three court cases at once.")
    tasks.concern_notice_send.delay(concern_id=concern.pk).get()  # a retry sends nothing more

    [mail] = mailoutbox
    assert (mail.subject, mail.to) == ("Workload concern raised by Sam Worker",
                                       ["dev@example.org", "hos@example.org", "tess@example.org"])
    assert "Three court cases at once." in mail.body


def _submitted_on(entry, when: datetime) -> None:
    ProformaEntry.objects.filter(pk=entry.pk).update(submitted_at=when)


def test_reminders_after_n_working_days_once_a_day(setting, eager_celery, django_capture_on_commit_callbacks,
                                                   mailoutbox, settings):
    settings.CASEWEIGHT_COUNTERSIGN_REMINDER_DAYS = 5
    team, manager, deputy, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    _submitted_on(entry, datetime(2025, 7, 1, 10, 0, tzinfo=LONDON))  # Tuesday

    def dispatch(day: str):
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.entry_countersign_reminders_dispatch.delay(day=day).get()

    assert dispatch("2025-07-08") == []  # 5 working days after: not yet more than 5
    assert dispatch("2025-07-09") == [entry.pk]
    assert dispatch("2025-07-09") == [entry.pk]  # a rerun the same day queues, but sends nothing
    assert dispatch("2025-07-12") == []  # Saturday: no reminders
    assert dispatch("2025-07-14") == [entry.pk]

    assert [m.subject for m in mailoutbox] == [
        "Reminder: your July 2025 workload pro-forma is waiting for your signature"] * 2
    assert "waiting for your signature for 6 working days" in mailoutbox[0].body
    assert list(AuditEvent.objects.filter(action="entry.reminded").values_list("data__day", flat=True)
                .order_by("pk")) == ["2025-07-09", "2025-07-14"]


def test_no_reminder_for_signed_or_disputed_entries(setting, eager_celery, django_capture_on_commit_callbacks,
                                                    mailoutbox):
    team, manager, deputy, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    _submitted_on(entry, datetime(2025, 7, 1, 10, 0, tzinfo=LONDON))
    entry_dispute(entry=entry, user=worker.user, reason="Wrong")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.entry_countersign_reminders_dispatch.delay(day="2025-07-21").get() == []
    assert mailoutbox == []
    assert ProformaEntry.objects.get(pk=entry.pk).status == EntryStatus.DISPUTED


def test_every_scheduled_task_is_importable(settings):
    """Beat queues tasks by name: a renamed or moved task would only fail in production, at its hour."""
    from importlib import import_module

    from celery import current_app
    from celery.schedules import crontab

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert "entry-countersign-reminders" in schedule  # the reminders of REPORTS (a), at least
    unresolved = []
    for key, entry in schedule.items():
        module_name, _, attribute = entry["task"].rpartition(".")
        task = getattr(import_module(module_name), attribute, None)  # any app's module, imported by name
        if task is None or task.name != entry["task"] or entry["task"] not in current_app.tasks:
            unresolved.append(key)
        if not isinstance(entry["schedule"], crontab):
            unresolved.append(f"{key}: not a crontab")
    assert unresolved == []
