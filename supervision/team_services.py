"""Writes of the monthly cycle outside a worker's pro-forma: supervision sessions, workload concerns and the
team pro-forma's own fields. Each audited in its transaction; emails queued on commit."""
from __future__ import annotations

from datetime import date
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from supervision.audit import audit_event_record
from supervision.entry_store import (
    EntryConflict,
    require_manager,
)
from supervision.models import (
    SessionKind,
    SupervisionSession,
    TeamMonth,
    WorkloadConcern,
)
from supervision.rules import (
    supervision_next_due,
)
from workload.access import can_manage_team, teams_for_user
from workload.capabilities import can
from workload.models import Team, Worker


@transaction.atomic
def session_record(*, worker: Worker, recorded_by, held_on: date, held: bool = True,
                   kind: str = SessionKind.WORKER, attendees: str = "", notes: str = "",
                   ip: str | None = None, today: date | None = None) -> SupervisionSession:
    """Record a supervision session (held or not) and when the next one is due.

    A held worker supervision sets the next due date by the worker's frequency (POLICIES §5, see
    docs/supervision.md); a session that did not happen leaves the previous due date standing, so the
    worker stays on the overdue list until one is held (M10)."""
    if worker.team is None:
        raise ValidationError(f"{worker.full_name} is not in a team.")
    require_manager(recorded_by, worker.team)
    return _session_create(worker=worker, recorded_by=recorded_by, held_on=held_on, held=held, kind=kind,
                           attendees=attendees, notes=notes, ip=ip, today=today)


def _session_create(*, worker: Worker, recorded_by, held_on: date, held: bool, kind: str, attendees: str = "",
                    notes: str = "", ip: str | None = None, today: date | None = None,
                    with_proforma: bool = False) -> SupervisionSession:
    today = today or timezone.localdate()
    if held_on > today:
        raise ValidationError({"held_on": "A session is recorded once it has taken place (or been cancelled)."})
    next_due = None
    if kind == SessionKind.WORKER:
        if held:
            next_due = supervision_next_due(worker=worker, held_on=held_on)
        else:
            next_due = (
                SupervisionSession.objects.filter(worker=worker, held=True, kind=SessionKind.WORKER,
                                                  held_on__lte=held_on)
                .order_by("-held_on", "-pk").values_list("next_due", flat=True).first()
            ) or held_on
    session = SupervisionSession(worker=worker, supervisor=recorded_by, held_on=held_on, held=held, kind=kind,
                                 attendees=attendees.strip(), notes=notes.strip(), next_due=next_due,
                                 recorded_with_proforma=with_proforma)
    session.full_clean()
    session.save()
    audit_event_record(actor=recorded_by, action="session.recorded", target=session, ip=ip,
                       data={"worker": worker.pk, "held_on": held_on.isoformat(), "held": held, "kind": kind,
                             "next_due": next_due.isoformat() if next_due else None,
                             "with_proforma": with_proforma})
    return session


PROFORMA_SESSION_NOTE = "Recorded with the monthly workload pro-forma."


def entry_session_link(*, entry, recorded_by, ip: str | None = None,
                       today: date | None = None) -> SupervisionSession | None:
    """The pro-forma's date of score is its supervision: link the worker supervision held that day, or record
    it, so the manager never enters the same meeting twice and the due list clears (POLICIES §5).

    A session this entry recorded itself moves with a corrected date instead of leaving a stray meeting; one
    recorded on the sessions page is only ever linked, never changed."""
    day = entry.date_of_score
    current = entry.session
    own = current if current is not None and current.recorded_with_proforma else None
    if own is not None and own.entries.exclude(pk=entry.pk).exists():
        own = None  # shared with another month's entry: leave it as it is
    if day is None:
        if own is not None:
            audit_event_record(actor=recorded_by, action="session.withdrawn", target=own, ip=ip,
                               data={"worker": entry.worker_id, "held_on": own.held_on.isoformat(),
                                     "reason": "date of score cleared"})
            entry.session = None
            own.delete()
        return None
    held = (SupervisionSession.objects.filter(worker_id=entry.worker_id, held=True, kind=SessionKind.WORKER,
                                              held_on=day).exclude(pk=getattr(own, "pk", None))
            .order_by("-pk").first())
    if held is not None:
        if own is not None:
            entry.session = None
            own.delete()
        return held
    if own is not None:
        if own.held_on != day:
            moved_from = own.held_on
            own.held_on = day
            own.next_due = supervision_next_due(worker=entry.worker, held_on=day)
            own.full_clean()
            own.save(update_fields=["held_on", "next_due", "updated_at"])
            audit_event_record(actor=recorded_by, action="session.moved", target=own, ip=ip,
                               data={"worker": entry.worker_id, "from": moved_from.isoformat(),
                                     "to": day.isoformat(), "next_due": own.next_due.isoformat()})
        return own
    return _session_create(worker=entry.worker, recorded_by=recorded_by, held_on=day, held=True,
                           kind=SessionKind.WORKER, notes=PROFORMA_SESSION_NOTE, ip=ip, today=today,
                           with_proforma=True)


