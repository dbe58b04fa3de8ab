"""Workload concerns after they are raised (POLICIES R09): who sees them, answering and closing them, the
response deadline and what is overdue; and "what is waiting for me", the counts on home and in the navigation.

Raising a concern is supervision.team_services.concern_raise; the emails are in supervision.deliveries.
The deadline is not stored: it is CASEWEIGHT_CONCERN_RESPONSE_DAYS working days after the day the concern was
raised, so a changed setting moves every open deadline the same way (see docs/supervision.md).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Func, IntegerField, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from supervision.audit import audit_event_record
from supervision.models import CONCERN_RESPONSE_MAX_LENGTH, EntryStatus, ProformaEntry, WorkloadConcern
from workload.access import managed_teams_for_user, teams_for_user
from workload.capabilities import can
from workload.workdays import is_working_day

# Messages people read; tests assert them exactly.
RESPONSE_REQUIRED = "Write your answer to the worker's concern."
RESPONSE_TOO_LONG = (f"Keep the answer to {CONCERN_RESPONSE_MAX_LENGTH:,} characters or fewer "
                     "(it has {length:,}).")
ALREADY_CLOSED = "This concern has been closed, so it can no longer be answered."
CLOSE_NEEDS_ANSWER = "Answer the concern before closing it: the worker should see a reply."
ALREADY_CLOSED_CLOSE = "This concern is already closed."
NOT_YOURS_TO_ANSWER = "Only the worker's team manager or head of service can answer this concern."


# ------------------------------------------------------------------------------------------------ deadline
def response_days() -> int:
    return settings.CASEWEIGHT_CONCERN_RESPONSE_DAYS  # read when called, so tests can override it


def respond_by(raised_on: date, *, days: int | None = None) -> date:
    """The last day to answer: the Nth working day after the day the concern was raised (POLICIES R09)."""
    days = response_days() if days is None else days
    day, counted = raised_on, 0
    while counted < days:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return day


def overdue_raised_on_or_before(today: date, *, days: int | None = None) -> date:
    """The latest raising day whose deadline is before `today`: concerns raised then or earlier are overdue."""
    day = today - timedelta(days=1)
    while respond_by(day, days=days) >= today:
        day -= timedelta(days=1)
    return day


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def concern_raised_on(concern: WorkloadConcern) -> date:
    return timezone.localtime(concern.created_at).date()


def concern_respond_by(concern: WorkloadConcern) -> date:
    return respond_by(concern_raised_on(concern))


def concern_is_overdue(concern: WorkloadConcern, *, today: date) -> bool:
    """Unanswered after its deadline. An answered concern is never overdue, even if answered late."""
    return concern.status == WorkloadConcern.Status.OPEN and today > concern_respond_by(concern)


# ------------------------------------------------------------------------------------------------ reads
def _open(qs: QuerySet[WorkloadConcern]) -> QuerySet[WorkloadConcern]:
    return qs.filter(status=WorkloadConcern.Status.OPEN)


def _overdue(qs: QuerySet[WorkloadConcern], *, today: date) -> QuerySet[WorkloadConcern]:
    cutoff = overdue_raised_on_or_before(today)
    return _open(qs).filter(created_at__lt=_start_of(cutoff + timedelta(days=1)))


def concerns_answerable_by(user) -> QuerySet[WorkloadConcern]:
    """Concerns of workers in the teams this user sees, if they may answer concerns at all."""
    if not can(user, "concern.answer"):
        return WorkloadConcern.objects.none()
    return WorkloadConcern.objects.filter(worker__team__in=teams_for_user(user).values("pk"))


def concerns_for_user(user) -> QuerySet[WorkloadConcern]:
    """What a user may read: the concerns they may answer, and their own."""
    own = Q(worker__user=user) if getattr(user, "is_authenticated", False) else Q(pk__in=[])
    answerable = concerns_answerable_by(user).values("pk")
    return WorkloadConcern.objects.filter(own | Q(pk__in=answerable))


def concern_get_for_user(*, user, pk: int) -> WorkloadConcern:
    """One concern, or 404 outside the user's teams (a guessed id learns nothing)."""
    try:
        return concerns_for_user(user).select_related(
            "worker", "worker__team", "worker__team__service_area", "raised_by", "responded_by", "closed_by",
        ).get(pk=pk)
    except WorkloadConcern.DoesNotExist as exc:
        raise Http404("No such concern.") from exc


