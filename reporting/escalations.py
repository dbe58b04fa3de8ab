"""The daily evaluation of the POLICIES §3 rules the caseload snapshots can check (docs/dashboards.md).

Over the snapshot history up to a day, per worker and team, it finds each rule's episodes: a run of
consecutive snapshots over the rule's line (POL-3: an episode starts at the first snapshot over and ends at
the first snapshot not over; a move to another team starts a new one). `escalations_evaluate` then opens,
updates and closes `Escalation` rows keyed by (kind, team, worker, first_over_on), so running it twice
changes nothing. Reads are a fixed number of queries, whatever the number of workers or snapshots.

Rules (POLICIES §3; deadlines from the preset's `deadlines_working_days`, §6 defaults):
- managers holding cases (R01): a team manager or practice manager with an allocated child; not a practice
  manager of a team whose scheme scores them as case-holding (Warrington, POL-23). Due by the next weekly
  snapshot. Owner: the team manager.
- over the head of service agreement threshold (R04): cases > `agree_threshold` × WTE (pro_rata) or raw;
  opens at the first snapshot over, HoS decision due 5 working days later. Owner: the head of service.
- sustained exceedance (R05): continuously over `max` (same basis); fires at the first snapshot strictly
  after first-over + `escalation_months` (end-of-month clamp). No answer to "is the work ongoing?" counts
  as ongoing. HoS response due 10 working days after. Owner: the head of service.
- long absence holding cases (R14): (a) from the start of an absence expected to exceed 15 working days,
  (b) from the day an absence without an expected end passes them; the episode is keyed by that day and
  opens at the first snapshot that shows the worker still holding cases. Owner: the team manager.
- team above target (R07): at a month-end reading, the team's average (M01 or, for care-leaver team types,
  M08, on the preset's average basis, rounded as displayed) above `target_high`, where the preset turns it
  on (LUTON_WSX by default, or `team_above_target_escalation` in a team's overrides). Owner: the HoS.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from reporting.models import Escalation, EscalationKind
from supervision.rules import LONG_ABSENCE_WORKING_DAYS
from workload.models import Absence, CaseloadSnapshot, Position, SnapshotKind, Team, TeamPolicy, TeamScheme
from workload.workdays import add_months, is_working_day, month_end, working_days_after

DEFAULT_DEADLINES = {"hos_agreement": 5, "ongoing_answer": 5, "hos_response": 10, "team_agreement": 10}
MANAGER_POSITIONS = (Position.TEAM_MANAGER, Position.PRACTICE_MANAGER)
NOT_IN_POPULATION = (Position.TEAM_MANAGER, Position.PRACTICE_MANAGER, Position.STUDENT, Position.CONSULTANT)
CASE_HOLDING_PRACTICE_MANAGER_SCHEMES = ("warrington-wms-2014",)  # POL-23
TEAM_ESCALATION_PRESETS = ("LUTON_WSX",)  # R07 on by default (POLICIES §3 "LUTON (optional elsewhere)")

HOS_OWNED = (EscalationKind.HOS_AGREEMENT, EscalationKind.SUSTAINED, EscalationKind.TEAM_ABOVE_TARGET)

CLOSED_UNDER = "Caseload back under the threshold"
CLOSED_REASONS = {
    EscalationKind.MANAGER_HOLDING_CASES: "No longer holding cases",
    EscalationKind.HOS_AGREEMENT: CLOSED_UNDER,
    EscalationKind.SUSTAINED: CLOSED_UNDER,
    EscalationKind.LONG_ABSENCE: "Back from absence or no longer holding cases",
    EscalationKind.TEAM_ABOVE_TARGET: "Team average back within target",
}
CLOSED_GONE = "No longer in the caseload snapshots"


def add_working_days(day: date, days: int) -> date:
    """The working day `days` working days after `day` (24 Jan 2025 + 5 = 31 Jan 2025)."""
    count = 0
    while count < days:
        day += timedelta(days=1)
        count += is_working_day(day)
    return day


def next_weekly_snapshot(after: date) -> date:
    """The last working day of the ISO week after the one `after` falls in (R01, R14 (b) deadlines)."""
    day = after + timedelta(days=7 - after.weekday() + 6)  # Sunday of next week
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def limit_line(limit: Any, wte: Decimal, basis: str) -> Decimal | None:
    """The line a count is compared with (POL-5: × WTE unrounded for pro_rata, raw otherwise), or None
    when the preset sets no such figure."""
    if limit in (None, ""):
        return None
    return Decimal(str(limit)) * wte if basis == "pro_rata" else Decimal(str(limit))


@dataclass(frozen=True)
class Snap:
    worker_id: int
    team_id: int
    taken_on: date
    kind: str
    wte: Decimal
    allocated: int
    coworked: int
    awaiting: int
    position: str


@dataclass
class Episode:
    """One run of snapshots over a rule's line. `opened_on` is None until the rule fires."""

    kind: str
    team_id: int
    worker_id: int | None
    first_over_on: date
    opened_on: date | None = None
    due_on: date | None = None
    ended_on: date | None = None  # first snapshot not over
    cases: int = 0
    threshold: Decimal | None = None
    data: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.kind, self.team_id, self.worker_id, self.first_over_on)


