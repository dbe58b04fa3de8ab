"""Write a generated authority to the database: organisation, people, cases, pro-formas, snapshots.

One generator for both commands: `seed_demo` passes the hand-written demo layout, `seed_large` a generated
one of any size. The history is decided in memory first (reporting/demo/simulate.py, one seeded
random.Random, so the same seed and day give the same data), then written with bulk_create inside one
transaction: no per-row queries, which keeps a 36-month, 1,200-worker authority within minutes on SQLite.

The demo obeys the app's own rules, by calling them rather than copying them:
- every pro-forma is scored by supervision.entry_store.score_into on exactly the lines stored with it;
- the policy reasons a submitted month needs are decided by supervision.rules (caseload_panel,
  policy_triggers) and checked with required_reason_errors, as entry_submit checks them;
- supervision sessions record next_due = supervision.rules.supervision_next_due and follow that cadence;
  each month's pro-forma is dated by, and linked to, that month's latest held supervision;
- no pro-forma for supervision.rules.NO_PROFORMA_POSITIONS; ASYE status is Worker.is_asye_on throughout;
- content hashes are supervision.hashing.content_hash over the rows as saved, read back.
It spans every app, so it lives in reporting, the app allowed to import both supervision and workload.
"""
from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from supervision.entry_store import score_into, set_counts
from supervision.hashing import content_hash
from supervision.models import (
    AuditEvent,
    Countersignature,
    Dispute,
    EntryLine,
    EntryStatus,
    ProformaEntry,
    SessionKind,
    SupervisionSession,
)
from supervision.rules import (
    NO_PROFORMA_POSITIONS,
    caseload_panel,
    policy_triggers,
    required_reason_errors,
    supervision_next_due,
)
from workload.coworking import line_is_co_worked
from workload.models import (
    Allocation,
    Case,
    CaseloadPreset,
    CaseloadSnapshot,
    EmploymentType,
    Membership,
    Position,
    SchemeVersion,
    ServiceArea,
    SnapshotKind,
    SnapshotSource,
    Team,
    TeamPolicy,
    TeamScheme,
    TeamSnapshot,
    Worker,
)
from workload.roles import Role
from workload.scoring.engine import score_month
from workload.scoring.inputs import CaseInput, MonthInput, WorkerInput
from workload.scoring.validate import validate_month

from . import names
from .catalogue import DEMO_LAYOUT, NOTTS, SWINDON, WARRINGTON, Layout, TeamTemplate
from .simulate import (
    ALLOCATED,
    AWAITING,
    CO_WORKER,
    CaseFactory,
    Knobs,
    SimWorker,
    add_months,
    build_people,
    generated_layout,
    month_end,
    random_weekday,
    simulate,
    weekday_on_or_after,
    weekday_on_or_before,
)

DEMO_PASSWORD = "caseweight-demo"
DEFAULT_AUTHORITY = "Northshire County Council"
BATCH_SIZE = 2000
MONTHLY = timedelta(days=28)  # a due date sooner than this after a session is ASYE weekly or fortnightly supervision
CANCELLED_RATE = 0.04  # share of supervisions cancelled and rearranged a few days later
# Children per FTE at "pressure" 1.0 stay within what UK teams hold (DfE average ~16-17); where a scheme's
# points per child are low (stable LAC, Swindon without factors) workers score low rather than hold 30.
NOMINAL_MIN, NOMINAL_MAX = 10.0, 17.0
TURNOVER_FLOOR = 0.15


def authority_name() -> str:
    """The configured authority's name, unless it is still the settings default (then the demo's own)."""
    name = getattr(settings, "CASEWEIGHT_AUTHORITY_NAME", "")
    return name if name and name != "Caseweight demo authority" else DEFAULT_AUTHORITY


# --- scoring an entry ---------------------------------------------------------------------------------


def month_input(*, scheme: str, team_type: str, wte, grade: str, personal: Iterable[str], extra_duty_hours,
                extras: Iterable[str], lines: Iterable) -> MonthInput:
    """The engine's input for a pro-forma: its worker fields and its lines (model instances or alike).

    Shared with the tests, which re-score stored entries from the database with it."""
    return MonthInput(
        scheme=scheme,
        team_type=team_type,
        worker=WorkerInput(
            wte=Decimal(wte),
            grade=grade or None,
            personal=tuple(personal),
            extra_duty_hours=Decimal(extra_duty_hours or 0),
            extras=tuple(extras),
        ),
        cases=tuple(
            CaseInput(
                children=line.children,
                category=line.category,
                factors=tuple(line.factors),
                co_worked=line.co_worked,
                co_work_share=line.co_work_share,
                reference=line.reference,
            )
            for line in lines
        ),
    )


# --- results ------------------------------------------------------------------------------------------


@dataclass
class Result:
    phases: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    children: int = 0
    bands: dict[str, int] = field(default_factory=dict)


class Timer:
    def __init__(self, result: Result, say: Callable[[str], None]):
        self.result, self.say = result, say
        self.started = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.result.phases.append((phase, now - self.started))
        self.say(f"  {phase:<28} {now - self.started:7.1f} s")
        self.started = now


# --- the generator ------------------------------------------------------------------------------------


def demo_layout() -> Layout:
    return DEMO_LAYOUT