def can_answer(user, concern: WorkloadConcern) -> bool:
    return (can(user, "concern.answer") and concern.worker.team_id is not None
            and teams_for_user(user).filter(pk=concern.worker.team_id).exists())


@dataclass(frozen=True)
class ConcernRow:
    concern: WorkloadConcern
    respond_by: date
    overdue: bool


@dataclass
class ConcernInbox:
    waiting: list[ConcernRow]  # unanswered, oldest first (the most urgent)
    answered: list[ConcernRow]  # answered, not yet closed
    closed: list[ConcernRow]  # most recently closed first, the last CLOSED_SHOWN

    @property
    def overdue_count(self) -> int:
        return sum(row.overdue for row in self.waiting)


CLOSED_SHOWN = 25


def concern_inbox(*, user, today: date) -> ConcernInbox:
    """The concerns inbox of a manager or head of service: three queries whatever the number of teams."""
    base = concerns_answerable_by(user).select_related("worker", "worker__team", "responded_by", "closed_by")

    def rows(qs) -> list[ConcernRow]:
        out = []
        for concern in qs:
            deadline = concern_respond_by(concern)
            out.append(ConcernRow(concern, deadline, concern.status == WorkloadConcern.Status.OPEN
                                  and today > deadline))
        return out

    S = WorkloadConcern.Status
    return ConcernInbox(
        waiting=rows(base.filter(status=S.OPEN).order_by("created_at", "pk")),
        answered=rows(base.filter(status=S.RESPONDED).order_by("created_at", "pk")),
        closed=rows(base.filter(status=S.CLOSED).order_by("-closed_at", "-pk")[:CLOSED_SHOWN]),
    )


def concerns_overdue_for_escalation(*, today: date) -> list[int]:
    """Ids of unanswered concerns past their deadline not yet sent to the head of service."""
    return list(_overdue(WorkloadConcern.objects.filter(escalated_at=None), today=today)
                .order_by("created_at", "pk").values_list("pk", flat=True))


# ------------------------------------------------------------------------------------------------ writes
def _locked(concern: WorkloadConcern) -> WorkloadConcern:
    WorkloadConcern.objects.select_for_update().filter(pk=concern.pk).values_list("pk").first()
    concern.refresh_from_db(fields=["status", "response", "responded_by", "responded_at", "closed_by",
                                    "closed_at", "escalated_at"])
    return concern


def _require_answerer(user, concern: WorkloadConcern) -> None:
    if not can_answer(user, concern):
        raise PermissionDenied(NOT_YOURS_TO_ANSWER)


@transaction.atomic
def concern_answer(*, concern: WorkloadConcern, answered_by, response: str, ip: str | None = None,
                   now: datetime | None = None) -> WorkloadConcern:
    """Record the manager's answer to a concern (POLICIES R09: each addressee responds and records it).

    A second answer before closing replaces the first (a correction); both are in the audit trail."""
    _require_answerer(answered_by, concern)
    concern = _locked(concern)
    if concern.status == WorkloadConcern.Status.CLOSED:
        raise ValidationError(ALREADY_CLOSED)
    text = (response or "").strip()
    if not text:
        raise ValidationError({"response": RESPONSE_REQUIRED})
    if len(text) > CONCERN_RESPONSE_MAX_LENGTH:
        raise ValidationError({"response": RESPONSE_TOO_LONG.format(length=len(text))})
    now = now or timezone.now()
    deadline = concern_respond_by(concern)
    replaced = concern.status == WorkloadConcern.Status.RESPONDED
    concern.status = WorkloadConcern.Status.RESPONDED
    concern.response, concern.responded_by, concern.responded_at = text, answered_by, now
    concern.full_clean()
    concern.save(update_fields=["status", "response", "responded_by", "responded_at", "updated_at"])
    audit_event_record(actor=answered_by, action="concern.answered", target=concern, ip=ip,
                       data={"worker": concern.worker_id, "respond_by": deadline.isoformat(),
                             "on_time": timezone.localtime(now).date() <= deadline, "replaced": replaced,
                             "response": text})
    return concern


