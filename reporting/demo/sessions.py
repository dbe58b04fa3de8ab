"""The supervision stage: every worker's sessions over the history, at the frequency of the app's own rule.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

from supervision.models import SessionKind, SupervisionSession
from supervision.rules import supervision_next_due

from . import names
from .draws import add_months, month_end, random_weekday, weekday_on_or_after
from .people import SimWorker
from .state import BuildState

MONTHLY = timedelta(days=28)  # a due date sooner than this after a session is ASYE weekly or fortnightly supervision
CANCELLED_RATE = 0.04  # share of supervisions cancelled and rearranged a few days later


class SessionStage(BuildState):
    """Writes supervision sessions (sets held_in_month for the pro-formas)."""

    def write_sessions(self) -> None:
        """Every worker's supervision sessions over the history, at the frequency of the app's own rule.

        Each held worker supervision records next_due = supervision.rules.supervision_next_due, and the next
        one is held when it is due (the Monday after, if due at a weekend): an ASYE weekly for six weeks from
        the ASYE start, then fortnightly until the ASYE ends; everyone else once a month, near their usual day.
        A cancelled session is rearranged a few days later in the same month and keeps the previous due date,
        as session_record records one that did not take place."""
        rng = random.Random(self.seed + 4)
        self.held_in_month: dict[tuple[int, date], list[SupervisionSession]] = defaultdict(list)
        rows: list[SupervisionSession] = []
        for w in self.workers:
            rows += self._worker_sessions(rng, w)
        SupervisionSession.objects.bulk_create(rows, batch_size=self.batch)

    def _worker_sessions(self, rng, w: SimWorker) -> list[SupervisionSession]:
        row = self.worker_rows[w.idx]
        usual = rng.randint(3, 24)  # the day of the month this worker is usually supervised
        start = max(self.months[0], w.seats[0].start)
        if supervision_next_due(worker=row, held_on=start) - start < MONTHLY:
            day = weekday_on_or_after(start)  # an ASYE's first supervision is on their first day, or the Monday
        else:
            day = self._monthly_day(rng, start.replace(day=1), usual, earliest=start)
        sessions: list[SupervisionSession] = []
        last_due = None
        while day is not None and day <= self.today:
            month = day.replace(day=1)
            if rng.random() < CANCELLED_RATE:
                again = weekday_on_or_after(day + timedelta(days=rng.randint(2, 5)))
                if again <= min(month_end(month), self.last_session_day()):
                    sessions.append(self._session(rng, w, day, held=False, next_due=last_due or day))
                    day = again
            next_due = supervision_next_due(worker=row, held_on=day)
            session = self._session(rng, w, day, held=True, next_due=next_due)
            sessions.append(session)
            self.held_in_month[(w.idx, month)].append(session)
            last_due = next_due
            if next_due - day < MONTHLY:  # weekly or fortnightly
                day = weekday_on_or_after(next_due + timedelta(days=rng.choice((0, 0, 0, 1, 2))))
            else:
                day = self._monthly_day(rng, add_months(month, 1), usual)
        return sessions

    def _monthly_day(self, rng, month: date, usual: int, earliest: date | None = None) -> date | None:
        """A weekday of `month` near the worker's usual day (this month: by today), or of the first later month
        with room after `earliest`; None past this month."""
        while month <= self.months[-1]:
            current = month == self.months[-1]
            lo = max(month, earliest) if earliest else month
            hi = self.last_session_day() if current else month_end(month)
            if lo <= hi:
                day = weekday_on_or_after(month + timedelta(days=usual - 1 + rng.randint(-2, 2)))
                if lo <= day <= hi:
                    return day
                day = random_weekday(rng, lo, hi)
                if day is not None:
                    return day
                if current:
                    return hi
            month = add_months(month, 1)
        return None

    def _session(self, rng, w: SimWorker, day: date, *, held: bool, next_due: date) -> SupervisionSession:
        supervisor = self.tms[w.seat_on(day).team]
        return SupervisionSession(
            worker_id=self.worker_rows[w.idx].pk, supervisor_id=supervisor.pk, held_on=day, held=held,
            kind=SessionKind.WORKER,
            attendees=f"{w.full_name}, {supervisor.first_name} {supervisor.last_name}" if held else "",
            notes=rng.choice(names.SUPERVISION_NOTES if held else names.NOT_HELD_NOTES), next_due=next_due,
        )