def large_layout(*, teams: int, workers: int, seed: int) -> Layout:
    return generated_layout(random.Random(seed + 7), teams=teams, workers=workers, movers=max(1, workers // 50))


def generated_data_exists() -> bool:
    return Team.objects.exists() or Worker.objects.exists()


def generate(*, layout: Layout, months: int = 12, children: int | None = None, seed: int = 2025,
             today: date | None = None, password: str = DEMO_PASSWORD, batch_size: int = BATCH_SIZE,
             say: Callable[[str], None] = lambda text: None) -> Result:
    """Generate and write a whole authority. `children`: total children over all cases, or None to size
    caseloads from each team's targets alone."""
    result = Result()
    timer = Timer(result, say)
    today = today or timezone.localdate()
    builder = _Builder(layout=layout, months=months, children=children, seed=seed, today=today,
                       password=password, batch_size=batch_size, result=result)
    builder.plan()
    timer.lap("plan (in memory)")
    with transaction.atomic():
        builder.write_organisation()
        timer.lap("organisation and users")
        builder.write_workers()
        timer.lap("workers and memberships")
        builder.write_sessions()
        timer.lap("supervision sessions")
        builder.write_cases()
        timer.lap("cases and allocations")
        builder.write_proformas()
        timer.lap("pro-formas")
        builder.write_snapshots()
        timer.lap("caseload snapshots")
    result.counts = row_counts()
    return result


def row_counts() -> dict[str, int]:
    user_model = get_user_model()
    models = (
        ServiceArea, Team, user_model, Worker, Membership, Case, Allocation, SupervisionSession, ProformaEntry,
        EntryLine, Countersignature, Dispute, AuditEvent, CaseloadSnapshot, TeamSnapshot,
    )
    return {model.__name__: model.objects.count() for model in models}


class _Builder:
    def __init__(self, *, layout, months, children, seed, today, password, batch_size, result):
        self.layout, self.n_months, self.children, self.seed = layout, months, children, seed
        self.today, self.password, self.batch, self.result = today, password, batch_size, result
        current = today.replace(day=1)
        self.months = [add_months(current, k - months + 1) for k in range(months)]
        self.now = timezone.now()
        self.authority = authority_name()
        self.domain = slugify(self.authority.split()[0]) + ".gov.uk"
        self.versions = {v.slug: v for v in SchemeVersion.objects.all()}
        self.presets = {p.code: p for p in CaseloadPreset.objects.all()}

    # -- plan --------------------------------------------------------------------------------------
    def plan(self) -> None:
        self.teams, self.areas, self.workers = self._people()
        knobs = self._knobs()
        if self.children:
            # The estimate in _budget is rough (ramps, caps, waiting lists): correct the caseload factor
            # from trial runs on fresh copies of the same people. Same seeds, so still deterministic.
            for _ in range(2):
                teams, _areas, workers = self._people()
                trial = simulate(random.Random(self.seed + 5), teams, workers, knobs, self.months, self.today)
                ratio = self.children / max(1, sum(c.children for c in trial.cases))
                knobs.load *= ratio
                if abs(ratio - 1) < 0.02:  # close enough: a second trial would move it by less than chance does
                    break
        self.factory: CaseFactory = simulate(random.Random(self.seed + 5), self.teams, self.workers, knobs,
                                             self.months, self.today)
        self.result.children = sum(c.children for c in self.factory.cases)

    def _people(self):
        return build_people(random.Random(self.seed), self.layout, self.months, self.today)

    def _tables(self, slug: str):
        try:
            return self.versions[slug].tables()
        except KeyError as exc:
            raise RuntimeError(
                f"Scheme version {slug} is missing: run `manage.py migrate` (workload 0002 loads it)."
            ) from exc

    def _knobs(self) -> Knobs:
        """Children per FTE per team type, from the scheme's own points, and how hard to run the authority."""
        sampler = CaseFactory(random.Random(self.seed + 1))
        nominal = {}
        used = {t.template.key: t.template for t in self.teams}
        for key, template in used.items():
            if not template.points:
                nominal[key] = template.mid_points  # caseload count: one point per child
                continue
            tables = self._tables(template.scheme)
            points = children = Decimal(0)
            for _ in range(400):
                n, category, factors = sampler.content(template)
                month = month_input(
                    scheme=template.scheme, team_type=template.team_type, wte=1,
                    grade=_full_time_grade(template.scheme), personal=(), extra_duty_hours=0, extras=(),
                    lines=[_Line(children=n, category=category, factors=factors)],
                )
                validate_month(month, tables)
                points += score_month(month=month, tables=tables).case_points
                children += n
            nominal[key] = min(NOMINAL_MAX, max(NOMINAL_MIN, template.mid_points / float(points / children)))
        knobs = Knobs(nominal=nominal)
        if self.children:
            knobs.load, knobs.turnover = self._budget(nominal)
        return knobs

    def _budget(self, nominal: dict[str, float]) -> tuple[float, float]:
        """Load and turnover factors that make the cases hold about `children` children in all.

        Turnover is lowered first (down to 15 % of each team type's) so caseloads stay realistic; only
        then the caseloads themselves. Referrals that wait for a worker join a caseload when allocated, so
        they are part of the same flow."""
        span = len(self.months) - 1
        held = churn = 0.0
        for team in self.teams:
            seats = [w for w in self.workers if w.seats[0].team == team.idx and w.case_holding]
            load = sum(nominal[team.template.key] * min(w.pressure, 1.2) * float(w.wte) for w in seats)
            held += load
            churn += load * team.template.turnover * span
        budget = float(self.children)
        if held + churn <= budget:
            return min(1.5, budget / (held + churn)), 1.0
        turnover = (budget - held) / churn if churn else 1.0
        if turnover >= TURNOVER_FLOOR:
            return 1.0, turnover
        return budget / (held + TURNOVER_FLOOR * churn), TURNOVER_FLOOR

    # -- organisation ------------------------------------------------------------------------------
    def write_organisation(self) -> None:
        rng = random.Random(self.seed + 2)
        user_model = get_user_model()
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        missing = [r.value for r in Role if r.value not in groups]
        if missing:
            raise RuntimeError(f"Role groups {missing} are missing: run `manage.py migrate`.")
        self.groups = groups
        self.password_hash = make_password(self.password)  # hashed once: a thousand PBKDF2 runs would take minutes
        self.usernames: set[str] = set(user_model.objects.values_list("username", flat=True))
        people = names.FIRST_NAMES, names.SURNAMES
        staff: list[tuple] = []  # (user, role)
        admin = self._user("admin", "Alex", "Administrator", is_staff=True, is_superuser=True)
        staff.append((admin, Role.ADMINISTRATOR))
        staff.append((self._user("smt", rng.choice(people[0]), rng.choice(people[1])), Role.SMT))
        self.hos, self.sms = {}, {}
        for area in self.areas:
            slug = slugify(area)
            self.hos[area] = self._user(f"hos.{slug}", rng.choice(people[0]), rng.choice(people[1]))
            self.sms[area] = self._user(f"sm.{slug}", rng.choice(people[0]), rng.choice(people[1]))
            staff += [(self.hos[area], Role.HEAD_OF_SERVICE), (self.sms[area], Role.HEAD_OF_SERVICE)]
        self.tms = {}
        for team in self.teams:
            self.tms[team.idx] = self._user(f"tm.{team.code.lower()}", rng.choice(people[0]), rng.choice(people[1]))
            staff.append((self.tms[team.idx], Role.TEAM_MANAGER))
        users = [user for user, _ in staff]
        user_model.objects.bulk_create(users, batch_size=self.batch)
        self._groups_add((user, role) for user, role in staff)

        areas = [ServiceArea(name=area, head_of_service=self.hos[area]) for area in self.areas]
        ServiceArea.objects.bulk_create(areas, batch_size=self.batch)
        area_of = {a.name: a for a in areas}
        self.team_rows = [
            Team(name=t.name, code=t.code, service_area=area_of[t.area], service_manager=self.sms[t.area])
            for t in self.teams
        ]
        Team.objects.bulk_create(self.team_rows, batch_size=self.batch)
        Team.managers.through.objects.bulk_create(
            [Team.managers.through(team_id=row.pk, user_id=self.tms[t.idx].pk)
             for t, row in zip(self.teams, self.team_rows, strict=True)],
            batch_size=self.batch,
        )
        for template in {t.template.key: t.template for t in self.teams}.values():
            _check_template_codes(template, self._tables(template.scheme), self.presets.get(template.preset))
        first = self.months[0]
        schemes, policies = [], []
        for team, row in zip(self.teams, self.team_rows, strict=True):
            template = team.template
            schemes.append(TeamScheme(team=row, scheme_version=self.versions[template.scheme],
                                      team_type=template.team_type, valid_from=first))
            policies.append(TeamPolicy(team=row, preset=self.presets[template.preset],
                                       team_type=template.preset_team_type, valid_from=first))
        TeamScheme.objects.bulk_create(schemes, batch_size=self.batch)
        TeamPolicy.objects.bulk_create(policies, batch_size=self.batch)
        self.policy_rows = policies  # by team index; each holds its preset, so the caseload panel needs no query

    def _user(self, base: str, first: str, last: str, **flags):
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        self.usernames.add(username)
        email_local = ".".join(part for part in base.split(".")[1:] if part) or base
        return get_user_model()(
            username=username, first_name=first, last_name=last, email=f"{email_local}@{self.domain}",
            password=self.password_hash, **flags,
        )

    def _groups_add(self, pairs: Iterable[tuple]) -> None:
        through = get_user_model().groups.through
        through.objects.bulk_create(
            [through(user_id=user.pk, group_id=self.groups[role].pk) for user, role in pairs], batch_size=self.batch
        )

    # -- workers -----------------------------------------------------------------------------------
    def write_workers(self) -> None:
        logins = []
        for w in self.workers:
            if w.login:
                user = self._user(f"sw.{_ascii(w.first_name)}.{_ascii(w.surname)}", w.first_name, w.surname)
                user.email = f"{_ascii(w.first_name)}.{_ascii(w.surname)}@{self.domain}"
                logins.append((w, user))
        get_user_model().objects.bulk_create([u for _, u in logins], batch_size=self.batch)
        self._groups_add((user, Role.SOCIAL_WORKER) for _, user in logins)
        self.user_of = {w.idx: user for w, user in logins}
        rows = []
        for w in self.workers:
            seat = w.seats[-1]
            template = self.teams[seat.team].template
            rows.append(Worker(
                user=self.user_of.get(w.idx), first_name=w.first_name, surname=w.surname,
                email=f"{_ascii(w.first_name)}.{_ascii(w.surname)}@{self.domain}" if w.login else "",
                team=self.team_rows[seat.team], position=w.position,
                employment_type=EmploymentType.AGENCY if w.agency else EmploymentType.PERMANENT,
                wte=w.wte, case_holding=w.case_holding, grade=grade_for(w, template.scheme, self.today),
                registration_number=w.registration_number, asye_start=w.asye_start,
                asye_completed=w.asye_completed,
                student_stage=w.student_stage, is_active=True,
            ))
        Worker.objects.bulk_create(rows, batch_size=self.batch)
        self.worker_rows = rows
        supervised = []
        for w, row in zip(self.workers, rows, strict=True):
            if w.supervisor is not None:
                row.supervisor = rows[w.supervisor]
                supervised.append(row)
        Worker.objects.bulk_update(supervised, ["supervisor"], batch_size=self.batch)
        Membership.objects.bulk_create(
            [Membership(worker=rows[w.idx], team=self.team_rows[s.team], start=s.start, end=s.end)
             for w in self.workers for s in w.seats],
            batch_size=self.batch,
        )

    # -- cases -------------------------------------------------------------------------------------
    def write_cases(self) -> None:
        cases = self.factory.cases
        self.case_rows = [
            Case(team=self.team_rows[c.team], reference=c.reference, children=c.children, category=c.category,
                 factors=list(c.factors), opened=c.opened, closed=c.closed)
            for c in cases
        ]
        Case.objects.bulk_create(self.case_rows, batch_size=self.batch)
        Allocation.objects.bulk_create(
            [Allocation(case_id=self.case_rows[a.case].pk, worker_id=self.worker_rows[a.worker].pk, role=a.role,
                        co_work_share=a.share, start=a.start, end=a.end)
             for a in self.factory.allocs],
            batch_size=self.batch,
        )

    # -- supervision sessions ----------------------------------------------------------------------
    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        moment = timezone.make_aware(datetime.combine(day, clock(hour, minute)))
        return min(moment, self.now - timedelta(minutes=5))

    def last_session_day(self) -> date:
        """The latest day a session of this month can have been held: the last weekday up to today (today
        itself while the month has had no weekday yet)."""
        day = weekday_on_or_before(self.today)
        return day if day >= self.months[-1] else self.today

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

    # -- pro-formas --------------------------------------------------------------------------------
    def write_proformas(self) -> None:
        """One pro-forma per worker and month, recorded in that month's (latest) held supervision.

        As entry_start does: the date of score is the month's latest held worker supervision and the entry
        links it; the lines are the allocations open that day. Positions with no pro-forma (students,
        managers: supervision.rules.NO_PROFORMA_POSITIONS) have sessions but no entries."""
        rng = random.Random(self.seed + 3)
        allocs_of = defaultdict(list)
        for a in self.factory.allocs:
            allocs_of[a.worker].append(a)
        last = len(self.months) - 1
        dispute_month = last - 1 if last >= 1 else None
        self.disputed_worker = None
        self.bands: dict[str, int] = defaultdict(int)
        current_status = self._current_statuses(rng)
        previous: dict[int, ProformaEntry] = {}  # worker idx -> last month's current entry
        for k, month in enumerate(self.months):
            plans = []
            for w in self.workers:
                held = self.held_in_month.get((w.idx, month))
                if w.position in NO_PROFORMA_POSITIONS or not held:
                    continue
                status = current_status.get(w.idx) if k == last else EntryStatus.COUNTERSIGNED
                if status is None:  # this month's pro-forma not started yet
                    continue
                session = held[-1]
                plans.append(_Plan(
                    worker=w, team=w.seat_on(session.held_on).team, month=month, day=session.held_on, status=status,
                    session=session, lines=self._lines(w, allocs_of[w.idx], session.held_on),
                    previous=previous.get(w.idx),
                ))
            if k == dispute_month:
                self._mark_dispute(plans)
            self._write_entries(rng, plans, current=k == last)
            previous = {plan.worker.idx: plan.entry for plan in plans}
        self.result.bands = dict(self.bands)

    def _current_statuses(self, rng) -> dict[int, str | None]:
        """This month is under way: of the workers supervised so far, a mix of countersigned, awaiting
        countersignature, draft and not started. Nobody signs on the day the score is taken."""
        month = self.months[-1]
        holders = [w.idx for w in self.workers
                   if w.position not in NO_PROFORMA_POSITIONS and self.held_in_month.get((w.idx, month))]
        n = len(holders)
        statuses = ([EntryStatus.COUNTERSIGNED] * round(n * 0.35) + [EntryStatus.SUBMITTED] * round(n * 0.25)
                    + [EntryStatus.DRAFT] * round(n * 0.2))
        statuses += [None] * (n - len(statuses))
        rng.shuffle(statuses)
        result = dict(zip(holders, statuses, strict=True))
        for idx, status in result.items():
            if status == EntryStatus.COUNTERSIGNED and self.held_in_month[(idx, month)][-1].held_on >= self.today:
                result[idx] = EntryStatus.SUBMITTED
        return result

    def _lines(self, w: SimWorker, allocs, day: date) -> list[EntryLine]:
        """The pro-forma's lines: the worker's allocations open on the day (REPORTS.md §1.1, REP-24)."""
        seat = w.seat_on(day)
        template = self.teams[seat.team].template
        cases = self.factory.cases
        lines = []
        for a in allocs:
            if not (a.start <= day and (a.end is None or a.end >= day)) or a.role == AWAITING:
                continue
            if a.role == CO_WORKER and not template.lists_cowork_lines:
                continue  # caseload count: case basis A lists allocated cases only
            case = cases[a.case]
            others = [o for o in case.allocs if o is not a and o.start <= day and (o.end is None or o.end >= day)]
            shared = line_is_co_worked(
                rules=self._tables(template.scheme).rules, role=a.role,
                other_positions=[self.workers[o.worker].position for o in others],
            )
            share = a.share if shared and template.scheme in (NOTTS, WARRINGTON) else None
            lines.append(EntryLine(
                case_id=self.case_rows[a.case].pk, reference=case.reference,
                children=case.children, category=case.category, factors=list(case.factors), co_worked=shared,
                co_work_share=share, not_allocated=a.role == CO_WORKER,
            ))
        lines.sort(key=lambda line: (line.not_allocated, line.reference))  # as supervision's entry_start orders them
        for position, line in enumerate(lines):
            line.position = position
        return lines

    def _mark_dispute(self, plans: list[_Plan]) -> None:
        """Last month, one worker disputed a miscounted line and the manager issued revision 2."""
        for plan in plans:
            template = self.teams[plan.team].template
            if template.scheme != NOTTS or not plan.worker.login or plan.worker.position == "trainee":
                continue
            line = next((ln for ln in plan.lines if ln.children >= 2 and not ln.not_allocated
                         and not ln.category.startswith("private_fostering")), None)  # B = 0: no change
            if line is not None:
                plan.dispute_line = line
                self.disputed_worker = plan.worker
                return

    def _entry(self, rng, plan: _Plan, *, revision: int = 1, lines: list[EntryLine] | None = None,
               count: bool = True) -> ProformaEntry:
        w, team = plan.worker, self.teams[plan.team]
        template = team.template
        lines = plan.lines if lines is None else lines
        tm = self.tms[plan.team]
        personal, hours, explanation, extras = self._capacity(w, template, plan.day)
        entry = ProformaEntry(
            worker_id=self.worker_rows[w.idx].pk, team_id=self.team_rows[plan.team].pk, month=plan.month,
            revision=revision, is_current=True, status=plan.status, scheme_version=self.versions[template.scheme],
            team_type=template.team_type, position=w.position, is_agency=w.agency, wte=w.wte,
            grade=grade_for(w, template.scheme, plan.day), date_of_score=plan.day, session_id=plan.session.pk,
            personal=personal, extra_duty_hours=hours, extra_duty_explanation=explanation, extras=extras,
            created_by_id=tm.pk,
        )
        # Scored and counted by the app's own functions, so the stored figures are the ones the editor stores.
        # Generated input is valid by construction: a scoring error here is a generator bug and fails loudly.
        score = score_into(entry, lines)
        set_counts(entry, lines)
        if plan.status == EntryStatus.DRAFT:  # scored as the editor would show it; not yet commented or submitted
            return entry
        if count:
            self.bands[entry.band] += 1
        self._reasons(rng, entry, plan, lines, score)
        entry.submitted_at = self.at(plan.day, rng.randint(10, 15), rng.randint(0, 59))
        entry.submitted_by_id = tm.pk
        return entry

    def _capacity(self, w: SimWorker, template: TeamTemplate, day: date):
        """Field 3: personal elements, extra duties and extras as the scheme knows them."""
        personal: list[str] = []
        extras: list[str] = []
        hours, explanation = Decimal(0), ""
        if template.scheme == NOTTS:
            if w.is_asye_on(day):  # Worker.is_asye_on: to the completion date when that is later (REPORTS 1.2)
                personal.append("nqsw_asye")
            if w.position == "trainee":
                personal.append("trainee_non_term" if day.month in (7, 8) else "trainee_term_time")
            if w.practice_educator:
                personal.append("practice_educator")
            if w.extra_duty_hours and (day.month + w.idx) % 3:  # extra duties in two months out of three
                hours, explanation = w.extra_duty_hours, w.extra_duty_explanation
        elif template.scheme == SWINDON:
            if w.extra_duty:
                extras.append("group_work")
            if grade_for(w, SWINDON, day) == "higher_specialist" and day.month % 2:
                extras.append("higher_specialist_psw")
        elif template.scheme == WARRINGTON:
            if w.extra_duty:
                extras.append("foster_panel_member")
            if w.practice_educator:
                extras.append("practice_teaching")
        if template.scheme in (SWINDON, WARRINGTON):
            extras += [code for code in w.extras if code not in extras]
        return personal[:2], hours, explanation, extras

    def _reasons(self, rng, entry: ProformaEntry, plan: _Plan, lines: list[EntryLine], score) -> None:
        """Fields 7 and 8 as the manager records them in supervision before submitting.

        Which reasons the month needs is decided by the app's own rules (supervision.rules), on the same inputs
        entry_submit gives them; the demo holds no capacity reductions (R25), so there are none to pass. Only
        the triggered reasons are filled, and a reason still blank afterwards is a generator bug."""
        w = plan.worker
        previous = plan.previous
        panel = caseload_panel(
            worker=self.worker_rows[w.idx], wte=entry.wte, position=entry.position, lines=lines,
            policy=self.policy_rows[plan.team], reductions=(), on=entry.date_of_score,
            band_thresholds=score.band_thresholds,
        )
        triggers = policy_triggers(band=score.band, extra_duty_hours=entry.extra_duty_hours, panel=panel,
                                   previous_band=previous.band if previous else None)
        day = entry.date_of_score
        if triggers & {"over_max", "high", "over_capacity"}:
            entry.workload_manageable = False
            entry.workload_comment = rng.choice(names.COMMENTS_STRETCHED)
            entry.workload_action = rng.choice(names.ACTIONS_HIGH)
        elif "demanding" in triggers or panel.deviation == "higher":
            entry.workload_manageable = rng.random() < 0.6
            entry.workload_comment = rng.choice(names.COMMENTS_STRETCHED)
        else:
            entry.workload_manageable = True
            entry.workload_comment = rng.choice(names.COMMENTS_MANAGEABLE)
        if "deviation" in triggers:
            asye = entry.position == Position.ASYE or self.worker_rows[w.idx].is_asye_on(day)
            entry.deviation_reason = rng.choice(names.DEVIATION_REASONS[("asye" if asye else "qualified",
                                                                          panel.deviation)])
        if "over_max" in triggers:
            # as entry_start carries them: last month's reason and time limit while the limit has not passed
            if previous and previous.over_max_until and previous.over_max_until >= day:
                entry.over_max_reason, entry.over_max_until = previous.over_max_reason, previous.over_max_until
            else:
                entry.over_max_reason = rng.choice(names.OVER_MAX_REASONS)
                entry.over_max_until = day + timedelta(weeks=rng.choice((6, 8, 10, 12)))
            # reviewed at every monthly supervision (R03): the next one, unless the time limit comes first
            entry.over_max_review_on = min(plan.session.next_due, entry.over_max_until)
        if "demanding" in triggers:
            if previous and previous.demanding_until and previous.demanding_until >= day:
                entry.demanding_until = previous.demanding_until
            else:
                entry.demanding_until = day + timedelta(weeks=rng.choice((6, 8, 10)))
        if "high" in triggers:
            entry.high_priorities = rng.choice(names.HIGH_PRIORITIES)
        if "over_capacity" in triggers:
            entry.over_capacity_reason = rng.choice(names.OVER_CAPACITY_REASONS)
        if "remedial" in triggers:
            entry.remedial_action = rng.choice(names.REMEDIAL_ACTIONS)
        errors = required_reason_errors(entry=entry, triggers=triggers, panel=panel)
        if errors:
            raise RuntimeError(f"Demo pro-forma of {w.full_name} for {entry.month:%B %Y} would fail submit: {errors}")

    def _write_entries(self, rng, plans: list[_Plan], *, current: bool) -> None:
        entries, all_lines, signatures, disputes, audits = [], [], [], [], []
        first_revisions = []
        for plan in plans:
            entry = self._entry(rng, plan, revision=2 if plan.dispute_line is not None else 1)
            plan.entry = entry
            entries.append(entry)
            if plan.dispute_line is not None:
                wrong = [EntryLine(**{f: getattr(ln, f) for f in _LINE_COPY}) for ln in plan.lines]
                bad = wrong[plan.lines.index(plan.dispute_line)]
                bad.children -= 1
                first = self._entry(rng, plan, revision=1, lines=wrong, count=False)
                first.status, first.is_current = EntryStatus.DISPUTED, False
                first.submitted_at = self.at(plan.day, 10)
                plan.first, plan.first_lines = first, wrong
                first_revisions.append(plan)
        ProformaEntry.objects.bulk_create([p.first for p in first_revisions], batch_size=self.batch)
        for plan in first_revisions:
            entry = plan.entry
            entry.supersedes_id = plan.first.pk
            entry.revision_reason = (f"{plan.dispute_line.reference} has {plan.dispute_line.children} children, "
                                     f"not {plan.dispute_line.children - 1}: corrected after the worker's dispute.")
            raised_on = weekday_on_or_after(plan.day + timedelta(days=1))
            plan.raised_at = max(self.at(raised_on, 10, 15), plan.first.submitted_at + timedelta(minutes=10))
            revised_at = self.at(weekday_on_or_after(raised_on + timedelta(days=1)), 11)
            entry.submitted_at = max(revised_at, plan.raised_at + timedelta(minutes=30))
        ProformaEntry.objects.bulk_create(entries, batch_size=self.batch)
        for plan in plans:
            for line in plan.lines:
                line.entry_id = plan.entry.pk
            all_lines += plan.lines
            for line in plan.first_lines:
                line.entry_id = plan.first.pk
            all_lines += plan.first_lines
        EntryLine.objects.bulk_create(all_lines, batch_size=self.batch)
        self._store_hashes([p.first for p in first_revisions] + [e for e in entries if e.status != EntryStatus.DRAFT])
        for plan in plans:
            entry, tm = plan.entry, self.tms[plan.team]
            if entry.status == EntryStatus.COUNTERSIGNED:
                signer = self.user_of.get(plan.worker.idx)
                signed_on = weekday_on_or_after(entry.submitted_at.date() + timedelta(days=rng.choice((1, 1, 2))))
                signed_at = self.at(signed_on, rng.randint(9, 16), rng.randint(0, 59))
                signed_at = max(signed_at, entry.submitted_at + timedelta(minutes=30))
                signatures.append(Countersignature(
                    entry_id=entry.pk,
                    # no login (agency, paper signature): the manager records the worker's signature
                    signed_by_id=(signer or tm).pk,
                    typed_name=plan.worker.full_name, signed_at=signed_at, content_hash=entry.content_hash,
                ))
            if plan.first is not None:
                raised_at = plan.raised_at
                user = self.user_of[plan.worker.idx]
                disputes.append(Dispute(
                    entry=plan.first, raised_by=user, raised_at=raised_at, resolved_at=entry.submitted_at,
                    reason=f"{plan.dispute_line.reference} has {plan.dispute_line.children} children, not "
                           f"{plan.dispute_line.children - 1}; the baby was born at the start of the month.",
                ))
                audits += [
                    self._audit(plan.first, "entry.created", tm, plan.first.submitted_at - timedelta(hours=1)),
                    self._audit(plan.first, "entry.submitted", tm, plan.first.submitted_at,
                                self._submitted_data(plan.first)),
                    self._audit(plan.first, "entry.disputed", user, raised_at),
                    self._audit(entry, "entry.revised", tm, entry.submitted_at - timedelta(minutes=20),
                                {"supersedes": plan.first.pk, "revision": 2}),
                    self._audit(entry, "entry.submitted", tm, entry.submitted_at,
                                self._submitted_data(entry, resubmitted=True)),
                ]
                if entry.status == EntryStatus.COUNTERSIGNED:
                    audits.append(self._audit(entry, "entry.countersigned", user, signatures[-1].signed_at,
                                              {"content_hash": entry.content_hash, "typed_name": plan.worker.full_name}))
            elif current:
                audits.append(self._audit(entry, "entry.created", tm,
                                          self.at(plan.day, 9, rng.randint(0, 59))))
                if entry.submitted_at is not None:
                    audits.append(self._audit(entry, "entry.submitted", tm, entry.submitted_at,
                                              self._submitted_data(entry)))
                if entry.status == EntryStatus.COUNTERSIGNED:
                    audits.append(self._audit(entry, "entry.countersigned", signer or tm, signatures[-1].signed_at,
                                              {"content_hash": entry.content_hash, "typed_name": plan.worker.full_name}))
        Countersignature.objects.bulk_create(signatures, batch_size=self.batch)
        Dispute.objects.bulk_create(disputes, batch_size=self.batch)
        AuditEvent.objects.bulk_create(audits, batch_size=self.batch)

    def _store_hashes(self, entries: list[ProformaEntry]) -> None:
        """Each submitted entry's content hash, computed as entry_submit computes it: by
        supervision.hashing.content_hash over the row and its lines as saved, read back from the database, so
        whatever fields the hash covers it sees them exactly as a countersignature will recompute them."""
        ids = [entry.pk for entry in entries]
        saved = ProformaEntry.objects.in_bulk(ids)
        lines = defaultdict(list)
        for line in EntryLine.objects.filter(entry_id__in=ids).order_by("entry_id", "position", "pk"):
            lines[line.entry_id].append(line)
        for entry in entries:
            entry.content_hash = content_hash(saved[entry.pk], lines[entry.pk])
        # One prepared UPDATE run per row: bulk_update's CASE expressions cost more than the hashing itself.
        meta, quote = ProformaEntry._meta, connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('content_hash').column)} = %s "  # noqa: S608
                f"WHERE {quote(meta.pk.column)} = %s",
                [(entry.content_hash, entry.pk) for entry in entries],
            )

    @staticmethod
    def _submitted_data(entry: ProformaEntry, resubmitted: bool = False) -> dict:
        """What entry_submit records in the audit trail."""
        return {"content_hash": entry.content_hash, "total_points": format(entry.total_points.normalize(), "f"),
                "band": entry.band, "resubmitted_after_dispute": resubmitted}

    @staticmethod
    def _audit(entry: ProformaEntry, action: str, actor, at: datetime, data: dict | None = None) -> AuditEvent:
        return AuditEvent(actor=actor, action=action, target_type="supervision.proformaentry", target_id=entry.pk,
                          entry=entry, data=data or {"revision": entry.revision, "status": entry.status}, at=at)

    # -- snapshots ---------------------------------------------------------------------------------
    def snapshot_days(self) -> list[tuple[date, str]]:
        """Month ends that have passed, and the last eight Fridays (a month end on a Friday stays a month end)."""
        days = {month_end(m): SnapshotKind.MONTH_END for m in self.months if month_end(m) < self.today}
        friday = self.today - timedelta(days=(self.today.weekday() - 4) % 7)
        for n in range(8):
            days.setdefault(friday - timedelta(weeks=n), SnapshotKind.WEEKLY)
        return sorted(days.items())

    def write_snapshots(self) -> None:
        cases = self.factory.cases
        worker_rows, team_rows = [], []
        for day, kind in self.snapshot_days():
            counts = defaultdict(lambda: [0, 0, 0, 0])  # allocated children, families, co-worked, awaiting
            held: set[int] = set()
            for a in self.factory.allocs:
                if a.start <= day and (a.end is None or a.end >= day):
                    held.add(a.case)
                    n = cases[a.case].children
                    row = counts[a.worker]
                    if a.role == ALLOCATED:
                        row[0] += n
                        row[1] += 1
                    elif a.role == CO_WORKER:
                        row[2] += n
                    else:
                        row[3] += n
            unallocated = defaultdict(int)
            for case in cases:
                if case.opened <= day and (case.closed is None or case.closed >= day) and case.idx not in held:
                    unallocated[case.team] += case.children
            permanent, agency = defaultdict(Decimal), defaultdict(Decimal)
            for w in self.workers:
                seat = w.seat_on(day)
                if seat is None:
                    continue
                allocated, families, coworked, awaiting = counts.get(w.idx, (0, 0, 0, 0))
                worker_rows.append(CaseloadSnapshot(
                    worker_id=self.worker_rows[w.idx].pk, team_id=self.team_rows[seat.team].pk, taken_on=day, kind=kind,
                    source=SnapshotSource.ALLOCATIONS, wte=w.wte, allocated_children=allocated,
                    family_groups=families, coworked_children=coworked, awaiting_allocation_children=awaiting,
                ))
                if w.case_holding:  # students hold no post
                    (agency if w.agency else permanent)[seat.team] += w.wte
            for team in self.teams:
                vacant = agency[team.idx] + team.uncovered_vacancy
                team_rows.append(TeamSnapshot(
                    team=self.team_rows[team.idx], taken_on=day, kind=kind, unallocated_children=unallocated[team.idx],
                    establishment_fte=permanent[team.idx] + vacant, vacant_fte=vacant, agency_fte=agency[team.idx],
                ))
        CaseloadSnapshot.objects.bulk_create(worker_rows, batch_size=self.batch)
        TeamSnapshot.objects.bulk_create(team_rows, batch_size=self.batch)


