"""The generated authority's history as plain Python objects: people, team seats, cases and allocations.

No queries here: the whole history is decided in memory (deterministically, from one random.Random) and
written afterwards in bulk. Month by month, per team: cases close, leavers' cases are reallocated,
waiting cases get a worker, each worker's caseload is topped up towards their own target, and a few
new cases stay unallocated. Case and allocation events fall on weekdays only, so a count taken on a
Friday and one taken on the weekend month end that follows agree.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from workload.models import Worker

from .catalogue import TEMPLATES, Layout, RosterEntry, TeamTemplate
from .names import EXTRA_DUTY_EXPLANATIONS, FIRST_NAMES, SURNAMES

ALLOCATED, CO_WORKER, AWAITING = "allocated", "co_worker", "awaiting"
HOLDS = (ALLOCATED, AWAITING)  # roles that count towards a worker's own caseload target
PRESSURES = ((0.65, 1), (0.8, 2), (0.9, 3), (1.0, 3), (1.1, 3), (1.2, 2), (1.35, 1.5))
WTES = (("1.0", 70), ("0.8", 12), ("0.6", 10), ("0.5", 8))


# --- dates --------------------------------------------------------------------------------------------


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def random_weekday(rng: random.Random, lo: date, hi: date) -> date | None:
    """A weekday in [lo, hi], or None if there is none."""
    lo, hi = weekday_on_or_after(lo), weekday_on_or_before(hi)
    if lo > hi:
        return None
    for _ in range(8):
        day = lo + timedelta(days=rng.randint(0, (hi - lo).days))
        if day.weekday() < 5:
            return day
    return lo


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


# --- people -------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Seat:
    """A worker's time in one team (a Membership)."""

    worker: SimWorker
    team: int
    start: date
    end: date | None = None
    walk: float = 0.0  # month-to-month drift of the caseload target
    holds: set = field(default_factory=set)  # case indexes held as allocated / awaiting
    closed_out: bool = False

    def present(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(eq=False)
class SimWorker:
    idx: int
    first_name: str
    surname: str
    position: str
    wte: Decimal
    agency: bool = False
    login: bool = True
    pressure: float = 1.0
    asye_start: date | None = None
    asye_completed: date | None = None
    student_stage: str = ""
    practice_educator: bool = False
    extra_duty_hours: Decimal = Decimal(0)
    extra_duty_explanation: str = ""
    extra_duty: bool = False
    extras: tuple[str, ...] = ()
    registration_number: str = ""
    supervisor: int | None = None
    seats: list[Seat] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.surname}"

    @property
    def case_holding(self) -> bool:
        return self.position != "student"  # students co-work only (POLICIES R12)

    def seat_on(self, day: date) -> Seat | None:
        for seat in self.seats:
            if seat.present(day):
                return seat
        return None

    # ASYE status is the app's own rule, not a copy of it: 12 months from the start or to the completion
    # date, whichever is later (REPORTS.md 1.2). Both read only asye_start and asye_completed, which a
    # SimWorker has too, so the ASYE caseload, the NQSW/ASYE element, grades and supervision frequency
    # all decide ASYE exactly as a Worker row would.
    asye_until = Worker.asye_until
    is_asye_on = Worker.is_asye_on


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


@dataclass
class SimTeam:
    idx: int
    name: str
    code: str
    area: str
    template: TeamTemplate
    uncovered_vacancy: Decimal = Decimal(0)


# --- building the people ------------------------------------------------------------------------------


class NamePool:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[tuple[str, str]] = set()

    def take(self) -> tuple[str, str]:
        for _ in range(50):
            pair = (self.rng.choice(FIRST_NAMES), self.rng.choice(SURNAMES))
            if pair not in self.used:
                break
        self.used.add(pair)  # after 50 tries a repeat is allowed (usernames get a number)
        return pair


def draw_roster(rng: random.Random, template: TeamTemplate, size: int) -> list[RosterEntry]:
    """A plausible team of `size` workers for a generated authority."""
    roster: list[RosterEntry] = []
    for i in range(size):
        position = "senior_practitioner" if i == 0 and "senior_practitioner" in dict(template.positions) else (
            weighted(rng, template.positions))
        if position == "student" and any(r.position == "student" for r in roster):
            position = "social_worker"
        wte = "1.0" if position in ("student", "trainee") else weighted(rng, WTES)
        agency = position in ("social_worker", "personal_adviser") and rng.random() < 0.12
        past_asye = {}
        if position == "social_worker" and not agency and rng.random() < 0.1:
            # qualified in the last two years: ASYE over, some of them extended past the twelve months
            started = rng.randint(380, 720)
            past_asye = {"asye_started_days_ago": started,
                         "asye_completed_after_days": min(rng.randint(330, 430), started - 14)}
        roster.append(RosterEntry(
            position=position, wte=wte, agency=agency, login=not (agency and rng.random() < 0.08),
            extra_duty=rng.random() < 0.08, **past_asye,
        ))
    if any(r.position == "student" for r in roster):
        seniors = [i for i, r in enumerate(roster) if r.position == "senior_practitioner"]
        if seniors:
            roster[seniors[0]] = replace(roster[seniors[0]], practice_educator=True)
    return roster


