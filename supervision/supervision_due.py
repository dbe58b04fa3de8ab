"""Reads for supervision sessions: who is due or overdue (POLICIES §5, docs/supervision.md), their last
held supervision, and the recent sessions list. One query each, whatever the number of workers."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from supervision.models import (
    SessionKind,
    SupervisionSession,
)
from supervision.rules import (
    NO_PROFORMA_POSITIONS,
)
from workload.models import (
    Team,
    Worker,
)

RECENT_DAYS = 92  # "Recent sessions": about a quarter

# ========================================================================================= access


@dataclass
class SupervisionStatus:
    worker: Worker
    last_held: date | None
    next_due: date | None
    today: date

    @property
    def is_due(self) -> bool:
        """Due today or overdue: a worker due today is on the list the manager works from today."""
        return self.next_due is None or self.next_due <= self.today

    @property
    def is_overdue(self) -> bool:
        return self.next_due is None or self.next_due < self.today

    @property
    def days_overdue(self) -> int | None:
        return None if self.next_due is None else max((self.today - self.next_due).days, 0)

    @property
    def due_label(self) -> str:
        if self.next_due is None:
            return "no supervision recorded"
        days = self.days_overdue
        if self.next_due == self.today:
            return "due today"
        if days:
            return f"{days} day{'' if days == 1 else 's'} overdue"
        return f"due {self.next_due:%-d %b %Y}"


def supervision_status_rows(*, teams: Iterable[Team] | QuerySet[Team]) -> QuerySet[Worker]:
    """Every worker who should be supervised in the teams, annotated with `last_held` and `next_due` from
    their last held worker supervision: one query, which the sessions page filters, sorts and pages in the
    database (a list of 1,200 workers built in Python was most of that page's time at an authority's size)."""
    held = SupervisionSession.objects.filter(worker=OuterRef("pk"), held=True, kind=SessionKind.WORKER).order_by(
        "-held_on", "-pk"
    )
    team_ids = teams.values("pk") if isinstance(teams, QuerySet) else [t.pk for t in teams]
    return (
        Worker.objects.filter(team__in=team_ids, is_active=True)
        .exclude(position__in=NO_PROFORMA_POSITIONS)
        .select_related("team")
        .annotate(last_held=Subquery(held.values("held_on")[:1]), next_due=Subquery(held.values("next_due")[:1]))
        .order_by("team__name", "surname", "first_name", "pk")
    )


def due_only(rows: QuerySet[Worker], *, today: date) -> QuerySet[Worker]:
    """Rows of `supervision_status_rows` that are due today or overdue, or have no supervision recorded."""
    return rows.filter(Q(next_due__isnull=True) | Q(next_due__lte=today))


def supervision_status_list(*, teams: Iterable[Team] | QuerySet[Team], today: date) -> list[SupervisionStatus]:
    """Every worker who should be supervised in the teams, with their last held worker supervision and the
    next due date it set (one query)."""
    return [SupervisionStatus(w, w.last_held, w.next_due, today) for w in supervision_status_rows(teams=teams)]


def overdue_supervisions(*, teams: Iterable[Team] | QuerySet[Team], today: date) -> list[SupervisionStatus]:
    """Workers whose supervision is due today or overdue (or who have none recorded), most overdue first
    (none recorded before the oldest due date); filtered and ordered in the database (one query)."""
    rows = due_only(supervision_status_rows(teams=teams), today=today).order_by(
        F("next_due").asc(nulls_first=True), "surname", "first_name", "pk"
    )
    return [SupervisionStatus(w, w.last_held, w.next_due, today) for w in rows]


def recent_sessions(*, teams: Iterable[Team] | QuerySet[Team], today: date, limit: int = 20,
                    within_days: int = RECENT_DAYS) -> list[SupervisionSession]:
    """The latest sessions recorded in the teams, from the last three months only: without the window the
    database sorts every session the authority ever recorded to find 20 (80 ms at seed_large size)."""
    team_ids = teams.values("pk") if isinstance(teams, QuerySet) else [t.pk for t in teams]
    return list(
        SupervisionSession.objects.filter(worker__team__in=team_ids, held_on__gte=today - timedelta(days=within_days))
        .select_related("worker", "supervisor")
        .order_by("-held_on", "-pk")[:limit]
    )
