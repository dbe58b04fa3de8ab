"""The emailed reports' workflow: the quarterly return (REPORTS.md (c), POLICIES R19, REP-11, POL-21) and the
report runs that build and send every report (queued -> running -> done / failed, one per kind, period, team).

Approval is the only thing that sends a team's return: a return that was not approved is never sent as if
checked. Tasks (reporting/report_tasks.py) call `report_run_build` and `reporting.report_deliveries`; the
beat dispatchers here fix their period once and queue one task per run (STYLE.md §6).
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from reporting.committee_services import committee_check_issuable, committee_check_ready
from reporting.models import QuarterlyReturn, ReportKind, ReportRun
from reporting.periods import MONTH, QUARTER, WEEK, Period, parse_period, working_days_before
from supervision.audit import audit_event_record
from supervision.models import TeamMonth
from supervision.team_services import can_set_service_manager_comment, team_month_update
from workload.access import can_manage_team, teams_for_user
from workload.capabilities import can
from workload.models import Team
from workload.roles import Role, user_roles
from workload.workdays import is_working_day, working_days_after

# --------------------------------------------------------------------------------------------- Periods
# Keys are made and parsed by reporting/periods.py only; these adapt it to the report kinds and to the form's
# error (a ValidationError in words, put beside the period field).

KIND_PERIOD = {
    ReportKind.QUARTERLY_RETURN: QUARTER, ReportKind.AUTHORITY_PACK: QUARTER, ReportKind.COMMITTEE: QUARTER,
    ReportKind.SMT_WEEKLY: WEEK, ReportKind.SMT_MONTHLY: MONTH,
}


def period_parse(kind: str, key: str, *, today: date | None = None) -> Period:
    """The period a key names for a kind of report; with `today`, one that has not started is refused too."""
    try:
        return parse_period(key, kind=KIND_PERIOD[ReportKind(kind)], today=today)
    except ValueError as exc:
        raise ValidationError(str(exc), code="period") from exc


def quarter_key(day: date) -> str:
    return Period.quarter_of(day).key


def quarter_due_date(quarter: str) -> date:
    """Approved by the 28th of the quarter's last month, or the preceding working day (REP-11)."""
    return period_parse(ReportKind.QUARTERLY_RETURN, quarter).due_on


def quarter_pack_day(quarter: str) -> date:
    return period_parse(ReportKind.QUARTERLY_RETURN, quarter).pack_on


def quarter_reporting_month(quarter: str) -> date:
    return period_parse(ReportKind.QUARTERLY_RETURN, quarter).reporting_month


def quarter_reminders_start(quarter: str) -> date:
    """From CASEWEIGHT_RETURN_REMINDER_DAYS (5, the default of POLICIES R19) working days before the due date."""
    return working_days_before(quarter_due_date(quarter), settings.CASEWEIGHT_RETURN_REMINDER_DAYS)


# ------------------------------------------------------------------------------------------ Access

AUTHORITY_REPORT_ROLES = {Role.SMT, Role.HEAD_OF_SERVICE, Role.ADMINISTRATOR}
# Built on request from the reports page: the authority-wide reports. A team's return is built by its
# approval only, so an unchecked return is never built as if it were (REP-11); the committee edition once its
# quarter's last month-end snapshot exists, issued (emailed) only with its narrative (committee_services).
GENERATE_KINDS = (ReportKind.AUTHORITY_PACK, ReportKind.COMMITTEE, ReportKind.SMT_WEEKLY, ReportKind.SMT_MONTHLY)


def report_runs_for_user(user) -> QuerySet[ReportRun]:
    """Runs this user may see and download: a team's return by the teams they see (its team managers, its
    service manager, the head of service of its area, SMT, administrators); authority reports by SMT, heads of
    service and administrators. Everyone else sees none (and a guessed id is a 404)."""
    condition = Q(team__in=teams_for_user(user).values("pk"))
    if user_roles(user) & AUTHORITY_REPORT_ROLES:
        condition |= Q(team__isnull=True)
    return ReportRun.objects.filter(condition)


def report_run_get_for_user(*, user, pk: int) -> ReportRun:
    try:
        return report_runs_for_user(user).select_related("team", "requested_by").get(pk=pk)
    except ReportRun.DoesNotExist as exc:
        raise Http404("No such report.") from exc