def build_people(rng: random.Random, layout: Layout, months: list[date], today: date) -> tuple[
        list[SimTeam], list[str], list[SimWorker]]:
    history_start = months[0]
    names = NamePool(rng)
    names.used.update(r.name for t in layout.teams for r in t.roster if r.name)  # never drawn for anyone else
    pinned_moves: list[tuple[SimWorker, str]] = []
    areas: list[str] = []
    teams: list[SimTeam] = []
    workers: list[SimWorker] = []
    for t_idx, team_layout in enumerate(layout.teams):
        template = TEMPLATES[team_layout.template]
        if team_layout.area not in areas:
            areas.append(team_layout.area)
        team = SimTeam(t_idx, team_layout.name, team_layout.code, team_layout.area, template,
                       Decimal(rng.choice(("0", "0", "0.5", "1.0"))))
        teams.append(team)
        roster = team_layout.roster or draw_roster(rng, template, team_layout.size)
        educator = None
        for entry in roster:
            first, surname = entry.name or names.take()
            worker = SimWorker(
                idx=len(workers), first_name=first, surname=surname, position=entry.position,
                wte=Decimal(entry.wte), agency=entry.agency, login=entry.login,
                pressure=entry.pressure if entry.pressure is not None else weighted(rng, PRESSURES),
                practice_educator=entry.practice_educator, extra_duty=entry.extra_duty, extras=entry.extras,
            )
            if entry.position == "asye":
                # ASYE started within the last year; the worker joined the team that day
                start = random_weekday(rng, today - timedelta(days=330), today - timedelta(days=25)) or today
                worker.asye_start = start
            elif entry.asye_started_days_ago is not None:
                # qualified here: joined the team on their ASYE start, completed the programme since
                start = weekday_on_or_before(today - timedelta(days=entry.asye_started_days_ago))
                worker.asye_start = start
                worker.asye_completed = start + timedelta(days=entry.asye_completed_after_days)
            elif entry.position == "student":
                start = random_weekday(rng, today - timedelta(days=110), today - timedelta(days=45)) or today
                worker.student_stage = rng.choice(("first", "final"))
            elif entry.agency and rng.random() < 0.5:
                start = random_weekday(rng, history_start, today - timedelta(days=60)) or history_start
            else:
                start = history_start - timedelta(days=rng.randint(60, 3600))
            if entry.position not in ("student", "trainee"):
                worker.registration_number = f"SW{rng.randint(10000, 129999):06d}"
            if entry.extra_duty and template.scheme.startswith("nottinghamshire"):
                worker.extra_duty_hours = Decimal(rng.choice(("3", "4", "5.5", "6", "8")))
                worker.extra_duty_explanation = rng.choice(EXTRA_DUTY_EXPLANATIONS)
            worker.seats.append(Seat(worker, t_idx, min(start, today)))
            workers.append(worker)
            if entry.moves_to:
                pinned_moves.append((worker, entry.moves_to))
            if entry.practice_educator:
                educator = worker
        team_workers = [w for w in workers if w.seats[0].team == t_idx]
        seniors = [w for w in team_workers if w.position == "senior_practitioner"]
        for w in team_workers:
            if w.position == "student" and educator is not None:
                w.supervisor = educator.idx
            elif w.position in ("asye", "trainee") and seniors:
                w.supervisor = seniors[0].idx
    _apply_moves(rng, layout, teams, workers, months, pinned_moves)
    return teams, areas, workers


def _apply_moves(rng, layout: Layout, teams: list[SimTeam], workers: list[SimWorker], months: list[date],
                 pinned: list[tuple[SimWorker, str]]) -> None:
    """Move the roster's named movers, and one social worker per (from, to) pair of the layout, four months
    ago (or as late as the history allows)."""
    if len(months) < 2:
        return
    move_on = months[max(1, len(months) - 1 - 4)]
    by_code = {t.code: t.idx for t in teams}
    for worker, to_code in pinned:
        worker.seats[0].end = move_on - timedelta(days=1)
        worker.seats.append(Seat(worker, by_code[to_code], move_on))
    for from_code, to_code in layout.moves:
        source, target = by_code[from_code], by_code[to_code]
        candidates = [
            w for w in workers
            if len(w.seats) == 1 and w.seats[0].team == source and w.position == "social_worker"
            and w.seats[0].start < months[0] and w.login and not w.agency
        ]
        if not candidates:
            continue
        worker = candidates[0]
        worker.seats[0].end = move_on - timedelta(days=1)
        worker.seats.append(Seat(worker, target, move_on))


