"""Writes on escalations: what the daily evaluation opens, updates and closes, and what people record
(the head of service agrees or refuses, the team manager records an action plan or answers "is the work
ongoing?"). Every change writes an EscalationEvent; opening one emails its owner once (a Celery task queued
on commit). Reads for the pages are at the end: access has one home here (a guessed id is a 404).
"""
from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reporting.models import Escalation, EscalationEvent, EscalationKind, EscalationState
from workload.access import can_manage_team, teams_for_user
from workload.capabilities import can
from workload.roles import Role, user_roles

if TYPE_CHECKING:
    from reporting.escalations import Episode

# What people read in the history (events keep their code in `action`; pages show these labels).
EVENT_LABELS = {
    "opened": "Opened",
    "updated": "Caseload changed",
    "closed": "Closed",
    "emailed": "Emailed to the owner",
    "agreed": "Agreed by the head of service",
    "refused": "Refused by the head of service",
    "agreement_ended": "Agreement ended while still over",
    "action_plan": "Action plan recorded",
    "ongoing_answer": "Answered whether the work is ongoing",
}
CLOSED = "This escalation is closed: nothing more can be recorded on it."
NOT_DECIDABLE = "Only an escalation that needs the head of service's agreement can be agreed or refused."
NOT_SUSTAINED = "Only an escalation for a caseload over the maximum for a long time asks whether the work is ongoing."
UNTIL_REQUIRED = "Give the date the agreement ends."
UNTIL_PAST = "The agreement must end after the date it is given."
COMMENT_REQUIRED = "Give a comment explaining the decision."
TARGET_PAST = "The target date must not be in the past."
REVIEW_PAST = "The review date must not be in the past."
REVIEW_AFTER_TARGET = "The review date must be on or before the target date."
END_REQUIRED = "Give the date the work is expected to end."
END_PAST = "The expected end date must not be in the past."


def _event(escalation: Escalation, action: str, *, actor=None, text: str = "", data: dict | None = None) -> None:
    EscalationEvent.objects.create(escalation=escalation, action=action, actor=actor, text=text, data=data or {},
                                   at=timezone.now())


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _dump(value: Any) -> Any:
    return str(value) if value is not None else None


# ---------------------------------------------------------------------------------- the evaluation
# Called inside escalations_evaluate's transaction (no savepoint per row: the evaluation's reads stay a
# fixed number of queries).


def escalation_open(*, episode: Episode, owner, notify: bool = True) -> Escalation:
    """Open the escalation of a rule episode and queue the owner's email on commit (unless `notify` is off)."""
    from reporting.tasks import escalation_opened_send as escalation_opened_send_task

    escalation = Escalation(
        kind=episode.kind, team_id=episode.team_id, worker_id=episode.worker_id, first_over_on=episode.first_over_on,
        opened_on=episode.opened_on, due_on=episode.due_on, owner=owner, cases=episode.cases,
        threshold=episode.threshold,
    )
    escalation.full_clean()
    escalation.save()
    _event(escalation, "opened", data={"cases": episode.cases, "threshold": _dump(episode.threshold),
                                       "due_on": _dump(episode.due_on), **episode.data})
    if notify:
        transaction.on_commit(partial(escalation_opened_send_task.delay, escalation_id=escalation.pk))
    return escalation


def escalation_refresh(*, escalation: Escalation, episode: Episode, on: date) -> int:
    """Bring an open escalation up to date with its episode: cases and threshold from the latest snapshot;
    an agreement whose end date has passed while still over goes back to the head of service (R04)."""
    from reporting.escalations import add_working_days

    changed = 0
    if (escalation.cases, escalation.threshold) != (episode.cases, episode.threshold):
        _event(escalation, "updated", data={"cases": [escalation.cases, episode.cases],
                                            "threshold": [_dump(escalation.threshold), _dump(episode.threshold)]})
        escalation.cases, escalation.threshold = episode.cases, episode.threshold
        changed = 1
    if escalation.state == EscalationState.AGREED and escalation.agreed_until and escalation.agreed_until < on:
        escalation.state = EscalationState.OPEN
        escalation.due_on = add_working_days(escalation.agreed_until, 5)
        _event(escalation, "agreement_ended", data={"agreed_until": _dump(escalation.agreed_until),
                                                    "due_on": _dump(escalation.due_on)})
        changed = 1
    if changed:
        escalation.full_clean()
        escalation.save()
    return changed


