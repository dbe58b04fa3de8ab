"""The generated authority's people as plain Python objects: teams, workers and their seats in teams.

No queries here: rosters (hand-written for the demo, drawn for a generated authority), join dates, ASYE and
student details and the layout's moves between teams are decided in memory from one random.Random.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from workload.models import Worker

from .catalogue import TEMPLATES, Layout, RosterEntry, TeamTemplate
from .draws import random_weekday, weekday_on_or_before, weighted
from .names import EXTRA_DUTY_EXPLANATIONS, FIRST_NAMES, SURNAMES

PRESSURES = ((0.65, 1), (0.8, 2), (0.9, 3), (1.0, 3), (1.1, 3), (1.2, 2), (1.35, 1.5))
WTES = (("1.0", 70), ("0.8", 12), ("0.6", 10), ("0.5", 8))


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
            worker = _new_worker(rng, names, entry, len(workers), t_idx, template, history_start, today)
            workers.append(worker)
            if entry.moves_to:
                pinned_moves.append((worker, entry.moves_to))
            if entry.practice_educator:
                educator = worker
        _assign_supervisors([w for w in workers if w.seats[0].team == t_idx], educator)
    _apply_moves(rng, layout, teams, workers, months, pinned_moves)
    return teams, areas, workers


def _new_worker(rng: random.Random, names: NamePool, entry: RosterEntry, idx: int, t_idx: int,
                template: TeamTemplate, history_start: date, today: date) -> SimWorker:
    """One roster entry as a worker with their first seat, registration and extra duties."""
    first, surname = entry.name or names.take()
    worker = SimWorker(
        idx=idx, first_name=first, surname=surname, position=entry.position,
        wte=Decimal(entry.wte), agency=entry.agency, login=entry.login,
        pressure=entry.pressure if entry.pressure is not None else weighted(rng, PRESSURES),
        practice_educator=entry.practice_educator, extra_duty=entry.extra_duty, extras=entry.extras,
    )
    start = _join_day(rng, entry, worker, history_start, today)
    if entry.position not in ("student", "trainee"):
        worker.registration_number = f"SW{rng.randint(10000, 129999):06d}"
    if entry.extra_duty and template.scheme.startswith("nottinghamshire"):
        worker.extra_duty_hours = Decimal(rng.choice(("3", "4", "5.5", "6", "8")))
        worker.extra_duty_explanation = rng.choice(EXTRA_DUTY_EXPLANATIONS)
    worker.seats.append(Seat(worker, t_idx, min(start, today)))
    return worker


def _join_day(rng: random.Random, entry: RosterEntry, worker: SimWorker, history_start: date, today: date) -> date:
    """The day the worker joined the team (with their ASYE start or student stage, which decide it)."""
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
    return start


def _assign_supervisors(team_workers: list[SimWorker], educator: SimWorker | None) -> None:
    """Students are supervised by the team's practice educator, ASYEs and trainees by its first senior."""
    seniors = [w for w in team_workers if w.position == "senior_practitioner"]
    for w in team_workers:
        if w.position == "student" and educator is not None:
            w.supervisor = educator.idx
        elif w.position in ("asye", "trainee") and seniors:
            w.supervisor = seniors[0].idx


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