class _Policies:
    """Team policies and schemes loaded once (two queries); the settings in force per team and date."""

    def __init__(self) -> None:
        self.by_team: dict[int, list[TeamPolicy]] = defaultdict(list)
        for policy in TeamPolicy.objects.select_related("preset").order_by("team_id", "valid_from"):
            self.by_team[policy.team_id].append(policy)
        self.schemes: dict[int, list[tuple[date, str]]] = defaultdict(list)
        for team_id, valid_from, slug in TeamScheme.objects.order_by("team_id", "valid_from").values_list(
            "team_id", "valid_from", "scheme_version__slug"
        ):
            self.schemes[team_id].append((valid_from, slug))
        self._settings: dict[int, dict] = {}

    def settings(self, team_id: int, day: date) -> dict | None:
        policy = None
        for candidate in self.by_team.get(team_id, ()):
            if candidate.valid_from <= day:
                policy = candidate
        if policy is None:
            return None
        if policy.pk not in self._settings:
            merged = policy.settings()
            merged["deadlines_working_days"] = {**DEFAULT_DEADLINES, **(merged.get("deadlines_working_days") or {})}
            self._settings[policy.pk] = merged
        return self._settings[policy.pk]

    def scheme_slug(self, team_id: int, day: date) -> str | None:
        slug = None
        for valid_from, candidate in self.schemes.get(team_id, ()):
            if valid_from <= day:
                slug = candidate
        return slug


def long_absence_from(absence: Absence) -> date:
    """The day an absence counts as long (POL-26): its start when expected to exceed the limit, else the day
    it passes the limit in working days (sick from Mon 2 Dec 2024 -> Mon 23 Dec 2024)."""
    if absence.expected_return and working_days_after(absence.start, absence.expected_return) > LONG_ABSENCE_WORKING_DAYS:
        return absence.start
    day, passed = absence.start, 0
    while passed < LONG_ABSENCE_WORKING_DAYS:
        day += timedelta(days=1)
        passed += is_working_day(day)
    return day


def _runs(rows: list[Snap], test) -> list[tuple[list[Snap], date | None]]:
    """Runs of consecutive snapshots (same team) where test(row) holds: (rows, first snapshot not over)."""
    runs: list[tuple[list[Snap], date | None]] = []
    current: list[Snap] = []
    for row in rows:
        if current and row.team_id != current[-1].team_id:
            runs.append((current, row.taken_on))
            current = []
        if test(row):
            current.append(row)
        elif current:
            runs.append((current, row.taken_on))
            current = []
    if current:
        runs.append((current, None))
    return runs


def _cases(settings: dict, row: Snap) -> int:
    if settings.get("care_leavers") and settings.get("case_basis") == "B":
        return row.allocated + row.coworked + row.awaiting  # REPORTS §1.1 basis B
    return row.allocated