def generated_layout(rng: random.Random, *, teams: int, workers: int, movers: int) -> Layout:
    from .catalogue import AREA_NAMES, TEMPLATE_CYCLE, TeamLayout

    n_areas = max(1, round(teams / 8))
    area_names = [AREA_NAMES[i] if i < len(AREA_NAMES) else f"Area {i + 1}" for i in range(n_areas)]
    counts: dict[str, int] = {}
    layouts = []
    base, extra = divmod(workers, teams)
    for i in range(teams):
        key = TEMPLATE_CYCLE[i % len(TEMPLATE_CYCLE)]
        template = TEMPLATES[key]
        counts[key] = counts.get(key, 0) + 1
        area = area_names[i % n_areas]
        name = f"{template.name} {counts[key]}"
        layouts.append(TeamLayout(name, f"{template.code}{counts[key]}", area, key, (), base + (1 if i < extra else 0)))
    moves = []
    if teams > 1:
        for _ in range(movers):
            a, b = rng.sample(range(teams), 2)
            moves.append((layouts[a].code, layouts[b].code))
    return Layout(tuple(layouts), tuple(moves))


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
        rng, factory, template = self.rng, self.factory, self.template
        p_start = self.months[k]
        p_end = min(month_end(p_start), self.today)
        last = k == len(self.months) - 1
        # 1. leavers' and movers' cases pass to colleagues on their last day
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
                                    factory.allocate(case, taker, ALLOCATED, seat.end + timedelta(days=1))
        # 2. awaiting allocations that were due
        for case in list(self.open):
            self.convert(case, p_end)
        # 3. closures
        turnover = template.turnover * self.knobs.turnover
        for case in list(self.open):
            if case.opened >= p_start or rng.random() >= turnover:
                continue
            day = random_weekday(rng, max(p_start, case.last_event), p_end)
            if day is not None:
                self.close(case, day)
        # 4. co-working that ends before the case does
        for case in self.open:
            for alloc in case.open_allocs():
                if alloc.role == CO_WORKER and alloc.start < p_start and rng.random() < 0.12:
                    day = random_weekday(rng, max(p_start, alloc.start), p_end)
                    if day is not None:
                        self.end_alloc(alloc, day)
        # 5. waiting cases: allocated, closed with no further action, or still waiting
        for case in list(self.unallocated):
            if case.opened >= p_start or case.closed is not None:
                continue
            roll = rng.random()
            if roll < 0.45:
                day = random_weekday(rng, max(p_start, case.last_event), p_end)
                seat = self.least_loaded(p_end, {a.worker for a in case.open_allocs()})
                if day is not None and seat is not None and seat.present(day):
                    self.unallocated.remove(case)
                    factory.allocate(case, seat, ALLOCATED, day)
            elif roll < 0.52:
                day = random_weekday(rng, max(p_start, case.last_event), p_end)
                if day is not None:
                    self.close(case, day)
        # 6. new cases up to each worker's target for the month
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
        # 7. new referrals nobody holds yet
        present = sum(1 for s in self.seats if s.present(p_end) and s.worker.case_holding)
        rate = 0.2 * present
        fresh = int(rate) + (rng.random() < rate - int(rate))
        if last and not self.unallocated:
            fresh = max(fresh, 1)
        for _ in range(fresh):
            opened = random_weekday(rng, p_start, p_end)
            if opened is not None:
                case = factory.new_case(self.team, opened)
                self.open.append(case)
                self.unallocated.append(case)
        # 8. students co-work a few families (5-8 children first placement, 8-9 final: POLICIES R12)
        for seat in self.seats:
            if seat.worker.position != "student" or not seat.present(p_end):
                continue
            wanted = 7 if seat.worker.student_stage == "first" else 8
            have = sum(c.children for c in self.open for a in c.open_allocs()
                       if a.worker == seat.worker.idx and a.role == CO_WORKER)
            candidates = [
                c for c in self.open
                if len(c.open_allocs()) == 1 and c.open_allocs()[0].role == ALLOCATED
                and self.workers[c.open_allocs()[0].worker].position in ("social_worker", "senior_practitioner")
            ]
            rng.shuffle(candidates)
            for case in candidates:
                if have >= wanted - 1:
                    break
                if have + case.children > wanted + 1:
                    continue
                day = random_weekday(rng, max(p_start, seat.start, case.last_event), p_end)
                if day is not None:
                    factory.allocate(case, seat, CO_WORKER, day)
                    have += case.children
        # 9. awaiting allocations made and due within this month
        for case in list(self.open):
            self.convert(case, p_end)


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