_LINE_COPY = ("position", "case_id", "reference", "children", "category", "factors", "co_worked", "co_work_share",
              "not_allocated")


@dataclass(eq=False)
class _Plan:
    worker: SimWorker
    team: int
    month: date
    day: date
    status: str
    session: SupervisionSession
    lines: list[EntryLine]
    previous: ProformaEntry | None = None  # the worker's entry of the month before, if any
    dispute_line: EntryLine | None = None
    entry: ProformaEntry | None = None
    first: ProformaEntry | None = None
    first_lines: list[EntryLine] = field(default_factory=list)
    raised_at: datetime | None = None


@dataclass
class _Line:
    children: int
    category: str
    factors: tuple[str, ...] = ()
    co_worked: bool = False
    co_work_share: Decimal | None = None
    reference: str = ""


def _ascii(text: str) -> str:
    return slugify(text).replace("-", "")


def _full_time_grade(scheme: str) -> str:
    return {SWINDON: "experienced"}.get(scheme, "")


def grade_for(w: SimWorker, scheme: str, day: date) -> str:
    """The worker's grade code under a scheme: required by Swindon (4.5), optional for Warrington (6.6)."""
    if scheme == SWINDON:
        if w.is_asye_on(day):
            return "nqsw"
        if w.position == "senior_practitioner":
            return "higher_specialist"
        experienced = w.seats[0].start <= day - timedelta(days=3 * 365)
        return "experienced" if experienced else "basic"
    if scheme == WARRINGTON:
        if w.is_asye_on(day):
            return "asye"
        return "student" if w.position == "student" else "qualified"
    return ""


