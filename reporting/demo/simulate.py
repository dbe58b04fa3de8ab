"""The generated authority's case history as plain Python objects: cases and allocations, month by month.

No queries here: the whole history is decided in memory (deterministically, from one random.Random) and
written afterwards in bulk; the people it runs on come from people.py. Month by month, per team: cases close, leavers' cases are reallocated,
waiting cases get a worker, each worker's caseload is topped up towards their own target, and a few
new cases stay unallocated. Case and allocation events fall on weekdays only, so a count taken on a
Friday and one taken on the weekend month end that follows agree.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .catalogue import TeamTemplate
from .draws import month_end, random_weekday, weekday_on_or_after, weekday_on_or_before, weighted
from .people import Seat, SimTeam, SimWorker

ALLOCATED, CO_WORKER, AWAITING = "allocated", "co_worker", "awaiting"
HOLDS = (ALLOCATED, AWAITING)  # roles that count towards a worker's own caseload target


@dataclass(eq=False)
class SimAlloc:
    case: int
    worker: int
    role: str
    start: date
    end: date | None = None
    share: Decimal | None = None


@dataclass(eq=False)
class SimCase:
    idx: int
    team: int
    reference: str
    children: int
    category: str
    factors: tuple[str, ...]
    opened: date
    closed: date | None = None
    allocs: list[SimAlloc] = field(default_factory=list)
    last_event: date | None = None
    convert_on: date | None = None  # awaiting → allocated on this day

    def open_allocs(self) -> list[SimAlloc]:
        return [a for a in self.allocs if a.end is None]


# --- the case history ---------------------------------------------------------------------------------


class CaseFactory:
    def __init__(self, rng: random.Random, first_reference: int = 10001):
        self.rng = rng
        self.next_reference = first_reference
        self.cases: list[SimCase] = []
        self.allocs: list[SimAlloc] = []

    def content(self, template: TeamTemplate, cap: int | None = None) -> tuple[int, str, tuple[str, ...]]:
        rng = self.rng
        children = weighted(rng, list(zip(range(1, 6), template.siblings, strict=True)))
        if cap is not None:
            children = max(1, min(children, cap))
        category = weighted(rng, template.categories)
        return children, category, self.factors(template, category, children)

    def factors(self, template: TeamTemplate, category: str, children: int) -> tuple[str, ...]:
        rng = self.rng
        chosen: list[str] = []
        if children >= 5 and template.scheme.startswith("nottinghamshire") and rng.random() < 0.3:
            chosen.append("complex_family")
        if template.factors and rng.random() < template.factor_rate:
            wanted = 1 + (rng.random() < template.second_factor_rate) + (
                template.max_factors > 2 and rng.random() < template.second_factor_rate / 2)
            for _ in range(6):
                if len(chosen) >= min(wanted, template.max_factors):
                    break
                pool = [
                    (f.code, f.weight) for f in template.factors
                    if (f.categories is None or category in f.categories) and f.code not in chosen
                    and not any(f.code in group and set(chosen) & group for group in template.exclusive)
                ]
                if not pool:
                    break
                chosen.append(weighted(rng, pool))
        return tuple(chosen[: template.max_factors])

    def new_case(self, team: SimTeam, opened: date, cap: int | None = None) -> SimCase:
        children, category, factors = self.content(team.template, cap)
        case = SimCase(len(self.cases), team.idx, f"F-{self.next_reference}", children, category, factors,
                       opened, last_event=opened)
        self.next_reference += self.rng.randint(1, 3)  # gaps, as a shared case-management system has
        self.cases.append(case)
        return case

    def allocate(self, case: SimCase, seat: Seat, role: str, start: date, share: Decimal | None = None) -> SimAlloc:
        assert len(case.open_allocs()) < 2, "a case has at most two workers at once"
        alloc = SimAlloc(case.idx, seat.worker.idx, role, start, share=share)
        case.allocs.append(alloc)
        self.allocs.append(alloc)
        case.last_event = max(case.last_event, start)
        if role in HOLDS:
            seat.holds.add(case.idx)
        return alloc


@dataclass
class Knobs:
    """How hard the authority runs: children per FTE at pressure 1 per template, and a turnover factor."""

    nominal: dict[str, float]
    load: float = 1.0
    turnover: float = 1.0


class TeamHistory:
    """One team's months, in order; all state lives in the shared CaseFactory and the seats."""

    def __init__(self, rng, factory: CaseFactory, team: SimTeam, seats: list[Seat], workers: list[SimWorker],
                 knobs: Knobs, months: list[date], today: date):
        self.rng, self.factory, self.team, self.seats = rng, factory, team, seats
        self.workers, self.knobs, self.months, self.today = workers, knobs, months, today
        self.template = team.template
        self.open: list[SimCase] = []
        self.unallocated: list[SimCase] = []

    # -- helpers
    def target(self, seat: Seat, day: date) -> float:
        worker = seat.worker
        per_fte = self.knobs.nominal[self.template.key] * self.knobs.load
        if worker.position == "student":
            return 0
        if worker.asye_start is not None:
            months_in = (day - worker.asye_start).days / 30.4
            factor = min(0.75, 0.3 + 0.1 * months_in) if worker.is_asye_on(day) else 0.9
        elif worker.position == "trainee":
            factor = 0.45
        else:
            factor = worker.pressure
        per_fte = min(max(per_fte * factor * (1 + seat.walk), 3.0), 24.0)
        return per_fte * float(worker.wte)

    def load(self, seat: Seat) -> int:
        return sum(self.factory.cases[i].children for i in seat.holds)

    def end_alloc(self, alloc: SimAlloc, day: date) -> None:
        alloc.end = day
        case = self.factory.cases[alloc.case]
        if alloc.role in HOLDS:
            seat = self.workers[alloc.worker].seat_on(alloc.start)
            if seat is not None:
                seat.holds.discard(case.idx)

    def close(self, case: SimCase, day: date) -> None:
        case.closed = day
        for alloc in case.open_allocs():
            self.end_alloc(alloc, day)
        case.convert_on = None
        if case in self.open:
            self.open.remove(case)
        if case in self.unallocated:
            self.unallocated.remove(case)

    def least_loaded(self, day: date, exclude: set[int] = frozenset()) -> Seat | None:
        candidates = [s for s in self.seats if s.present(day) and s.worker.case_holding
                      and s.worker.idx not in exclude]
        if not candidates:
            return None
        return min(candidates, key=lambda s: (self.load(s) / max(self.target(s, day), 1.0), s.worker.idx))

    def convert(self, case: SimCase, upto: date) -> None:
        """An awaiting allocation becomes an allocation on its conversion day."""
        if case.convert_on is None or case.convert_on > upto or case.closed is not None:
            return
        day = case.convert_on
        case.convert_on = None
        awaiting = next(a for a in case.open_allocs() if a.role == AWAITING)
        seat = self.workers[awaiting.worker].seat_on(day)
        self.end_alloc(awaiting, day - timedelta(days=1))
        if seat is None:
            seat = self.least_loaded(day, {a.worker for a in case.open_allocs()})
        if seat is None:
            self.unallocated.append(case)
            return
        self.factory.allocate(case, seat, ALLOCATED, day)

    def place_new(self, seat: Seat, opened: date, p_end: date, cap: int) -> SimCase:
        rng, factory = self.rng, self.factory
        case = factory.new_case(self.team, opened, cap)
        self.open.append(case)
        if rng.random() < 0.04:
            factory.allocate(case, seat, AWAITING, opened)
            case.convert_on = weekday_on_or_after(opened + timedelta(days=rng.randint(5, 20)))
            return case
        start = random_weekday(rng, opened, min(opened + timedelta(days=4), p_end)) or opened
        template = self.template
        partner = None
        if rng.random() < template.cowork_rate:
            others = [s for s in self.seats if s is not seat and s.present(p_end) and s.worker.case_holding
                      and s.worker.position not in ("trainee",)]
            partner = rng.choice(others) if others else None
        shares = template.cowork_share if partner is not None else None
        factory.allocate(case, seat, ALLOCATED, start, Decimal(shares[0]) if shares else None)
        if partner is not None:
            co_start = random_weekday(rng, start, min(start + timedelta(days=15), p_end)) or start
            factory.allocate(case, partner, CO_WORKER, co_start, Decimal(shares[1]) if shares else None)
        return case

    # -- the months
    def initial(self) -> None:
        """The caseload open on the first day of the history: cases opened before it."""
        rng, d0 = self.rng, self.months[0]
        for seat in self.seats:
            if not seat.present(d0) or not seat.worker.case_holding:
                continue
            target = self.target(seat, d0)
            while self.load(seat) < target:
                opened = weekday_on_or_before(d0 - timedelta(days=rng.randint(1, self.template.case_age_days)))
                case = self.factory.new_case(self.team, opened, cap=max(1, math.ceil(target - self.load(seat))))
                self.open.append(case)
                start = max(opened, seat.start)
                start = random_weekday(rng, start, min(start + timedelta(days=10), d0)) or start
                self.factory.allocate(case, seat, ALLOCATED, start)
        for _ in range(rng.randint(0, 2)):
            opened = random_weekday(rng, d0 - timedelta(days=30), d0 - timedelta(days=1))
            case = self.factory.new_case(self.team, opened)
            self.open.append(case)
            self.unallocated.append(case)

    def month(self, k: int) -> None:
        """One month of the team's history, in the order a team's month happens (the order also fixes the draws)."""
        p_start = self.months[k]
        p_end = min(month_end(p_start), self.today)
        self.hand_over_leavers(p_start)
        for case in list(self.open):  # awaiting allocations that were due
            self.convert(case, p_end)
        self.close_some(p_start, p_end)
        self.end_some_coworking(p_start, p_end)
        self.settle_waiting(p_start, p_end)
        self.top_up(p_start, p_end)
        self.new_referrals(p_start, p_end, last=k == len(self.months) - 1)
        for seat in self.seats:
            if seat.worker.position == "student" and seat.present(p_end):
                self.student_cowork(seat, p_start, p_end)
        for case in list(self.open):  # awaiting allocations made and due within this month
            self.convert(case, p_end)

    def hand_over_leavers(self, p_start: date) -> None:
        """Leavers' and movers' cases pass to colleagues on their last day."""
        for seat in self.seats:
            if seat.end is not None and seat.end < p_start and not seat.closed_out:
                seat.closed_out = True
                for case in list(self.open):
                    for alloc in case.open_allocs():
                        if alloc.worker == seat.worker.idx:
                            self.end_alloc(alloc, seat.end)
                            if alloc.role in HOLDS:
                                case.convert_on = None
                                taker = self.least_loaded(p_start, {a.worker for a in case.open_allocs()})
                                if taker is None:
                                    self.unallocated.append(case)
                                else:
                                    self.factory.allocate(case, taker, ALLOCATED, seat.end + timedelta(days=1))

    def close_some(self, p_start: date, p_end: date) -> None:
        """Closures, at the team type's turnover."""
        rng = self.rng
        turnover = self.template.turnover * self.knobs.turnover
        for case in list(self.open):
            if case.opened >= p_start or rng.random() >= turnover:
                continue
            day = random_weekday(rng, max(p_start, case.last_event), p_end)
            if day is not None:
                self.close(case, day)

    def end_some_coworking(self, p_start: date, p_end: date) -> None:
        """Co-working that ends before the case does."""
        rng = self.rng
        for case in self.open:
            for alloc in case.open_allocs():
                if alloc.role == CO_WORKER and alloc.start < p_start and rng.random() < 0.12:
                    day = random_weekday(rng, max(p_start, alloc.start), p_end)
                    if day is not None:
                        self.end_alloc(alloc, day)

    def settle_waiting(self, p_start: date, p_end: date) -> None:
        """Waiting cases: allocated, closed with no further action, or still waiting."""
        rng = self.rng
        for case in list(self.unallocated):
            if case.opened >= p_start or case.closed is not None:
                continue
            roll = rng.random()
            if roll < 0.45:
                day = random_weekday(rng, max(p_start, case.last_event), p_end)
                seat = self.least_loaded(p_end, {a.worker for a in case.open_allocs()})
                if day is not None and seat is not None and seat.present(day):
                    self.unallocated.remove(case)
                    self.factory.allocate(case, seat, ALLOCATED, day)
            elif roll < 0.52:
                day = random_weekday(rng, max(p_start, case.last_event), p_end)
                if day is not None:
                    self.close(case, day)

    def top_up(self, p_start: date, p_end: date) -> None:
        """New cases up to each worker's target for the month."""
        rng = self.rng
        for seat in self.seats:
            if not seat.worker.case_holding or not seat.present(p_end):
                continue
            seat.walk = min(0.2, max(-0.2, seat.walk + rng.uniform(-0.09, 0.09)))
            target = self.target(seat, p_end)
            lo = max(p_start, seat.start)
            while self.load(seat) < target:
                opened = random_weekday(rng, lo, p_end)
                if opened is None:
                    break
                self.place_new(seat, opened, p_end, cap=max(1, math.ceil(target - self.load(seat))))

    def new_referrals(self, p_start: date, p_end: date, *, last: bool) -> None:
        """New referrals nobody holds yet (at least one in the last month, if nothing else waits)."""
        rng = self.rng
        present = sum(1 for s in self.seats if s.present(p_end) and s.worker.case_holding)
        rate = 0.2 * present
        fresh = int(rate) + (rng.random() < rate - int(rate))
        if last and not self.unallocated:
            fresh = max(fresh, 1)
        for _ in range(fresh):
            opened = random_weekday(rng, p_start, p_end)
            if opened is not None:
                case = self.factory.new_case(self.team, opened)
                self.open.append(case)
                self.unallocated.append(case)

    def student_cowork(self, seat: Seat, p_start: date, p_end: date) -> None:
        """A student co-works a few families (5-8 children first placement, 8-9 final: POLICIES R12)."""
        wanted = 7 if seat.worker.student_stage == "first" else 8
        have = sum(c.children for c in self.open for a in c.open_allocs()
                   if a.worker == seat.worker.idx and a.role == CO_WORKER)
        candidates = [
            c for c in self.open
            if len(c.open_allocs()) == 1 and c.open_allocs()[0].role == ALLOCATED
            and self.workers[c.open_allocs()[0].worker].position in ("social_worker", "senior_practitioner")
        ]
        self.rng.shuffle(candidates)
        for case in candidates:
            if have >= wanted - 1:
                break
            if have + case.children > wanted + 1:
                continue
            day = random_weekday(self.rng, max(p_start, seat.start, case.last_event), p_end)
            if day is not None:
                self.factory.allocate(case, seat, CO_WORKER, day)
                have += case.children


def simulate(rng: random.Random, teams: list[SimTeam], workers: list[SimWorker], knobs: Knobs,
             months: list[date], today: date) -> CaseFactory:
    factory = CaseFactory(rng)
    histories = []
    for team in teams:
        seats = [s for w in workers for s in w.seats if s.team == team.idx]
        history = TeamHistory(rng, factory, team, seats, workers, knobs, months, today)
        history.initial()
        histories.append(history)
    for k in range(len(months)):
        for history in histories:
            history.month(k)
    # Something to show on the "awaiting allocation" measure today, if chance left it empty.
    if not any(a.role == AWAITING and a.end is None for a in factory.allocs):
        for history in histories:
            seat = next((s for s in history.seats if s.present(today) and s.worker.case_holding), None)
            opened = random_weekday(rng, months[-1], today)
            if seat is not None and opened is not None:
                case = factory.new_case(history.team, opened)
                history.open.append(case)
                factory.allocate(case, seat, AWAITING, opened)
                break
    return factory