def escalation_close(*, escalation: Escalation, on: date, reason: str) -> Escalation:
    escalation.closed_on, escalation.closed_reason = on, reason
    escalation.state = EscalationState.CLOSED
    escalation.full_clean()
    escalation.save()
    _event(escalation, "closed", text=reason, data={"closed_on": _dump(on)})
    return escalation


def escalation_subject(escalation: Escalation) -> str:
    who = escalation.worker.full_name if escalation.worker_id else escalation.team.name
    label = escalation.get_kind_display()
    return f"Caseload escalation for {who} ({escalation.team.name}): {label[0].lower()}{label[1:]}"


@transaction.atomic
def escalation_opened_send(*, escalation_id: int) -> bool:
    """Email the owner that an escalation opened, once: the "emailed" event, written under a row lock in
    the same transaction, is the send log (a retried task finds it and sends nothing more)."""
    pk = Escalation.objects.select_for_update().filter(pk=escalation_id).values_list("pk", flat=True).first()
    if pk is None:
        return False
    escalation = Escalation.objects.select_related("team", "worker", "owner").get(pk=pk)
    if escalation.owner is None or not escalation.owner.email or escalation.events.filter(action="emailed").exists():
        return False
    link = settings.CASEWEIGHT_SITE_URL.rstrip("/") + reverse("reporting:escalation-detail", args=[escalation.pk])
    subject = escalation_subject(escalation)
    body = render_to_string("reporting/escalations/email_opened.txt", {
        "escalation": escalation, "link": link, "subject": subject,
        "authority": settings.CASEWEIGHT_AUTHORITY_NAME,
    })
    EmailMessage(subject=subject, body=body, to=[escalation.owner.email]).send()
    _event(escalation, "emailed", data={"to": [escalation.owner.email]})
    return True


# ---------------------------------------------------------------------------------- people's actions


def _check_open(escalation: Escalation) -> None:
    if escalation.closed_on is not None:
        raise ValidationError(CLOSED)


@transaction.atomic
def escalation_decide(*, escalation: Escalation, user, agree: bool, until: date | None, comment: str,
                      today: date) -> Escalation:
    """The head of service agrees (with an end date: the agreement lapses then, R04) or refuses, with a
    comment. Only for the rules that ask for agreement (over the agreement threshold; team above target)."""
    _check_open(escalation)
    if escalation.kind not in (EscalationKind.HOS_AGREEMENT, EscalationKind.TEAM_ABOVE_TARGET):
        raise ValidationError(NOT_DECIDABLE)
    errors = {}
    if not comment.strip():
        errors["comment"] = COMMENT_REQUIRED
    if agree and until is None:
        errors["until"] = UNTIL_REQUIRED
    elif agree and until <= today:
        errors["until"] = UNTIL_PAST
    if errors:
        raise ValidationError(errors)
    if agree:
        escalation.state, escalation.agreed_on, escalation.agreed_until = EscalationState.AGREED, today, until
    else:
        escalation.state, escalation.agreed_on, escalation.agreed_until = EscalationState.REFUSED, None, None
    escalation.full_clean()
    escalation.save()
    _event(escalation, "agreed" if agree else "refused", actor=user, text=comment.strip(),
           data={"on": _dump(today), "until": _dump(until if agree else None)})
    return escalation