def can_generate_reports(user) -> bool:
    return can(user, "reports.generate")


def can_manage_distribution_lists(user) -> bool:
    return can(user, "reports.lists")


# --------------------------------------------------------------------------------- Quarterly return

NOT_EDITABLE = "This return has been approved and sent; it can no longer be changed."
NOT_YOURS_TM = "Only the team's managers can complete and submit its return."
NOT_YOURS_SM = "Only the team's service manager or head of service can check, return or approve its return."
NEEDS_UNALLOCATED = "Enter the number of unallocated cases before submitting."
NEEDS_SM_COMMENT = "Write the service manager's overall comments before approving."
NEEDS_REASON = "Say why the return goes back to the team manager."
WRONG_STATE_SUBMIT = "Only a return being completed or returned to the team manager can be submitted."
WRONG_STATE_CHECK = "Only a return submitted to the service manager can be returned or approved."
CONFLICT = "Someone else changed this return meanwhile; your changes were not saved. Reload to see the latest."


def quarterly_return_get_for_user(*, user, team_id: int, quarter: str) -> QuarterlyReturn:
    """The team's return for a quarter, created in draft on first sight. A team the user cannot see is a 404,
    so a guessed id tells nothing; a malformed quarter is a 404 too (the URL converter already refuses most)."""
    team = teams_for_user(user).select_related("service_area", "service_area__head_of_service").filter(
        pk=team_id).first()
    if team is None:
        raise Http404("No such team.")
    try:  # a quarter that has not started has no return yet (and a GET creates none)
        period_parse(ReportKind.QUARTERLY_RETURN, quarter, today=timezone.localdate())
    except ValidationError as exc:
        raise Http404("No such quarter.") from exc
    qreturn, _ = QuarterlyReturn.objects.select_related("run").get_or_create(team=team, quarter=quarter)
    qreturn.team = team
    return qreturn


def quarterly_return_team_month(qreturn: QuarterlyReturn) -> TeamMonth:
    """The team pro-forma of the quarter's reporting month: the return's team fields live there."""
    team_month, _ = TeamMonth.objects.get_or_create(team=qreturn.team, month=quarter_reporting_month(qreturn.quarter))
    return team_month


def _lock(qreturn: QuarterlyReturn, expected_lock_version: int | None) -> QuarterlyReturn:
    locked = QuarterlyReturn.objects.select_for_update(of=("self",)).select_related("team", "team__service_area").get(
        pk=qreturn.pk)
    if expected_lock_version is not None and locked.lock_version != expected_lock_version:
        raise ValidationError(CONFLICT, code="conflict")
    if locked.state == QuarterlyReturn.State.APPROVED:
        raise ValidationError(NOT_EDITABLE, code="approved")
    return locked


def _save(qreturn: QuarterlyReturn, *, actor, action: str, ip: str | None, data: dict | None = None) -> None:
    qreturn.lock_version = F("lock_version") + 1
    qreturn.full_clean(exclude=["lock_version"])
    qreturn.save()
    qreturn.refresh_from_db()
    audit_event_record(actor=actor, action=action, target=qreturn, ip=ip,
                       data={"team": qreturn.team_id, "quarter": qreturn.quarter, **(data or {})})


def _team_month_write(*, qreturn: QuarterlyReturn, user, ip: str | None, **changes) -> TeamMonth:
    """Write the reporting month's team fields through the team pro-forma's own service (its permissions,
    audit and the service manager's comment author and time), keeping the fields this step does not change."""
    team_month = quarterly_return_team_month(qreturn)
    values = {name: getattr(team_month, name) for name in
              ("manager_comment", "service_manager_comment", "suggestions", "unallocated_cases")}
    values.update(changes)
    return team_month_update(team=qreturn.team, month=team_month.month, updated_by=user,
                             expected_lock_version=team_month.lock_version, ip=ip, **values)


