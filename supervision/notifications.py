"""Email text for the pro-forma workflow: who receives what, built from templates/email/supervision/.

No sending and no clock here: services decide when, tasks send. Links are absolute (CASEWEIGHT_SITE_URL)
because a mail client has no page to be relative to.
"""
from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from supervision.concerns import concern_respond_by
from supervision.help import help_url
from supervision.models import Dispute, ProformaEntry, WorkloadConcern
from workload.models import Team, Worker


def absolute(path: str) -> str:
    return settings.CASEWEIGHT_SITE_URL.rstrip("/") + path


def worker_address(worker: Worker) -> str:
    """The worker's login email, else the address on the worker record."""
    user = worker.user
    return (user.email if user is not None and user.email else "") or worker.email


def team_manager_addresses(team: Team) -> list[str]:
    return sorted({u.email for u in team.managers.all() if u.is_active and u.email})


def head_of_service_address(team: Team) -> str:
    head = team.service_area.head_of_service
    return head.email if head is not None and head.is_active and head.email else ""


def _message(*, template: str, subject: str, to: list[str], context: dict) -> EmailMessage:
    body = render_to_string(f"email/supervision/{template}", {**context, "subject": subject,
                                                               "authority": settings.CASEWEIGHT_AUTHORITY_NAME})
    return EmailMessage(subject=subject, body=body, to=[a for a in to if a])


def signature_request(entry: ProformaEntry) -> EmailMessage:
    subject = f"Your {entry.month:%B %Y} workload pro-forma is ready to countersign"
    return _message(
        template="signature_request.txt", subject=subject, to=[worker_address(entry.worker)],
        context={"entry": entry, "url": absolute(reverse("supervision:entry-countersign", args=[entry.pk]))},
    )


def countersign_reminder(entry: ProformaEntry, *, working_days: int) -> EmailMessage:
    subject = f"Reminder: your {entry.month:%B %Y} workload pro-forma is waiting for your signature"
    return _message(
        template="countersign_reminder.txt", subject=subject, to=[worker_address(entry.worker)],
        context={"entry": entry, "working_days": working_days,
                 "url": absolute(reverse("supervision:entry-countersign", args=[entry.pk]))},
    )


def dispute_notice(dispute: Dispute) -> EmailMessage:
    entry = dispute.entry
    subject = f"{entry.worker.full_name} disputed their {entry.month:%B %Y} workload pro-forma"
    return _message(
        template="dispute_notice.txt", subject=subject, to=team_manager_addresses(entry.team),
        context={"entry": entry, "dispute": dispute,
                 "url": absolute(reverse("supervision:entry-detail", args=[entry.pk]))},
    )


def concern_notice(concern: WorkloadConcern) -> EmailMessage:
    worker = concern.worker
    team = worker.team
    to = [*team_manager_addresses(team), head_of_service_address(team)] if team else []
    subject = f"Workload concern raised by {worker.full_name}"
    return _message(
        template="concern_notice.txt", subject=subject, to=sorted(set(a for a in to if a)),
        context={"concern": concern, "worker": worker, "team": team, "respond_by": concern_respond_by(concern),
                 "url": absolute(reverse("supervision:concern-detail", args=[concern.pk])),
                 "why_url": absolute(help_url("worker-concern"))},
    )


def concern_overdue_notice(concern: WorkloadConcern) -> EmailMessage:
    """To the head of service: a concern still unanswered after its deadline (POLICIES R09)."""
    worker = concern.worker
    team = worker.team
    subject = f"Unanswered workload concern from {worker.full_name}"
    return _message(
        template="concern_overdue.txt", subject=subject, to=[head_of_service_address(team)] if team else [],
        context={"concern": concern, "worker": worker, "team": team, "respond_by": concern_respond_by(concern),
                 "url": absolute(reverse("supervision:concern-detail", args=[concern.pk]))},
    )
