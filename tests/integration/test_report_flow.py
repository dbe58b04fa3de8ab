"""The quarterly return's workflow (REPORTS.md (c), POLICIES R19, REP-11, POL-21): who completes, submits,
returns and approves; approval locks it and queues exactly one run on commit; the daily job's reminders,
overdue notices and authority pack on the right dates (dates passed in as `today`, never mocked)."""
from datetime import date
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reporting import report_tasks as tasks
from reporting.models import QuarterlyReturn, ReportKind, ReportRun
from reporting.report_services import (
    NEEDS_REASON,
    NEEDS_SM_COMMENT,
    NEEDS_UNALLOCATED,
    NOT_EDITABLE,
    NOT_YOURS_SM,
    NOT_YOURS_TM,
    quarter_due_date,
    quarter_pack_day,
    quarter_reminders_start,
    quarterly_return_approve,
    quarterly_return_comment,
    quarterly_return_complete,
    quarterly_return_get_for_user,
    quarterly_return_send_back,
    quarterly_return_submit,
    quarterly_returns_daily,
    report_run_request,
)
from supervision.models import AuditEvent, TeamMonth
from tests.factories import TeamFactory
from tests.factories_supervision import head_of_service, team_manager, user_in
from workload.roles import Role

pytestmark = pytest.mark.django_db
Q1 = "2025-Q1"


@pytest.fixture
def setting():
    team = TeamFactory(name="Duty and Assessment 1", code="DA1")
    tm = team_manager(team, first_name="Tess", last_name="Manager", email="tess@example.org")
    sm = user_in(Role.HEAD_OF_SERVICE, first_name="Sam", last_name="Service", email="sm@example.org")
    team.service_manager = sm
    team.save(update_fields=["service_manager"])
    hos = head_of_service(team.service_area, first_name="Hana", last_name="Head", email="hos@example.org")
    return team, tm, sm, hos


def _queued(callbacks) -> list[dict]:
    """The tasks queued on commit (functools.partial of a task's delay), by their keyword arguments."""
    return [c.keywords for c in callbacks if isinstance(c, partial)]


def _return(team, user, quarter=Q1) -> QuarterlyReturn:
    return quarterly_return_get_for_user(user=user, team_id=team.pk, quarter=quarter)


def _complete(qreturn, tm, unallocated=3, on=date(2025, 3, 20)):
    return quarterly_return_complete(qreturn=qreturn, user=tm, expected_lock_version=qreturn.lock_version,
                                     unallocated_cases=unallocated, suggestions="Weight court work higher.",
                                     manager_comment="Two vacancies covered by agency staff.", completed_on=on)


def test_due_dates_reminders_and_pack_days_of_2025():
    """REPORTS (c): the 28th or the working day before; reminders from 5 working days before; pack after."""
    quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert [quarter_due_date(q) for q in quarters] == [
        date(2025, 3, 28), date(2025, 6, 27), date(2025, 9, 26), date(2025, 12, 24)]
    assert [quarter_reminders_start(q) for q in quarters] == [
        date(2025, 3, 21), date(2025, 6, 20), date(2025, 9, 19), date(2025, 12, 17)]
    assert [quarter_pack_day(q) for q in quarters] == [
        date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 29), date(2025, 12, 29)]


def test_complete_submit_return_resubmit_approve(setting, django_capture_on_commit_callbacks):
    team, tm, sm, hos = setting
    qreturn = _return(team, tm)
    assert qreturn.state == QuarterlyReturn.State.DRAFT

    with pytest.raises(ValidationError) as caught:
        quarterly_return_submit(qreturn=qreturn, user=tm)
    assert caught.value.message_dict == {"unallocated_cases": [NEEDS_UNALLOCATED]}

    qreturn = _complete(qreturn, tm)
    march = TeamMonth.objects.get(team=team, month=date(2025, 3, 1))
    assert (march.unallocated_cases, march.suggestions, march.manager_comment) == (
        3, "Weight court work higher.", "Two vacancies covered by agency staff.")
    qreturn = quarterly_return_submit(qreturn=qreturn, user=tm)
    assert (qreturn.state, qreturn.submitted_by, qreturn.completed_on) == ("submitted", tm, date(2025, 3, 20))

    with pytest.raises(ValidationError) as caught:
        quarterly_return_send_back(qreturn=qreturn, user=sm, reason="  ")
    assert caught.value.message_dict == {"reason": [NEEDS_REASON]}
    qreturn = quarterly_return_send_back(qreturn=qreturn, user=sm, reason="The unallocated count is last month's.")
    assert (qreturn.state, qreturn.returned_reason) == ("returned", "The unallocated count is last month's.")

    qreturn = _complete(qreturn, tm, unallocated=5)
    qreturn = quarterly_return_submit(qreturn=qreturn, user=tm)
    with pytest.raises(ValidationError) as caught:
        quarterly_return_approve(qreturn=qreturn, user=sm)
    assert caught.value.message_dict == {"service_manager_comment": [NEEDS_SM_COMMENT]}
    qreturn = quarterly_return_comment(qreturn=qreturn, user=sm, expected_lock_version=qreturn.lock_version,
                                       service_manager_comment="Agency cover agreed to June.", suggestions="")
    march.refresh_from_db()
    assert (march.service_manager_comment, march.service_manager_comment_by, march.unallocated_cases) == (
        "Agency cover agreed to June.", sm, 5)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        qreturn = quarterly_return_approve(qreturn=qreturn, user=sm)
    run = ReportRun.objects.get()
    assert (qreturn.state, qreturn.approved_by, qreturn.run) == ("approved", sm, run)
    assert (run.kind, run.period_key, run.team, run.status) == (ReportKind.QUARTERLY_RETURN, Q1, team, "queued")
    assert _queued(callbacks) == [{"run_id": run.pk, "send": True}]  # one task, on commit

    # approval locks it: nothing more can change, and a second approval queues nothing
    for attempt in (lambda: quarterly_return_approve(qreturn=qreturn, user=sm),
                    lambda: _complete(qreturn, tm), lambda: quarterly_return_submit(qreturn=qreturn, user=tm)):
        with pytest.raises(ValidationError, match=NOT_EDITABLE):
            attempt()
    assert ReportRun.objects.count() == 1
    assert list(AuditEvent.objects.filter(target_type="reporting.quarterlyreturn").values_list("action", flat=True)
                .order_by("pk")) == [
        "quarterly_return.completed", "quarterly_return.submitted", "quarterly_return.returned",
        "quarterly_return.completed", "quarterly_return.submitted", "quarterly_return.commented",
        "quarterly_return.approved"]