@transaction.atomic
def quarterly_return_complete(*, qreturn: QuarterlyReturn, user, expected_lock_version: int,
                              unallocated_cases: int, suggestions: str = "", manager_comment: str = "",
                              completed_on: date, ip: str | None = None) -> QuarterlyReturn:
    """The team manager completes the team fields (REPORTS.md (c) "Workflow"): unallocated cases, their
    comment and suggestions on the reporting month's team pro-forma, and the date of completion, which fixes
    the quarter block's last weekly snapshot (REP-27)."""
    locked = _lock(qreturn, expected_lock_version)
    if not can_manage_team(user, locked.team):
        raise PermissionDenied(NOT_YOURS_TM)
    if locked.state == QuarterlyReturn.State.SUBMITTED:
        raise ValidationError("The return is with the service manager; it comes back to you if they return it.")
    _team_month_write(qreturn=locked, user=user, ip=ip, unallocated_cases=unallocated_cases,
                      suggestions=suggestions.strip(), manager_comment=manager_comment.strip())
    locked.completed_on = completed_on
    _save(locked, actor=user, action="quarterly_return.completed", ip=ip,
          data={"completed_on": completed_on.isoformat()})
    return locked


@transaction.atomic
def quarterly_return_submit(*, qreturn: QuarterlyReturn, user, today: date | None = None,
                            ip: str | None = None) -> QuarterlyReturn:
    """The team manager sends the completed return to the service manager."""
    locked = _lock(qreturn, None)
    if not can_manage_team(user, locked.team):
        raise PermissionDenied(NOT_YOURS_TM)
    if locked.state not in (QuarterlyReturn.State.DRAFT, QuarterlyReturn.State.RETURNED):
        raise ValidationError(WRONG_STATE_SUBMIT)
    if quarterly_return_team_month(locked).unallocated_cases is None:
        raise ValidationError({"unallocated_cases": NEEDS_UNALLOCATED})
    locked.completed_on = locked.completed_on or today or timezone.localdate()
    locked.state = QuarterlyReturn.State.SUBMITTED
    locked.submitted_by, locked.submitted_at = user, timezone.now()
    _save(locked, actor=user, action="quarterly_return.submitted", ip=ip)
    return locked


@transaction.atomic
def quarterly_return_comment(*, qreturn: QuarterlyReturn, user, expected_lock_version: int,
                             service_manager_comment: str, suggestions: str,
                             ip: str | None = None) -> QuarterlyReturn:
    """The service manager's overall comments (required before approval) and suggestions, on the reporting
    month's team pro-forma: the same comment the team pro-forma page shows, with its author and time."""
    locked = _lock(qreturn, expected_lock_version)
    if not can_set_service_manager_comment(user, locked.team):
        raise PermissionDenied(NOT_YOURS_SM)
    if locked.state != QuarterlyReturn.State.SUBMITTED:
        raise ValidationError(WRONG_STATE_CHECK)
    _team_month_write(qreturn=locked, user=user, ip=ip, service_manager_comment=service_manager_comment.strip(),
                      suggestions=suggestions.strip())
    _save(locked, actor=user, action="quarterly_return.commented", ip=ip)
    return locked


@transaction.atomic
def quarterly_return_send_back(*, qreturn: QuarterlyReturn, user, reason: str,
                               ip: str | None = None) -> QuarterlyReturn:
    """The service manager returns the return to the team manager, with the reason in words."""
    locked = _lock(qreturn, None)
    if not can_set_service_manager_comment(user, locked.team):
        raise PermissionDenied(NOT_YOURS_SM)
    if locked.state != QuarterlyReturn.State.SUBMITTED:
        raise ValidationError(WRONG_STATE_CHECK)
    if not reason.strip():
        raise ValidationError({"reason": NEEDS_REASON})
    locked.state, locked.returned_reason = QuarterlyReturn.State.RETURNED, reason.strip()
    _save(locked, actor=user, action="quarterly_return.returned", ip=ip, data={"reason": reason.strip()})
    return locked