def _check_template_codes(template: TeamTemplate, tables, preset) -> None:
    """Fail fast (before writing thousands of rows) if a template names a code its scheme or preset lacks."""
    if template.team_type not in tables.team_types:
        raise RuntimeError(f"{template.key}: {template.team_type} is not a team type of {template.scheme}")
    if preset is None:
        raise RuntimeError(f"Caseload preset {template.preset} is missing: run `manage.py migrate`.")
    if not preset.team_type(template.preset_team_type):
        raise RuntimeError(f"{template.key}: {template.preset_team_type} is not a team type of {preset.code}")


# --- logins -------------------------------------------------------------------------------------------

ROLE_ORDER = (Role.ADMINISTRATOR, Role.SMT, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER, Role.SOCIAL_WORKER)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    team: str
    notes: str = ""


def login_rows() -> list[Login]:
    """Every user holding a role, in role order, with what they see: read from the database, so a second
    run of seed_demo prints the same table."""
    user_model = get_user_model()
    users = (
        user_model.objects.filter(groups__name__in=[r.value for r in Role]).distinct()
        .prefetch_related("groups", "managed_teams", "service_areas_led").select_related("worker__team")
    )
    managed_areas = defaultdict(set)
    for team in Team.objects.exclude(service_manager=None).select_related("service_area"):
        managed_areas[team.service_manager_id].add(team.service_area.name)
    rows = []
    for user in users:
        roles = {g.name for g in user.groups.all()}
        if user.is_superuser:
            roles.add(Role.ADMINISTRATOR)
        role = next(r for r in ROLE_ORDER if r in roles)
        worker = getattr(user, "worker", None)
        if role in (Role.ADMINISTRATOR, Role.SMT):
            label, team, notes = Role(role).label, "all teams", "superuser" if user.is_superuser else "read-only"
        elif role == Role.HEAD_OF_SERVICE and user.pk in managed_areas:
            label, team, notes = "Service manager", ", ".join(sorted(managed_areas[user.pk])), "group head_of_service"
        elif role == Role.HEAD_OF_SERVICE:
            label, team, notes = "Head of service", ", ".join(a.name for a in user.service_areas_led.all()), ""
        elif role == Role.TEAM_MANAGER:
            label, team, notes = "Team manager", ", ".join(f"{t.name} ({t.code})" for t in user.managed_teams.all()), ""
        else:
            label = "Social worker"
            team = f"{worker.team.name} ({worker.team.code})" if worker and worker.team else ""
            notes = _worker_notes(worker) if worker else ""
        rows.append((ROLE_ORDER.index(role), team, user.username, Login(user.username, label, team, notes)))
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