def test_only_the_teams_managers_complete_and_only_its_service_managers_approve(setting):
    team, tm, sm, hos = setting
    other_tm = team_manager(TeamFactory(), email="other@example.org")
    qreturn = _return(team, tm)
    with pytest.raises(PermissionDenied, match=NOT_YOURS_TM):
        _complete(qreturn, sm)
    qreturn = quarterly_return_submit(qreturn=_complete(qreturn, tm), user=tm)
    with pytest.raises(PermissionDenied, match=NOT_YOURS_SM):
        quarterly_return_send_back(qreturn=qreturn, user=tm, reason="No.")
    # a team manager of another team cannot even find it (404, not 403)
    from django.http import Http404
    with pytest.raises(Http404):
        _return(team, other_tm)
    # the head of service over the area is a service manager for it as well
    quarterly_return_comment(qreturn=qreturn, user=hos, expected_lock_version=qreturn.lock_version,
                             service_manager_comment="Checked.", suggestions="")
    assert quarterly_return_approve(qreturn=qreturn, user=hos).state == "approved"


def test_a_stale_form_is_refused(setting):
    team, tm, sm, hos = setting
    qreturn = _return(team, tm)
    stale = qreturn.lock_version
    _complete(qreturn, tm)
    with pytest.raises(ValidationError, match="Someone else changed this return meanwhile"):
        quarterly_return_complete(qreturn=qreturn, user=tm, expected_lock_version=stale, unallocated_cases=9,
                                  completed_on=date(2025, 3, 21))
    assert TeamMonth.objects.get(team=team).unallocated_cases == 3