@transaction.atomic
def quarterly_return_approve(*, qreturn: QuarterlyReturn, user, ip: str | None = None) -> QuarterlyReturn:
    """Approval locks the return and dispatches it: one run, queued on commit, builds the PDF and CSV and
    emails them (REPORTS.md (c), POL-21). The run's `emailed_at` makes the email happen once, whatever the
    retries; a second approval is refused because the return is locked."""
    locked = _lock(qreturn, None)
    if not can_set_service_manager_comment(user, locked.team):
        raise PermissionDenied(NOT_YOURS_SM)
    if locked.state != QuarterlyReturn.State.SUBMITTED:
        raise ValidationError(WRONG_STATE_CHECK)
    if not quarterly_return_team_month(locked).service_manager_comment.strip():
        raise ValidationError({"service_manager_comment": NEEDS_SM_COMMENT})
    run, _ = ReportRun.objects.get_or_create(kind=ReportKind.QUARTERLY_RETURN, period_key=locked.quarter,
                                             team=locked.team, defaults={"requested_by": user})
    locked.state = QuarterlyReturn.State.APPROVED
    locked.approved_by, locked.approved_at, locked.run = user, timezone.now(), run
    _save(locked, actor=user, action="quarterly_return.approved", ip=ip, data={"run": run.pk})
    report_run_queue(run=run, send=True)
    return locked


HISTORY_LABELS = {
    "quarterly_return.completed": "completed the team fields",
    "quarterly_return.submitted": "submitted it to the service manager",
    "quarterly_return.commented": "saved the service manager's comments",
    "quarterly_return.returned": "returned it to the team manager",
    "quarterly_return.approved": "approved it",
}


def quarterly_return_history(qreturn: QuarterlyReturn) -> list[tuple[object, str]]:
    """Who did what to the return, oldest first (the audit trail), each with its words."""
    from supervision.models import AuditEvent

    events = (AuditEvent.objects.filter(target_type=QuarterlyReturn._meta.label_lower, target_id=qreturn.pk)
              .select_related("actor").order_by("at", "pk"))
    return [(event, HISTORY_LABELS.get(event.action, "changed it")) for event in events]


# ------------------------------------------------------------------------------------------- Runs


def report_run_queue(*, run: ReportRun, send: bool) -> None:
    """Queue the run's task when the surrounding transaction commits (never before: the worker must see it)."""
    from reporting.report_tasks import report_run_generate as report_run_generate_task

    transaction.on_commit(partial(report_run_generate_task.delay, run_id=run.pk, send=send))


@transaction.atomic
def report_run_request(*, kind: str, period_key: str, team: Team | None = None, requested_by=None,
                       send: bool = False, today: date | None = None) -> ReportRun:
    """Build a report now (reports page, or a dispatcher). One run per kind, period and scope: a run already
    emailed is the archive of what was sent and is never rebuilt; one not yet emailed is rebuilt, so the
    authority pack lists the returns overdue on its day rather than on an earlier on-request build.

    The committee report is refused before its quarter's last month-end snapshot exists, and is emailed
    (`send`, "issued") only once its narrative is written."""
    period = period_parse(kind, period_key, today=today or timezone.localdate())
    if kind == ReportKind.COMMITTEE:
        committee_check_ready(period)  # complete months only (REPORTS.md (c))
        if send:
            committee_check_issuable(period=period)  # issued only with its narrative
    run, created = ReportRun.objects.get_or_create(kind=kind, period_key=period.key, team=team,
                                                   defaults={"requested_by": requested_by})
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if run.emailed_at is not None or (run.status == ReportRun.Status.RUNNING and not created):
        return run  # sent (archived), or being built right now: show it
    # sha256 cleared: the build renders again (the stored files stay until the new ones replace them)
    run.status, run.progress, run.error, run.sha256 = ReportRun.Status.QUEUED, 0, "", ""
    if requested_by is not None:
        run.requested_by = requested_by
    run.save(update_fields=["status", "progress", "error", "sha256", "requested_by"])
    report_run_queue(run=run, send=send)
    return run


def _run_update(run_id: int, **fields) -> None:
    ReportRun.objects.filter(pk=run_id).update(**fields)