@transaction.atomic
def escalation_action_plan_record(*, escalation: Escalation, user, actions: str, owner_name: str, target_on: date,
                                  review_on: date, today: date) -> Escalation:
    """The team manager's action plan (R04): actions, who owns them, the date to be back under, the review
    date. For an escalation that needs no agreement it is the action taken, and the escalation waits no more."""
    _check_open(escalation)
    errors = {}
    if target_on < today:
        errors["target_on"] = TARGET_PAST
    if review_on < today:
        errors["review_on"] = REVIEW_PAST
    elif review_on > target_on:
        errors["review_on"] = REVIEW_AFTER_TARGET
    if errors:
        raise ValidationError(errors)
    escalation.action_plan = (
        f"{actions.strip()}\n\nOwner: {owner_name.strip()}\nTarget date to be back under: {_day(target_on)}"
    )
    escalation.review_on = review_on
    if escalation.state == EscalationState.OPEN and escalation.kind not in (
        EscalationKind.HOS_AGREEMENT, EscalationKind.TEAM_ABOVE_TARGET
    ):
        escalation.state = EscalationState.ACTION_RECORDED
    escalation.full_clean()
    escalation.save()
    _event(escalation, "action_plan", actor=user, text=actions.strip(),
           data={"owner": owner_name.strip(), "target_on": _dump(target_on), "review_on": _dump(review_on)})
    return escalation


@transaction.atomic
def escalation_ongoing_answer(*, escalation: Escalation, user, ongoing: bool, expected_end: date | None,
                              today: date) -> Escalation:
    """The team manager's answer to "is the work ongoing?" (R05, POL-4). No answer counts as yes. A "no"
    needs the expected end date: the head of service's response is then due on it, and the escalation
    closes by itself if the caseload is back under by then."""
    _check_open(escalation)
    if escalation.kind != EscalationKind.SUSTAINED:
        raise ValidationError(NOT_SUSTAINED)
    if not ongoing:
        if expected_end is None:
            raise ValidationError({"expected_end": END_REQUIRED})
        if expected_end < today:
            raise ValidationError({"expected_end": END_PAST})
        escalation.due_on = expected_end
        escalation.full_clean()
        escalation.save()
    _event(escalation, "ongoing_answer", actor=user, text="Yes, the work is ongoing" if ongoing else
           f"No, the work is expected to end on {_day(expected_end)}",
           data={"ongoing": ongoing, "expected_end": _dump(expected_end if not ongoing else None)})
    return escalation


# ---------------------------------------------------------------------------------- reads and access


def escalation_list_for_user(*, user, today: date) -> QuerySet[Escalation]:
    """Escalations of the teams the user sees (workload.access): overdue first, then open, then closed."""
    if not can(user, "team.view"):
        return Escalation.objects.none()
    return (
        Escalation.objects.filter(team__in=teams_for_user(user).values("pk"))
        .select_related("team__service_area", "worker", "owner")
        .annotate(rank=Case(
            When(Q(closed_on__isnull=True, due_on__lt=today)
                 & Q(state__in=[EscalationState.OPEN, EscalationState.REFUSED]), then=Value(0)),
            When(closed_on__isnull=True, then=Value(1)),
            default=Value(2), output_field=IntegerField(),
        ))
        .order_by("rank", "due_on", "-opened_on", "pk")
    )


def escalation_get_for_user(*, user, pk: int) -> Escalation:
    escalation = escalation_list_for_user(user=user, today=timezone.localdate()).filter(pk=pk).first()
    if escalation is None:
        raise Http404("No such escalation.")
    return escalation


def can_decide(user, escalation: Escalation) -> bool:
    """The head of service of the team's service area (or an administrator) agrees or refuses."""
    if Role.ADMINISTRATOR in user_roles(user):
        return True
    return Role.HEAD_OF_SERVICE in user_roles(user) and escalation.team.service_area.head_of_service_id == user.pk


def can_plan(user, escalation: Escalation) -> bool:
    """The team's manager (or an administrator) records the action plan and the "ongoing?" answer."""
    return can_manage_team(user, escalation.team)
