"""Reads for the team pro-forma (REPORTS.md (b)): who was in the team that month (dated memberships), each
one's entry and status, and the per-team progress counts the home page shows. A fixed number of queries."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.utils import timezone

from supervision.entry_scoring import scheme_tables
from supervision.models import (
    EntryStatus,
    ProformaEntry,
    TeamMonth,
)
from supervision.rules import (
    NO_PROFORMA_POSITIONS,
    long_absent,
)
from workload.models import (
    Absence,
    Membership,
    Position,
    Team,
    Worker,
)
from workload.selectors import (
    TeamFigures,
    memberships_in_month,
    team_figures,
    team_scheme_on,
)
from workload.workdays import month_end

# ========================================================================================= access


NO_PROFORMA, ABSENT, ELSEWHERE = "none", "absent", "elsewhere"


@dataclass
class TeamMonthRow:
    """One worker on the team pro-forma (REPORTS.md (b))."""

    worker: Worker
    entry: ProformaEntry | None
    status: str
    status_label: str
    other_entry: ProformaEntry | None = None  # this month's pro-forma is with another team (moved mid-month)

    @property
    def wte(self) -> Decimal:
        return self.entry.wte if self.entry else self.worker.wte

    @property
    def position_label(self) -> str:
        position = self.entry.position if self.entry else self.worker.position
        return Position(position).label if position in Position.values else position

    @property
    def personal_capacity(self) -> Decimal | None:
        entry = self.entry
        if entry is None or entry.total_points is None:
            return None
        return (entry.personal_points or 0) + (entry.extra_points or 0)

    @property
    def can_start(self) -> bool:
        return self.status in (NO_PROFORMA, ABSENT)


ROW_STATUS_LABELS = {
    EntryStatus.COUNTERSIGNED: "Countersigned",
    EntryStatus.SUBMITTED: "Awaiting countersignature",
    EntryStatus.DISPUTED: "Disputed",
    EntryStatus.DRAFT: "Draft",
    NO_PROFORMA: "No pro-forma",
    ABSENT: "Absent",
    ELSEWHERE: "Pro-forma with another team",
}


def _month_members(*, team_ids: list[int], month: date) -> QuerySet[Membership]:
    """Members of the teams during the month (dated memberships, not Worker.team) who should have a
    pro-forma: case-holding and not in a position that has none."""
    return (
        memberships_in_month(month=month)
        .filter(team_id__in=team_ids, worker__case_holding=True)
        .exclude(worker__position__in=NO_PROFORMA_POSITIONS)
    )


def _month_entries(*, team_ids: list[int], month: date) -> QuerySet[ProformaEntry]:
    """Current entries of the month that belong to the teams, and those of the teams' members that were
    started in another team (a worker who moved during the month has one pro-forma, in one team)."""
    members = _month_members(team_ids=team_ids, month=month).values("worker_id")
    return ProformaEntry.objects.current().filter(month=month).filter(Q(team_id__in=team_ids) | Q(worker_id__in=members))


def _long_absent_ids(*, worker_ids: Iterable[int], month: date) -> set[int]:
    """Workers on a long absence (POLICIES R14) at the month's end (one query)."""
    end = month_end(month)
    return {
        absence.worker_id
        for absence in Absence.objects.filter(worker_id__in=list(worker_ids), start__lte=end).filter(
            Q(actual_return__isnull=True) | Q(actual_return__gt=end)
        )
        if long_absent(absence, end)
    }


def _row_status(*, team_id: int, entry_team_id: int | None, entry_status: str | None, absent: bool) -> str:
    """A worker's status on a team's month: their pro-forma's status when it is this team's, "elsewhere" when
    it was started in another team, else absent or no pro-forma. The team month and the home page's counts
    both decide it here, so they agree."""
    if entry_team_id == team_id:
        return entry_status
    if entry_team_id is not None:
        return ELSEWHERE
    return ABSENT if absent else NO_PROFORMA


@dataclass
class TeamMonthSummary:
    team: Team
    month: date
    rows: list[TeamMonthRow]
    team_month: TeamMonth | None
    figures: TeamFigures  # children, family groups, unallocated children: the snapshot, as on every page
    scheme_label: str
    band_choices: list[tuple[str, str]]
    managers: list
    headcount: int = 0
    wte_total: Decimal = Decimal(0)
    children_total: int = 0  # from the pro-formas ("Number of children" column), not the snapshot
    family_groups_total: int = 0
    band_counts: list[tuple[str, str, int]] = field(default_factory=list)
    not_scored: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)
    scheme_slug: str = ""  # the scheme version in force, e.g. "swindon-cws-v1" (data, never printed)

    @property
    def extra_duty_rows(self) -> list[TeamMonthRow]:
        return [row for row in self.rows if row.entry and row.entry.extra_duty_hours]

    @property
    def unallocated_cases(self) -> int | None:
        """The team pro-forma field: as the TM recorded it, else pre-filled with M15a from the snapshot
        (REPORTS.md (b)), counted in children like every unallocated figure (REP-1)."""
        if self.team_month and self.team_month.unallocated_cases is not None:
            return self.team_month.unallocated_cases
        return self.figures.unallocated_children

    @property
    def date_completed(self) -> date | None:
        dates = [row.entry.date_of_score for row in self.rows if row.entry and row.entry.date_of_score]
        return max(dates) if dates else None