def report_run_build(*, run_id: int) -> ReportRun:
    """Render the run's PDF (and CSV for a team's return) and store them: queued -> running (with progress)
    -> done, or failed with the error in words. A run already done is not rendered again (a retried task).

    Each step commits on its own so the reports page sees the progress while the worker renders."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update(of=("self",)).select_related("team").get(pk=run_id)
        if run.sha256 and run.pdf:  # built: a retry (e.g. after the email failed) only sends
            return run
        run.status, run.progress, run.error = ReportRun.Status.RUNNING, 10, ""
        run.attempts += 1
        run.started_at, run.finished_at = timezone.now(), None
        run.save(update_fields=["status", "progress", "error", "attempts", "started_at", "finished_at"])
    try:
        from reporting.render import render_pdf  # heavy (WeasyPrint); loaded by the worker only

        rendered = render_pdf(run.kind, run.period_key, team=run.team)
    except Exception as exc:
        # any failure of the document is recorded in words on the run, then raised for the task to report
        _run_update(run_id, status=ReportRun.Status.FAILED, error=f"The report could not be built: {exc}",
                    finished_at=timezone.now())
        raise
    _run_update(run_id, progress=80)
    with transaction.atomic():
        run = ReportRun.objects.select_for_update(of=("self",)).select_related("team").get(pk=run_id)
        if run.sha256 and run.pdf:
            return run  # another attempt finished first
        # stored under the run's id: a rebuild replaces its own files' names, never another run's
        stored = f"{run.pk}/{rendered.filename}"
        run.pdf.save(stored, ContentFile(rendered.pdf), save=False)
        if rendered.csv:
            run.csv.save(stored.removesuffix(".pdf") + ".csv", ContentFile(rendered.csv.encode()), save=False)
        run.sha256 = hashlib.sha256(rendered.pdf).hexdigest()
        run.status, run.progress, run.finished_at = ReportRun.Status.DONE, 100, timezone.now()
        run.save()
    return run


# -------------------------------------------------------------------------------------- Dispatchers


def _active_teams() -> QuerySet[Team]:
    return Team.objects.active().select_related("service_area").order_by("service_area__name", "name")


def quarterly_returns_daily(*, today: date) -> dict[str, list[int]]:
    """The 06:00 job (POLICIES R19, REPORTS.md (c) "Reminders and escalation"): on a working day,
    - from N working days before the due date until approval, remind the team manager (draft or returned)
      or the service manager (submitted);
    - from the first working day after the due date, send the overdue return to the head of service, then
      every N working days until approved;
    - on that first working day, build and send the quarter's authority pack.
    Fixes the quarter once; each email is its own task, sent at most once per return and day."""
    from reporting.report_tasks import quarterly_return_escalate as escalate_task
    from reporting.report_tasks import quarterly_return_remind as remind_task

    queued: dict[str, list[int]] = {"reminders": [], "escalations": [], "packs": []}
    if not is_working_day(today):
        return queued
    current = quarter_key(today)
    if today >= quarter_reminders_start(current):
        for team in _active_teams():  # every active team has a return from the reminders' first day
            QuarterlyReturn.objects.get_or_create(team=team, quarter=current)
    pending = (QuarterlyReturn.objects.exclude(state=QuarterlyReturn.State.APPROVED)
               .filter(quarter__lte=current, team__is_active=True).order_by("quarter", "team__name"))
    for qreturn in pending:
        if today < quarter_reminders_start(qreturn.quarter):
            continue
        if today > quarter_due_date(qreturn.quarter):
            last = qreturn.last_escalated_on
            if last is None or working_days_after(last, today) >= settings.CASEWEIGHT_RETURN_ESCALATE_EVERY_DAYS:
                queued["escalations"].append(qreturn.pk)
                transaction.on_commit(partial(escalate_task.delay, return_id=qreturn.pk, day=today.isoformat()))
        else:
            queued["reminders"].append(qreturn.pk)
            transaction.on_commit(partial(remind_task.delay, return_id=qreturn.pk, day=today.isoformat()))
    for quarter in {current, quarter_key(today - timedelta(days=31))}:
        if quarter_pack_day(quarter) == today:
            run = report_run_request(kind=ReportKind.AUTHORITY_PACK, period_key=quarter, send=True, today=today)
            queued["packs"].append(run.pk)
    return queued


def smt_weekly_dispatch(*, today: date) -> ReportRun:
    """Monday's weekly SMT report (REPORTS.md (d)), from the previous week's snapshot: the ISO week before."""
    return report_run_request(kind=ReportKind.SMT_WEEKLY, period_key=Period.week(today - timedelta(days=7)).key,
                              send=True, today=today)


def smt_monthly_dispatch(*, today: date) -> ReportRun:
    """The monthly edition on the 1st (REPORTS.md (d)), for the month just ended."""
    return report_run_request(kind=ReportKind.SMT_MONTHLY,
                              period_key=Period.month(today.replace(day=1) - timedelta(days=1)).key,
                              send=True, today=today)