@transaction.atomic
def concern_close(*, concern: WorkloadConcern, closed_by, ip: str | None = None) -> WorkloadConcern:
    """Close an answered concern: it leaves the inbox; the worker still sees the answer."""
    _require_answerer(closed_by, concern)
    concern = _locked(concern)
    if concern.status == WorkloadConcern.Status.CLOSED:
        raise ValidationError(ALREADY_CLOSED_CLOSE)
    if concern.status != WorkloadConcern.Status.RESPONDED:
        raise ValidationError(CLOSE_NEEDS_ANSWER)
    concern.status, concern.closed_by, concern.closed_at = WorkloadConcern.Status.CLOSED, closed_by, timezone.now()
    concern.full_clean()
    concern.save(update_fields=["status", "closed_by", "closed_at", "updated_at"])
    audit_event_record(actor=closed_by, action="concern.closed", target=concern, ip=ip,
                       data={"worker": concern.worker_id})
    return concern


# ------------------------------------------------------------------------------------------------ waiting
@dataclass(frozen=True)
class WaitingCounts:
    """How many things wait for this person. `concerns_overdue` is part of `concerns_to_answer`."""

    to_sign: int = 0
    disputes: int = 0
    concerns_to_answer: int = 0
    concerns_overdue: int = 0
    shown: frozenset[str] = field(default_factory=frozenset)  # which counts apply to this person's roles

    @property
    def total(self) -> int:
        return self.to_sign + self.disputes + self.concerns_to_answer


def _count(qs: QuerySet) -> Subquery:
    # COUNT(*) as a plain function, not an aggregate: no GROUP BY, one row per subquery
    return Subquery(qs.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
                    output_field=IntegerField())


def waiting_counts(*, user, today: date) -> WaitingCounts:
    """Counts for home and the navigation in one query whatever the authority's size (none for a role with
    nothing to act on, such as SMT). Cached on the user object for the request."""
    cached = getattr(user, "_caseweight_waiting", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    subqueries = {}
    if can(user, "entry.sign"):
        subqueries["to_sign"] = _count(ProformaEntry.objects.current().submitted().filter(worker__user=user))
    if can(user, "entry.submit"):
        subqueries["disputes"] = _count(ProformaEntry.objects.current().filter(
            status=EntryStatus.DISPUTED, team__in=managed_teams_for_user(user).values("pk")))
    if can(user, "concern.answer"):
        answerable = concerns_answerable_by(user)
        subqueries["concerns_to_answer"] = _count(_open(answerable))
        subqueries["concerns_overdue"] = _count(_overdue(answerable, today=today))
    counts = WaitingCounts()
    if subqueries:
        row = get_user_model().objects.filter(pk=user.pk).annotate(**subqueries).values(*subqueries).first() or {}
        counts = WaitingCounts(**{k: v or 0 for k, v in row.items()}, shown=frozenset(subqueries))
    user._caseweight_waiting = (today, counts)
    return counts


@dataclass
class WaitingItems:
    """What home lists under "Waiting for you": the records behind the counts (a fixed number of queries)."""

    counts: WaitingCounts
    to_sign: list[ProformaEntry]
    disputes: list[ProformaEntry]
    concerns: list[ConcernRow]  # unanswered, oldest first

    @property
    def disputes_more(self) -> int:
        return self.counts.disputes - len(self.disputes)

    @property
    def concerns_more(self) -> int:
        return self.counts.concerns_to_answer - len(self.concerns)


WAITING_SHOWN = 10


def waiting_items(*, user, today: date) -> WaitingItems:
    counts = waiting_counts(user=user, today=today)
    to_sign, disputes, concerns = [], [], []
    if "to_sign" in counts.shown and counts.to_sign:
        to_sign = list(ProformaEntry.objects.current().submitted().filter(worker__user=user)
                       .order_by("month")[:WAITING_SHOWN])
    if "disputes" in counts.shown and counts.disputes:
        disputes = list(ProformaEntry.objects.current().filter(
            status=EntryStatus.DISPUTED, team__in=managed_teams_for_user(user).values("pk"))
            .select_related("worker", "team").order_by("month", "worker__surname", "pk")[:WAITING_SHOWN])
    if "concerns_to_answer" in counts.shown and counts.concerns_to_answer:
        qs = _open(concerns_answerable_by(user)).select_related("worker", "worker__team").order_by("created_at", "pk")
        concerns = [ConcernRow(c, concern_respond_by(c), today > concern_respond_by(c)) for c in qs[:WAITING_SHOWN]]
    return WaitingItems(counts=counts, to_sign=to_sign, disputes=disputes, concerns=concerns)