def team_month_summary(*, team: Team, month: date, today: date | None = None) -> TeamMonthSummary:
    """One row per worker who was a member of the team during the month (dated memberships), with the
    REPORTS.md (b) columns; a worker who moved keeps their old month in the old team.

    A fixed number of queries whatever the team size: entries (with workers and teams), the other
    members, absences, the team-month fields, the snapshot figures, the scheme and the managers."""
    today = today or timezone.localdate()
    entries = list(_month_entries(team_ids=[team.pk], month=month).select_related("worker", "team"))
    by_worker = {entry.worker_id: entry for entry in entries}
    workers = {entry.worker_id: entry.worker for entry in entries}
    members = _month_members(team_ids=[team.pk], month=month).values("worker_id")
    for worker in Worker.objects.filter(pk__in=members).exclude(pk__in=list(workers)):
        workers[worker.pk] = worker
    absent = _long_absent_ids(worker_ids=workers, month=month)
    rows = []
    for worker in sorted(workers.values(), key=lambda w: (w.surname.lower(), w.first_name.lower(), w.pk)):
        entry = by_worker.get(worker.pk)
        status = _row_status(team_id=team.pk, entry_team_id=entry.team_id if entry else None,
                             entry_status=entry.status if entry else None, absent=worker.pk in absent)
        label = ROW_STATUS_LABELS[status]
        if status == ELSEWHERE:
            label = f"Pro-forma with {entry.team.name}"
            rows.append(TeamMonthRow(worker=worker, entry=None, status=status, status_label=label, other_entry=entry))
        else:
            rows.append(TeamMonthRow(worker=worker, entry=entry, status=status, status_label=label))
    assignment = team_scheme_on(team=team, month=month)
    tables = scheme_tables(assignment.scheme_version) if assignment else None
    band_choices = [(rule.code, rule.label) for rule in tables.bands] if tables else []
    counts = Counter(row.entry.band for row in rows if row.entry and row.status == EntryStatus.COUNTERSIGNED)
    summary = TeamMonthSummary(
        team=team,
        month=month,
        rows=rows,
        team_month=TeamMonth.objects.filter(team=team, month=month).select_related("service_manager_comment_by").first(),
        figures=team_figures(team=team, day=min(today, month_end(month))),
        scheme_label=assignment.scheme_version.label if assignment else "",
        band_choices=band_choices,
        managers=list(team.managers.order_by("last_name", "first_name")),
    )
    summary.scheme_slug = assignment.scheme_version.slug if assignment else ""
    present = [row for row in rows if row.status not in (ABSENT, ELSEWHERE)]
    summary.headcount = len(present)
    summary.wte_total = sum((row.wte for row in present), Decimal(0))
    summary.children_total = sum(row.entry.children_count for row in rows if row.entry)
    summary.family_groups_total = sum(row.entry.family_groups for row in rows if row.entry)
    summary.band_counts = [(code, label, counts.get(code, 0)) for code, label in band_choices]
    summary.not_scored = len(present) - sum(counts.values())
    summary.status_counts = dict(Counter(row.status for row in rows))
    return summary


def team_month_progress(*, teams: list[Team], month: date) -> dict[int, dict[str, int]]:
    """Per team: how many workers of the month are in each status, as the team month counts them
    (members by dated membership; "none" = no pro-forma). Three queries whatever the number of teams:
    the month's entries, the members, and the members' absences."""
    team_ids = [t.pk for t in teams]
    entries = {
        worker_id: (team_id, status)
        for worker_id, team_id, status in _month_entries(team_ids=team_ids, month=month).values_list(
            "worker_id", "team_id", "status"
        )
    }
    listed: dict[int, set[int]] = defaultdict(set)  # team -> workers on its month
    for worker_id, (team_id, _status) in entries.items():
        listed[team_id].add(worker_id)
    for worker_id, team_id in _month_members(team_ids=team_ids, month=month).values_list("worker_id", "team_id"):
        listed[team_id].add(worker_id)
    without_entry = {w for workers in listed.values() for w in workers if w not in entries}
    absent = _long_absent_ids(worker_ids=without_entry, month=month) if without_entry else set()
    progress: dict[int, dict[str, int]] = {
        pk: dict.fromkeys([*EntryStatus.values, NO_PROFORMA, ABSENT, ELSEWHERE], 0) for pk in team_ids
    }
    for team_id in team_ids:
        for worker_id in listed[team_id]:
            entry_team_id, entry_status = entries.get(worker_id, (None, None))
            status = _row_status(team_id=team_id, entry_team_id=entry_team_id, entry_status=entry_status,
                                 absent=worker_id in absent)
            progress[team_id][status] += 1
    return progress


@dataclass(frozen=True)
class ToStart:
    """A worker of a team the user manages whose pro-forma for the month is not started yet."""

    worker: Worker
    team_id: int


def proformas_to_start(*, teams: QuerySet[Team], month: date, limit: int = 10) -> tuple[list[ToStart], int]:
    """The first `limit` workers of the teams (dated memberships in the month, case-holding, in a position
    that has a pro-forma) with no current pro-forma for the month, by surname; and how many more there are.

    For a team manager's home: the month's supervision starts from here in one step. One query (a window
    count), whatever the number of teams; long absences are not left out (the team month says who is away)."""
    started = ProformaEntry.objects.current().filter(month=month, worker_id=OuterRef("worker_id"))
    rows = list(
        memberships_in_month(month=month)
        .filter(team_id__in=teams.values("pk"), worker__case_holding=True, worker__is_active=True)
        .exclude(worker__position__in=NO_PROFORMA_POSITIONS)
        .exclude(Exists(started))
        .select_related("worker")
        .annotate(total=Window(Count("pk")))
        .order_by("worker__surname", "worker__first_name", "worker__pk", "team_id")[:limit]
    )
    more = rows[0].total - len(rows) if rows else 0
    listed: dict[int, ToStart] = {}  # a worker who moved team in the month is listed once, with the first team
    for membership in rows:
        listed.setdefault(membership.worker_id, ToStart(worker=membership.worker, team_id=membership.team_id))
    return list(listed.values()), more