def _worker_episodes(rows: list[Snap], policies: _Policies, absences: list[Absence]) -> list[Episode]:
    episodes: list[Episode] = []

    def settings_of(row: Snap) -> dict:
        return policies.settings(row.team_id, row.taken_on) or {}

    # managers holding cases (R01)
    def manager_holding(row: Snap) -> bool:
        if row.position not in MANAGER_POSITIONS or row.allocated < 1:
            return False
        slug = policies.scheme_slug(row.team_id, row.taken_on)
        return not (row.position == Position.PRACTICE_MANAGER and slug in CASE_HOLDING_PRACTICE_MANAGER_SCHEMES)

    for run, ended in _runs(rows, manager_holding):
        first = run[0]
        episodes.append(Episode(
            EscalationKind.MANAGER_HOLDING_CASES, first.team_id, first.worker_id, first.taken_on,
            opened_on=first.taken_on, due_on=next_weekly_snapshot(first.taken_on), ended_on=ended,
            cases=run[-1].allocated, threshold=Decimal("0"),
        ))

    # over the agreement threshold (R04) and sustained over the maximum (R05)
    def line(row: Snap, key: str) -> Decimal | None:
        s = settings_of(row)
        return limit_line(s.get(key), row.wte, s.get("threshold_basis", "pro_rata"))

    def agree_over(row: Snap) -> bool:
        limit = line(row, "agree_threshold")
        return row.position != Position.STUDENT and limit is not None and _cases(settings_of(row), row) > limit

    for run, ended in _runs(rows, agree_over):
        first, last = run[0], run[-1]
        deadlines = settings_of(first)["deadlines_working_days"]
        episodes.append(Episode(
            EscalationKind.HOS_AGREEMENT, first.team_id, first.worker_id, first.taken_on,
            opened_on=first.taken_on, due_on=add_working_days(first.taken_on, deadlines["hos_agreement"]),
            ended_on=ended, cases=_cases(settings_of(last), last), threshold=line(last, "agree_threshold"),
        ))

    def max_over(row: Snap) -> bool:
        limit = line(row, "max")
        return (row.position != Position.STUDENT and limit is not None and bool(settings_of(row).get("escalation_months"))
                and _cases(settings_of(row), row) > limit)

    for run, ended in _runs(rows, max_over):
        first, last = run[0], run[-1]
        s = settings_of(first)
        fires_after = add_months(first.taken_on, int(s["escalation_months"]))
        fired = next((row for row in run if row.taken_on > fires_after), None)
        episode = Episode(
            EscalationKind.SUSTAINED, first.team_id, first.worker_id, first.taken_on, ended_on=ended,
            cases=_cases(settings_of(last), last), threshold=line(last, "max"),
            data={"months": int(s["escalation_months"])},
        )
        if fired is not None:
            episode.opened_on = fired.taken_on
            episode.due_on = add_working_days(fired.taken_on, s["deadlines_working_days"]["hos_response"])
        episodes.append(episode)

    # long absence while holding cases (R14)
    for absence in absences:
        long_from = long_absence_from(absence)

        def away_holding(row: Snap, absence=absence, long_from=long_from) -> bool:
            back = absence.actual_return is not None and absence.actual_return <= row.taken_on
            return row.taken_on >= long_from and not back and row.allocated > 0

        for run, ended in _runs([r for r in rows if r.taken_on >= absence.start], away_holding):
            first = run[0]
            planned = long_from == absence.start
            episodes.append(Episode(
                EscalationKind.LONG_ABSENCE, first.team_id, first.worker_id, long_from, opened_on=first.taken_on,
                due_on=absence.start if planned else next_weekly_snapshot(first.taken_on), ended_on=ended,
                cases=run[-1].allocated, data={"absence_id": absence.pk},
            ))
    return episodes


def _monthly_readings(rows: list[Snap], on: date) -> list[date]:
    """The team's month-end readings (REPORTS §1.1 monthly snapshot): the month-end snapshot, else the last
    snapshot of a month that has ended by `on`."""
    by_month: dict[date, list[Snap]] = defaultdict(list)
    for row in rows:
        by_month[row.taken_on.replace(day=1)].append(row)
    readings = []
    for month, month_rows in sorted(by_month.items()):
        ends = [r.taken_on for r in month_rows if r.kind == SnapshotKind.MONTH_END]
        if ends:
            readings.append(max(ends))
        elif month_end(month) <= on:
            readings.append(max(r.taken_on for r in month_rows))
    return readings


def _team_episodes(team_id: int, rows: list[Snap], policies: _Policies, long_absent: set[tuple[int, date]],
                   on: date) -> list[Episode]:
    """Team above target (R07) at month-end readings."""
    by_date: dict[date, list[Snap]] = defaultdict(list)
    for row in rows:
        by_date[row.taken_on].append(row)
    readings = []
    for day in _monthly_readings(rows, on):
        s = policies.settings(team_id, day) or {}
        enabled = s.get("team_above_target_escalation", s.get("code") in TEAM_ESCALATION_PRESETS)
        if not enabled or s.get("target_high") in (None, ""):
            readings.append((day, False, 0, None, None))
            continue
        slug = policies.scheme_slug(team_id, day)
        population = [
            r for r in by_date[day]
            if (r.position not in NOT_IN_POPULATION
                or (r.position == Position.PRACTICE_MANAGER and slug in CASE_HOLDING_PRACTICE_MANAGER_SCHEMES))
            and (r.position != Position.SWA or s.get("include_aqp"))
            and (r.worker_id, day) not in long_absent
        ]
        if not population:
            readings.append((day, False, 0, None, None))
            continue
        total = sum(_cases(s, r) for r in population)
        capacity = sum((r.wte for r in population), Decimal("0")) if s.get("average_basis", "fte") == "fte" \
            else Decimal(len(population))
        dp = int((s.get("average_dp") or {}).get("team", 1))
        average = (Decimal(total) / capacity).quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)
        target = Decimal(str(s["target_high"]))
        readings.append((day, average > target, total, target * capacity, {"average": str(average),
                                                                            "target": str(target)}))
    episodes = []
    current: list = []
    for reading in readings + [None]:
        if reading is not None and reading[1]:
            current.append(reading)
            continue
        if current:
            first, last = current[0], current[-1]
            s = policies.settings(team_id, first[0]) or {}
            episodes.append(Episode(
                EscalationKind.TEAM_ABOVE_TARGET, team_id, None, first[0], opened_on=first[0],
                due_on=add_working_days(first[0], s["deadlines_working_days"]["team_agreement"]),
                ended_on=reading[0] if reading else None, cases=last[2],
                threshold=last[3].quantize(Decimal("0.01")), data=last[4],
            ))
            current = []
    return episodes