def _worker_notes(worker: Worker) -> str:
    bits = [worker.get_position_display()]
    if worker.wte != 1:
        bits.append(f"{worker.wte.normalize()} WTE")
    if worker.employment_type == EmploymentType.AGENCY:
        bits.append("agency")
    if worker.grade:
        bits.append(f"grade {worker.grade}")
    return ", ".join(bits)


def login_notes(limit: int = 5) -> list[str]:
    """Who to look at in the demo beyond the table: workers without a login and workers who moved team."""
    notes = []
    for worker in Worker.objects.filter(user=None).select_related("team").order_by("surname")[:limit]:
        notes.append(f"- {worker.full_name} ({worker.get_position_display().lower()}, "
                     f"{worker.get_employment_type_display().lower()}, {worker.team.name}) has no login: "
                     "the team manager records their signature.")
    movers = Worker.objects.annotate(n=Count("memberships")).filter(n__gt=1).prefetch_related("memberships__team")
    for worker in movers.order_by("surname")[:limit]:
        old, new = sorted(worker.memberships.all(), key=lambda m: m.start)[-2:]
        notes.append(f"- {worker.full_name} moved from {old.team.name} to {new.team.name} on {new.start:%-d %b %Y}.")
    return notes


def format_logins(rows: list[Login], password: str = DEMO_PASSWORD, notes: Iterable[str] = ()) -> str:
    """A Markdown table (pastes into a README as it is)."""
    header = Login("Username", "Role", "Team", "Notes")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in ("username", "role", "team", "notes")]

    def line(r: Login) -> str:
        cells = (r.username, r.role, r.team, r.notes)
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    notes = list(notes)
    return "\n".join([f"Password for every demo account: {password}", "", line(header), rule, *map(line, rows),
                      *([""] + notes if notes else [])])