def _daily(day: str, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.quarterly_returns_daily.delay(day=day).get()


def test_reminders_from_five_working_days_before_then_overdue_to_the_head_of_service(
        setting, eager_celery, django_capture_on_commit_callbacks, mailoutbox, settings):
    settings.CASEWEIGHT_RETURN_REMINDER_DAYS = 5
    settings.CASEWEIGHT_RETURN_ESCALATE_EVERY_DAYS = 5
    team, tm, sm, hos = setting
    quarter = "2025-Q2"  # due Fri 27 Jun 2025; reminders from Fri 20 Jun; pack Mon 30 Jun

    assert _daily("2025-06-19", django_capture_on_commit_callbacks) == {
        "reminders": [], "escalations": [], "packs": []}
    assert not QuarterlyReturn.objects.exists()  # nothing before the reminders' first day
    first = _daily("2025-06-20", django_capture_on_commit_callbacks)
    qreturn = QuarterlyReturn.objects.get(team=team, quarter=quarter)
    assert first == {"reminders": [qreturn.pk], "escalations": [], "packs": []}
    _daily("2025-06-20", django_capture_on_commit_callbacks)  # a rerun the same day sends nothing more
    assert _daily("2025-06-21", django_capture_on_commit_callbacks)["reminders"] == []  # Saturday

    qreturn = quarterly_return_submit(qreturn=_complete(qreturn, tm, on=date(2025, 6, 23)), user=tm)
    _daily("2025-06-24", django_capture_on_commit_callbacks)  # submitted: the service manager is reminded
    _daily("2025-06-27", django_capture_on_commit_callbacks)  # the due date itself: still a reminder

    # overdue from the first working day after: the head of service, then every 5 working days
    for day in ("2025-07-01", "2025-07-02", "2025-07-07", "2025-07-08"):
        _daily(day, django_capture_on_commit_callbacks)

    assert [(m.to, m.subject) for m in mailoutbox] == [
        (["tess@example.org"], "Reminder: the April to June 2025 return for Duty and Assessment 1 is due on 27 June 2025"),
        (["sm@example.org"], "Reminder: the April to June 2025 return for Duty and Assessment 1 is due on 27 June 2025"),
        (["sm@example.org"], "Reminder: the April to June 2025 return for Duty and Assessment 1 is due on 27 June 2025"),
        (["hos@example.org"], "Overdue: the April to June 2025 return for Duty and Assessment 1 has not been approved"),
        (["hos@example.org"], "Overdue: the April to June 2025 return for Duty and Assessment 1 has not been approved"),
    ]
    assert "is 2 working days overdue" in mailoutbox[3].body  # Mon 30 Jun, Tue 1 Jul
    assert "is 7 working days overdue" in mailoutbox[4].body  # 5 working days after 1 Jul: Tue 8 Jul
    qreturn.refresh_from_db()
    assert (qreturn.last_reminded_on, qreturn.last_escalated_on) == (date(2025, 6, 27), date(2025, 7, 8))


def test_pack_day_queues_the_authority_pack_once(setting, django_capture_on_commit_callbacks):
    team, tm, sm, hos = setting
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queued = quarterly_returns_daily(today=date(2025, 6, 30))
    pack = ReportRun.objects.get(kind=ReportKind.AUTHORITY_PACK)
    qreturn = QuarterlyReturn.objects.get(team=team)
    assert queued == {"reminders": [], "escalations": [qreturn.pk], "packs": [pack.pk]}
    assert (pack.period_key, pack.team, pack.status) == ("2025-Q2", None, "queued")
    assert _queued(callbacks) == [
        {"return_id": qreturn.pk, "day": "2025-06-30"}, {"run_id": pack.pk, "send": True}]
    # the pack is not sent on any other day
    assert quarterly_returns_daily(today=date(2025, 7, 1))["packs"] == []


def test_an_emailed_run_is_never_rebuilt_or_requeued(setting, django_capture_on_commit_callbacks):
    from django.utils import timezone
    run = ReportRun.objects.create(kind=ReportKind.SMT_WEEKLY, period_key="2025-W41", sha256="ab" * 32,
                                   status="done", emailed_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = report_run_request(kind=ReportKind.SMT_WEEKLY, period_key="2025-W41", send=True,
                                   today=date(2025, 10, 13))
    assert (again.pk, again.sha256, again.status, callbacks) == (run.pk, "ab" * 32, "done", [])


@pytest.mark.parametrize(("kind", "key", "message"), [
    (ReportKind.SMT_WEEKLY, "2025-Q3", "'2025-Q3' is a quarter, but this report needs a week (e.g. 2025-W41)."),
    (ReportKind.AUTHORITY_PACK, "2025-Q5", "'2025-Q5': a quarter is Q1, Q2, Q3 or Q4."),
    (ReportKind.SMT_MONTHLY, "2025-12", "December 2025 (2025-12) has not started yet: reports cover past or "
                                        "current periods only."),
])
def test_a_malformed_or_future_period_is_refused_in_words(kind, key, message):
    with pytest.raises(ValidationError) as caught:
        report_run_request(kind=kind, period_key=key, today=date(2025, 11, 20))
    assert caught.value.messages == [message]
    assert not ReportRun.objects.exists()


def test_every_scheduled_report_task_is_registered_under_its_name():
    from django.conf import settings

    from config.celery import app

    names = {entry["task"] for key, entry in settings.CELERY_BEAT_SCHEDULE.items()
             if entry["task"].startswith("reporting.")}
    assert names == {"reporting.report_tasks.quarterly_returns_daily", "reporting.report_tasks.smt_weekly_dispatch",
                     "reporting.report_tasks.smt_monthly_dispatch", "reporting.tasks.snapshots_take_due",
                     "reporting.tasks.escalations_evaluate"}
    app.loader.import_default_modules()  # what a worker does at start-up (settings.CELERY_IMPORTS)
    assert names <= set(app.tasks)
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert (schedule["quarterly-returns-daily"]["schedule"].hour, schedule["smt-weekly-report"]["schedule"].day_of_week,
            schedule["smt-weekly-report"]["schedule"].hour, schedule["smt-monthly-report"]["schedule"].day_of_month) == (
        {6}, {1}, {7}, {1})


def test_weekly_and_monthly_dispatch_fix_their_period_from_the_day(django_capture_on_commit_callbacks):
    from reporting.report_services import smt_monthly_dispatch, smt_weekly_dispatch

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        weekly = smt_weekly_dispatch(today=date(2025, 12, 1))  # Monday: the week ending Fri 28 Nov 2025
        monthly = smt_monthly_dispatch(today=date(2025, 12, 1))  # the 1st: November 2025
    assert [(r.kind, r.period_key, r.team, r.status) for r in (weekly, monthly)] == [
        (ReportKind.SMT_WEEKLY, "2025-W48", None, "queued"), (ReportKind.SMT_MONTHLY, "2025-11", None, "queued")]
    assert _queued(callbacks) == [{"run_id": weekly.pk, "send": True}, {"run_id": monthly.pk, "send": True}]