def escalation_episodes(*, on: date) -> list[Episode]:
    """Every episode of every rule in the snapshot history up to `on` (five queries: snapshots, policies,
    schemes, absences; the rules run in Python over the rows)."""
    rows = [
        Snap(*values) for values in CaseloadSnapshot.objects.filter(taken_on__lte=on)
        .order_by("worker_id", "taken_on")
        .values_list("worker_id", "team_id", "taken_on", "kind", "wte", "allocated_children", "coworked_children",
                     "awaiting_allocation_children", "worker__position")
    ]
    policies = _Policies()
    absences: dict[int, list[Absence]] = defaultdict(list)
    for absence in Absence.objects.filter(start__lte=on).order_by("worker_id", "start"):
        absences[absence.worker_id].append(absence)
    by_worker: dict[int, list[Snap]] = defaultdict(list)
    by_team: dict[int, list[Snap]] = defaultdict(list)
    for row in rows:
        by_worker[row.worker_id].append(row)
        by_team[row.team_id].append(row)
    episodes: list[Episode] = []
    long_absent: set[tuple[int, date]] = set()
    for worker_id, worker_rows in by_worker.items():
        for absence in absences.get(worker_id, ()):
            long_from = long_absence_from(absence)
            for row in worker_rows:
                if long_from <= row.taken_on and (absence.actual_return is None or absence.actual_return > row.taken_on):
                    long_absent.add((worker_id, row.taken_on))  # REP-5: out of the population
        episodes += _worker_episodes(worker_rows, policies, absences.get(worker_id, []))
    for team_id, team_rows in by_team.items():
        episodes += _team_episodes(team_id, team_rows, policies, long_absent, on)
    return episodes


def owners_by_team(team_ids) -> dict[int, tuple[Any, Any]]:
    """team id -> (head of service of its service area, its first team manager); two queries."""
    teams = Team.objects.filter(pk__in=team_ids).select_related("service_area__head_of_service")
    managers: dict[int, Any] = {}
    for link in Team.managers.through.objects.filter(team_id__in=team_ids).select_related("user").order_by("pk"):
        managers.setdefault(link.team_id, link.user)
    return {team.pk: (team.service_area.head_of_service, managers.get(team.pk)) for team in teams}


@transaction.atomic
def escalations_evaluate(*, on: date, notify: bool = True) -> dict[str, int]:
    """Open, update and close escalations from the snapshot history up to `on`; idempotent. `notify=False`
    opens without emailing the owners (the demo generator: its history is not news to anyone).

    Only episodes still current on `on` are opened (an episode that began and ended before the first
    evaluation is history, not work for anyone); an open escalation whose episode has ended is closed on the
    first snapshot not over."""
    from reporting.escalation_services import escalation_close, escalation_open, escalation_refresh

    episodes = [e for e in escalation_episodes(on=on) if e.opened_on is not None and e.opened_on <= on]
    found = {e.key: e for e in episodes}
    firsts = {e.first_over_on for e in episodes}
    existing = {
        (x.kind, x.team_id, x.worker_id, x.first_over_on): x
        for x in Escalation.objects.filter(Q(closed_on__isnull=True) | Q(first_over_on__in=firsts))
    }
    owners = owners_by_team({e.team_id for e in episodes if e.key not in existing})
    counts = {"opened": 0, "updated": 0, "closed": 0}
    for key, episode in found.items():
        escalation = existing.get(key)
        current = episode.ended_on is None or episode.ended_on > on
        if escalation is None:
            if current:
                head, manager = owners.get(episode.team_id, (None, None))
                escalation_open(episode=episode, owner=head if episode.kind in HOS_OWNED else manager, notify=notify)
                counts["opened"] += 1
        elif escalation.closed_on is None:
            if current:
                counts["updated"] += escalation_refresh(escalation=escalation, episode=episode, on=on)
            else:
                escalation_close(escalation=escalation, on=episode.ended_on, reason=CLOSED_REASONS[episode.kind])
                counts["closed"] += 1
    for key, escalation in existing.items():
        if key not in found and escalation.closed_on is None:
            escalation_close(escalation=escalation, on=on, reason=CLOSED_GONE)
            counts["closed"] += 1
    return counts