@transaction.atomic
def concern_raise(*, worker: Worker, raised_by, text: str, ip: str | None = None) -> WorkloadConcern:
    """A worker raises a workload concern (POLICIES R09); their team managers and the service area's head
    of service are emailed after commit."""
    if worker.user_id is None or worker.user_id != getattr(raised_by, "pk", None):
        raise PermissionDenied("You can only raise a concern about your own workload.")
    if not text or not text.strip():
        raise ValidationError({"text": "Describe your concern about your workload."})
    concern = WorkloadConcern(worker=worker, raised_by=raised_by, text=text.strip())
    concern.full_clean()
    concern.save()
    audit_event_record(actor=raised_by, action="concern.raised", target=concern, ip=ip,
                       data={"worker": worker.pk, "team": worker.team_id})
    from supervision.tasks import concern_notice_send as concern_notice_send_task

    transaction.on_commit(partial(concern_notice_send_task.delay, concern_id=concern.pk))
    return concern


def can_set_service_manager_comment(user, team: Team) -> bool:
    """The "Service manager's overall comments" (the printed form's "CSM overall comments", REPORTS.md (b))
    are the service manager's: the team's service manager,
    a head of service over the team, or an administrator."""
    if team.service_manager_id and team.service_manager_id == getattr(user, "pk", None):
        return True
    return can(user, "team_month.comment_sm") and teams_for_user(user).filter(pk=team.pk).exists()


@transaction.atomic
def team_month_update(*, team: Team, month: date, updated_by, expected_lock_version: int,
                      manager_comment: str, service_manager_comment: str, suggestions: str,
                      unallocated_cases: int | None, ip: str | None = None) -> TeamMonth:
    """Save the team pro-forma's own fields (REPORTS.md (b) header and footer), optimistically locked.

    The team manager owns the comment and the unallocated count; only the service manager, a head of
    service or an administrator may change the service manager's comment; either may add suggestions."""
    manages = can_manage_team(updated_by, team)
    senior = can_set_service_manager_comment(updated_by, team)
    if not (manages or senior):
        raise PermissionDenied("Only the team's managers and service managers can change these fields.")
    team_month, _ = TeamMonth.objects.get_or_create(team=team, month=month)
    claimed = TeamMonth.objects.filter(pk=team_month.pk, lock_version=expected_lock_version).update(
        lock_version=F("lock_version") + 1, updated_at=timezone.now())
    team_month.refresh_from_db()
    if not claimed:
        saved = timezone.localtime(team_month.updated_at)
        raise EntryConflict(f"Someone else saved this team pro-forma at {saved:%H:%M}; your changes were not saved. "
                            "Reload to see their version.", code="conflict")
    wanted = {"manager_comment": manager_comment.strip(), "service_manager_comment": service_manager_comment.strip(),
              "suggestions": suggestions.strip(), "unallocated_cases": unallocated_cases}
    changed = [name for name, value in wanted.items() if getattr(team_month, name) != value]
    if "service_manager_comment" in changed and not senior:
        raise PermissionDenied("Only the service manager or head of service can write the service manager's comment.")
    if {"manager_comment", "unallocated_cases"} & set(changed) and not manages:
        raise PermissionDenied("Only the team's managers can change the manager's comment and unallocated count.")
    for name, value in wanted.items():
        setattr(team_month, name, value)
    if "service_manager_comment" in changed:  # the comment is shown with its author and time
        has_comment = bool(team_month.service_manager_comment)
        team_month.service_manager_comment_by = updated_by if has_comment else None
        team_month.service_manager_comment_at = timezone.now() if has_comment else None
    team_month.full_clean()
    team_month.save()
    audit_event_record(actor=updated_by, action="team_month.updated", target=team_month, ip=ip,
                       data={"team": team.pk, "month": month.isoformat(), "fields": changed})
    return team_month
