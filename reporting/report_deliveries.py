"""The reports' emails: a built run to its distribution lists (PDF, and CSV for a team's return, attached),
and the quarterly return's reminders and overdue notices (POLICIES R19).

Each message is sent at most once. A run's email to a list is recorded as a `ReportDelivery` under the run's
row lock before the next list is tried, and `emailed_at` is set under the same lock once every list has had
it: a retried task (SMTP was down) sends only what is missing and nothing twice. Only a crash between the SMTP
server accepting and the commit could duplicate, and a missing return is worse than that rare duplicate
(STYLE.md §6). Called by reporting/report_tasks.py, never from a request.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reporting.committee_services import committee_narrative, narrative_complete
from reporting.documents.quarterly_return import late_pack
from reporting.models import DistributionList, QuarterlyReturn, ReportDelivery, ReportKind, ReportRun
from reporting.report_services import period_parse, quarter_due_date
from supervision.notifications import absolute, head_of_service_address, team_manager_addresses
from workload.models import Team
from workload.workdays import working_days_after

NO_RECIPIENTS = "No distribution list has addresses for this report, so it was built but not emailed."
DRAFT_NOT_SENT = "This committee report is a draft (its narrative is not written), so it was not emailed."
EMAIL_FAILED = "The email could not be sent ({error}); it will be tried again."


@dataclass(frozen=True)
class Target:
    name: str  # the list's name, for the page
    recipients: tuple[str, ...]
    late: bool = False


def list_addresses(distribution_list: DistributionList) -> list[str]:
    """A list's own addresses and its members' login addresses, once each, sorted."""
    users = {u.email for u in distribution_list.users.all() if u.is_active and u.email}
    return sorted({a.strip().lower() for a in [*distribution_list.addresses, *users] if a and a.strip()})


def _list_for(kind: str, team: Team | None) -> DistributionList | None:
    """The service area's list for the kind when it has one, else the authority-wide list."""
    lists = DistributionList.objects.prefetch_related("users").filter(kind=kind)
    if team is not None:
        found = lists.filter(service_area=team.service_area_id).first()
        if found is not None:
            return found
    return lists.filter(service_area__isnull=True).first()


def service_manager_address(team: Team) -> str:
    sm = team.service_manager
    return sm.email if sm is not None and sm.is_active and sm.email else head_of_service_address(team)


def run_targets(run: ReportRun) -> list[Target]:
    """Who receives a run (REPORTS.md (c) "Recipients", (d)): the kind's list (per service area where one
    exists); a team's return also goes as a copy to its team managers, service manager and head of service,
    and, when approved after its quarter's authority pack went, to the pack's recipients marked "Late"."""
    targets: list[Target] = []
    kinds = [run.kind]
    if run.kind == ReportKind.SMT_MONTHLY:
        kinds.append(ReportKind.SMT_WEEKLY)  # "goes to the same recipients" when it has no list of its own
    for kind in kinds:
        found = _list_for(kind, run.team)
        if found is not None and list_addresses(found):
            targets.append(Target(found.name, tuple(list_addresses(found))))
            break
    if run.kind == ReportKind.QUARTERLY_RETURN and run.team is not None:
        team = run.team
        copies = sorted({*team_manager_addresses(team), service_manager_address(team),
                         head_of_service_address(team)} - {""})
        if copies:
            targets.append(Target("Team managers, service manager and head of service", tuple(copies)))
        if late_pack(QuarterlyReturn.objects.filter(run=run).first()) is not None:  # the PDF says "Late" too
            pack_list = _list_for(ReportKind.AUTHORITY_PACK, None)
            if pack_list is not None and list_addresses(pack_list):
                targets.append(Target(pack_list.name, tuple(list_addresses(pack_list)), late=True))
    return targets


def run_filename(run: ReportRun) -> str:
    """The PDF's name as people see it ("quarterly-return-2025-Q1-DA1.pdf"): the document's own name, not the
    stored path (which storage may have made unique)."""
    from reporting.render import filename_for

    return filename_for(run.kind, period_parse(run.kind, run.period_key), run.team)


def run_subject(run: ReportRun, *, late: bool = False) -> str:
    period = period_parse(run.kind, run.period_key)
    scope = f"{run.team.name}, " if run.team_id else ""
    subject = f"{run.get_kind_display()}: {scope}{period.label}"
    return f"Late: {subject}" if late else subject


def _run_message(run: ReportRun, target: Target) -> EmailMessage:
    subject = run_subject(run, late=target.late)
    body = render_to_string("reporting/reports/email/report.txt", {
        "run": run, "subject": subject, "late": target.late, "authority": settings.CASEWEIGHT_AUTHORITY_NAME,
        "period": period_parse(run.kind, run.period_key),
        "url": absolute(reverse("reports:run-detail", args=[run.pk])),
    })
    message = EmailMessage(subject=subject, body=body, to=list(target.recipients))
    name = run_filename(run)
    with run.pdf.open("rb") as pdf:
        message.attach(name, pdf.read(), "application/pdf")
    if run.csv:
        with run.csv.open("rb") as csv:
            message.attach(name.removesuffix(".pdf") + ".csv", csv.read(), "text/csv")
    return message