# --- wiping -------------------------------------------------------------------------------------------

# Children before parents. Reference data (schemes, presets, groups) stays.
_WIPE_ORDER = (
    AuditEvent, Countersignature, Dispute, "supervision.WorkloadConcern", "supervision.TeamMonth", EntryLine,
    ProformaEntry, SupervisionSession, CaseloadSnapshot, TeamSnapshot, Allocation, Case, "workload.Absence",
    "workload.CapacityReduction", Membership, Worker, TeamPolicy, TeamScheme, Team.managers.through, Team, ServiceArea,
)


def wipe() -> None:
    """Delete all organisation, people, case and pro-forma data, and the users who hold a role.

    Raw DELETEs child-first: the ORM's collector would load every row of a large authority first."""
    from django.apps import apps

    models = [apps.get_model(m) if isinstance(m, str) else m for m in _WIPE_ORDER]
    wiped = set(models)
    with transaction.atomic():
        # Rows of other apps that point at what goes (e.g. report runs per team) go first, via the ORM.
        for model in apps.get_models(include_auto_created=True):
            if model in wiped or model._meta.app_label in ("auth", "contenttypes", "admin", "sessions"):
                continue
            if any(f.concrete and f.is_relation and f.related_model in wiped for f in model._meta.get_fields()):
                model.objects.all().delete()
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        role_users = get_user_model().objects.filter(groups__name__in=[r.value for r in Role])
        get_user_model().objects.filter(pk__in=list(role_users.values_list("pk", flat=True))).delete()