def report_run_email(*, run_id: int) -> int:
    """Email a built run to each of its targets that has not had it; returns how many emails were sent.

    SMTP failure marks the run failed with the error in words and raises (the task retries with backoff);
    the lists already sent are recorded, so the retry sends only the rest."""
    run = ReportRun.objects.select_related("team", "team__service_area", "team__service_manager",
                                           "team__service_area__head_of_service").get(pk=run_id)
    if run.emailed_at is not None or not run.sha256:
        return 0
    if run.kind == ReportKind.COMMITTEE and not narrative_complete(committee_narrative(run.period_key)):
        ReportRun.objects.filter(pk=run_id).update(error=DRAFT_NOT_SENT)  # a draft is never issued as final
        return 0
    targets = run_targets(run)
    if not targets:
        ReportRun.objects.filter(pk=run_id).update(error=NO_RECIPIENTS)
        return 0
    sent = 0
    for target in targets:
        try:
            sent += _send_to_target(run, target)
        except OSError as exc:  # SMTPException is an OSError: recorded outside the rolled-back attempt
            report_run_mark_email_failed(run_id=run_id, error=str(exc) or exc.__class__.__name__)
            raise
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run_id)
        if locked.emailed_at is None:
            locked.emailed_at = timezone.now()
            locked.status, locked.error = ReportRun.Status.DONE, ""
            locked.save(update_fields=["emailed_at", "status", "error"])
    return sent


@transaction.atomic
def _send_to_target(run: ReportRun, target: Target) -> int:
    locked = ReportRun.objects.select_for_update().get(pk=run.pk)
    if locked.emailed_at is not None:
        return 0
    if locked.deliveries.filter(recipients=list(target.recipients), late=target.late).exists():
        return 0
    message = _run_message(run, target)
    message.send()
    ReportDelivery.objects.create(run=locked, recipients=list(target.recipients), subject=message.subject,
                                  late=target.late, sent_at=timezone.now())
    return 1


def report_run_mark_email_failed(*, run_id: int, error: str) -> None:
    """Record an email failure on the run, outside the rolled-back transaction of the attempt."""
    ReportRun.objects.filter(pk=run_id, emailed_at=None).update(
        status=ReportRun.Status.FAILED, error=EMAIL_FAILED.format(error=error))


# ------------------------------------------------------------------------ Reminders and escalations


def _lock_return(return_id: int) -> QuarterlyReturn | None:
    pk = QuarterlyReturn.objects.select_for_update().filter(pk=return_id).values_list("pk", flat=True).first()
    if pk is None:
        return None
    return QuarterlyReturn.objects.select_related(
        "team", "team__service_area", "team__service_manager", "team__service_area__head_of_service").get(pk=pk)


def _return_message(qreturn: QuarterlyReturn, *, template: str, subject: str, to: list[str], **context):
    period = period_parse(ReportKind.QUARTERLY_RETURN, qreturn.quarter)
    body = render_to_string(f"reporting/reports/email/{template}", {
        "qreturn": qreturn, "team": qreturn.team, "period": period, "subject": subject,
        "due": quarter_due_date(qreturn.quarter), "authority": settings.CASEWEIGHT_AUTHORITY_NAME,
        "url": absolute(reverse("reports:return-detail", args=[qreturn.team_id, qreturn.quarter])), **context,
    })
    return EmailMessage(subject=subject, body=body, to=[a for a in to if a])


@transaction.atomic
def quarterly_return_remind(*, return_id: int, day: date) -> bool:
    """Remind whoever holds the return (team manager: being completed or returned; service manager:
    submitted), at most once per return and day (`last_reminded_on`, set under the row lock)."""
    qreturn = _lock_return(return_id)
    if qreturn is None or qreturn.state == QuarterlyReturn.State.APPROVED or qreturn.last_reminded_on == day:
        return False
    period = period_parse(ReportKind.QUARTERLY_RETURN, qreturn.quarter)
    if qreturn.state == QuarterlyReturn.State.SUBMITTED:
        to, whom = [service_manager_address(qreturn.team)], "service_manager"
    else:
        to, whom = team_manager_addresses(qreturn.team), "team_manager"
    subject = f"Reminder: the {period.label} return for {qreturn.team.name} is due on " \
              f"{quarter_due_date(qreturn.quarter):%-d %B %Y}"
    message = _return_message(qreturn, template="return_reminder.txt", subject=subject, to=to, whom=whom)
    if not message.to:
        return False
    message.send()
    qreturn.last_reminded_on = day
    qreturn.save(update_fields=["last_reminded_on"])
    return True


@transaction.atomic
def quarterly_return_escalate(*, return_id: int, day: date) -> bool:
    """Send an overdue return to the head of service: on the first working day after the due date, then every
    N working days until approved (POLICIES R19); `last_escalated_on` is set under the row lock."""
    qreturn = _lock_return(return_id)
    if qreturn is None or qreturn.state == QuarterlyReturn.State.APPROVED or qreturn.last_escalated_on == day:
        return False
    due = quarter_due_date(qreturn.quarter)
    if day <= due:
        return False
    period = period_parse(ReportKind.QUARTERLY_RETURN, qreturn.quarter)
    subject = f"Overdue: the {period.label} return for {qreturn.team.name} has not been approved"
    message = _return_message(qreturn, template="return_overdue.txt", subject=subject,
                              to=[head_of_service_address(qreturn.team)],
                              working_days=working_days_after(due, day))
    if not message.to:
        return False
    message.send()
    qreturn.last_escalated_on = day
    qreturn.save(update_fields=["last_escalated_on"])
    return True
