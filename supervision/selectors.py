"""Reads for pro-formas and supervision: each returns what its page needs, joined and ordered, in a fixed
number of queries. Access rules live here too: entry_get_for_user raises Http404 outside the user's scope.
The policy decisions these pages show are made by supervision.rules; selectors only read.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from supervision.diff import EntryDiff, entry_diff
from supervision.display import Section, entry_sections, line_columns, line_rows
from supervision.entry_scoring import entry_score, scheme_tables
from supervision.hashing import content_hash
from supervision.models import (
    AuditEvent,
    Dispute,
    EntryLine,
    EntryStatus,
    ProformaEntry,
    SessionKind,
    SupervisionSession,
    TeamMonth,
    WorkloadConcern,
)
from supervision.rules import (
    NO_PROFORMA_POSITIONS,
    CaseloadPanel,
    caseload_panel,
    long_absent,
    policy_triggers,
)
from workload.access import teams_for_user
from workload.models import (
    Absence,
    CapacityReduction,
    Membership,
    Position,
    Team,
    Worker,
)
from workload.scoring.engine import Score
from workload.scoring.validate import ScoringInputError
from workload.selectors import (
    TeamFigures,
    memberships_in_month,
    team_figures,
    team_policy_on,
    team_scheme_on,
)
from workload.workdays import add_months, month_end, working_days_after

# ========================================================================================= access


def entries_for_user(user) -> QuerySet[ProformaEntry]:
    """Entries of the teams the user can see, and the user's own entries as a worker."""
    if not getattr(user, "is_authenticated", False):
        return ProformaEntry.objects.none()
    return ProformaEntry.objects.filter(Q(team__in=teams_for_user(user).values("pk")) | Q(worker__user=user))


def entry_get_for_user(*, user, pk: int) -> ProformaEntry:
    """The entry with everything its page header needs; Http404 outside the user's scope."""
    try:
        return entries_for_user(user).select_related(
            "worker", "worker__user", "team", "team__service_area", "scheme_version", "created_by", "submitted_by",
            "countersignature", "countersignature__signed_by", "supersedes", "session",
        ).get(pk=pk)
    except ProformaEntry.DoesNotExist as exc:
        raise Http404("No such pro-forma.") from exc


# ================================================================================ team month (b)


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


NO_PROFORMA, ABSENT, ELSEWHERE = "none", "absent", "elsewhere"
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
        team_month=TeamMonth.objects.filter(team=team, month=month).first(),
        figures=team_figures(team=team, day=min(today, month_end(month))),
        scheme_label=assignment.scheme_version.label if assignment else "",
        band_choices=band_choices,
        managers=list(team.managers.order_by("last_name", "first_name")),
    )
    present = [row for row in rows if row.status not in (ABSENT, ELSEWHERE)]
    summary.headcount = len(present)
    summary.wte_total = sum((row.wte for row in present), Decimal(0))
    summary.children_total = sum(row.entry.children_count for row in rows if row.entry)
    summary.family_groups_total = sum(row.entry.family_groups for row in rows if row.entry)
    summary.band_counts = [(code, label, counts.get(code, 0)) for code, label in band_choices]
    summary.not_scored = len(present) - sum(counts.values())
    summary.status_counts = dict(Counter(row.status for row in rows))
    return summary


# ============================================================================== the entry page


@dataclass
class EntryPageData:
    entry: ProformaEntry
    lines: list[EntryLine]
    tables: Any
    score: Score | None
    score_error: ScoringInputError | None
    panel: CaseloadPanel
    triggers: frozenset[str]
    previous_band: str | None
    audit_events: list[AuditEvent]
    revisions: list[ProformaEntry]
    disputes: list[Dispute]
    diff: EntryDiff | None
    sections: list[Section]  # the read-only pro-forma, from the declared field list
    line_rows: list[list[str]]
    signature_verified: bool | None  # None: not countersigned

    @property
    def line_columns(self):
        return line_columns()


def entry_reductions(*, worker_id: int, month: date) -> list[CapacityReduction]:
    return list(CapacityReduction.objects.filter(worker_id=worker_id, start__lte=month_end(month), end__gte=month))


def previous_month_band(*, worker_id: int, month: date) -> str | None:
    """The band of last month's current entry (POLICIES R23 needs two consecutive months)."""
    return (
        ProformaEntry.objects.current()
        .filter(worker_id=worker_id, month=add_months(month, -1))
        .values_list("band", flat=True)
        .first()
    )


def entry_page_data(*, entry: ProformaEntry) -> EntryPageData:
    """Everything the entry page shows, in a fixed number of queries: lines, audit trail, revisions,
    disputes, the previous revision's lines (for the diff), policy, reductions and last month's band.
    The score explanation is recomputed from the stored content (pure, no queries)."""
    tables = scheme_tables(entry.scheme_version)
    lines = list(entry.lines.order_by("position", "pk"))
    score = error = None
    try:
        score = entry_score(tables=tables, team_type=entry.team_type, fields=entry, lines=lines)
    except ScoringInputError as exc:
        error = exc
    revisions = list(
        ProformaEntry.objects.filter(worker_id=entry.worker_id, month=entry.month)
        .select_related("countersignature", "submitted_by")
        .order_by("revision")
    )
    diff = None
    if entry.supersedes_id:
        old = next(r for r in revisions if r.pk == entry.supersedes_id)
        old_lines = list(old.lines.order_by("position", "pk"))
        diff = entry_diff(old=old, old_lines=old_lines, new=entry, new_lines=lines, tables=tables)
    policy = team_policy_on(team=entry.team, month=entry.month)
    on = entry.date_of_score or min(month_end(entry.month), timezone.localdate())
    panel = caseload_panel(
        worker=entry.worker, wte=entry.wte, position=entry.position, lines=lines, policy=policy,
        reductions=entry_reductions(worker_id=entry.worker_id, month=entry.month), on=on,
        band_thresholds=score.band_thresholds if score else entry.band_thresholds,
    )
    previous_band = previous_month_band(worker_id=entry.worker_id, month=entry.month)
    band = score.band if score else (entry.band or None)
    return EntryPageData(
        entry=entry,
        lines=lines,
        tables=tables,
        score=score,
        score_error=error,
        panel=panel,
        triggers=policy_triggers(band=band, extra_duty_hours=entry.extra_duty_hours, panel=panel,
                                 previous_band=previous_band),
        previous_band=previous_band,
        audit_events=list(AuditEvent.objects.filter(entry=entry).select_related("actor").order_by("at", "pk")),
        revisions=revisions,
        disputes=list(Dispute.objects.filter(entry=entry).select_related("raised_by").order_by("-raised_at")),
        diff=diff,
        sections=entry_sections(entry, tables=tables),
        line_rows=line_rows(lines, tables=tables, team_type=entry.team_type),
        signature_verified=signature_matches(entry, lines),
    )


def signature_matches(entry: ProformaEntry, lines: Sequence[EntryLine]) -> bool | None:
    """Whether the entry's content still hashes to what its worker countersigned (None if not signed)."""
    signature = getattr(entry, "countersignature", None) if entry.status == EntryStatus.COUNTERSIGNED else None
    if signature is None:
        return None
    return content_hash(entry, lines, version=signature.hash_version) == signature.content_hash


# ====================================================================================== the worker


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


def worker_home_summary(*, worker: Worker) -> dict:
    """What a worker needs on their home page: entries awaiting their signature and their latest score."""
    entries = ProformaEntry.objects.current().filter(worker=worker).select_related("scheme_version")
    awaiting = list(entries.filter(status=EntryStatus.SUBMITTED).order_by("month"))
    latest = entries.filter(status=EntryStatus.COUNTERSIGNED).order_by("-month").first()
    counts = entries.aggregate(
        countersigned=Count("pk", filter=Q(status=EntryStatus.COUNTERSIGNED)),
        disputed=Count("pk", filter=Q(status=EntryStatus.DISPUTED)),
    )
    return {"worker": worker, "awaiting": awaiting, "latest": latest, **counts}


@dataclass
class WorkerHistory:
    entries: list[ProformaEntry]  # current revisions, oldest month first
    pending: list[ProformaEntry]  # awaiting this worker's signature
    concerns: list[WorkloadConcern]
    chart: dict[str, Any]


def worker_entry_history(*, worker: Worker) -> WorkerHistory:
    """A worker's months (current revisions), their pending signatures, concerns and the chart series:
    total points against each WTE-scaled band threshold the month was scored with."""
    entries = list(
        ProformaEntry.objects.current().filter(worker=worker).select_related("team", "scheme_version").order_by("month")
    )
    scored = [e for e in entries if e.total_points is not None]
    keys: list[str] = []
    for entry in scored:
        keys.extend(k for k in entry.band_thresholds if k not in keys)
    labels = {}
    for entry in scored:
        for code, label in scheme_tables(entry.scheme_version).threshold_keys:
            labels.setdefault(code, label.capitalize())
    chart = {
        "labels": [e.month_label for e in scored],
        "series": [
            {"key": "total", "label": "Total points", "values": [float(e.total_points) for e in scored]},
            *[
                {"key": k, "label": f"{labels.get(k, k)} (× WTE)",
                 "values": [float(e.band_thresholds[k]) if k in e.band_thresholds else None for e in scored]}
                for k in keys
            ],
        ],
    }
    return WorkerHistory(
        entries=entries,
        pending=[e for e in entries if e.status == EntryStatus.SUBMITTED],
        concerns=list(WorkloadConcern.objects.filter(worker=worker).order_by("-created_at")),
        chart=chart,
    )


# =================================================================================== supervision


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


def supervision_status_list(*, teams: Iterable[Team] | QuerySet[Team], today: date) -> list[SupervisionStatus]:
    """Every worker who should be supervised in the teams, with their last held worker supervision and the
    next due date it set (one query)."""
    held = SupervisionSession.objects.filter(worker=OuterRef("pk"), held=True, kind=SessionKind.WORKER).order_by(
        "-held_on", "-pk"
    )
    team_ids = teams.values("pk") if isinstance(teams, QuerySet) else [t.pk for t in teams]
    workers = (
        Worker.objects.filter(team__in=team_ids, is_active=True)
        .exclude(position__in=NO_PROFORMA_POSITIONS)
        .select_related("team")
        .annotate(last_held=Subquery(held.values("held_on")[:1]), next_due=Subquery(held.values("next_due")[:1]))
        .order_by("team__name", "surname", "first_name", "pk")
    )
    return [SupervisionStatus(w, w.last_held, w.next_due, today) for w in workers]


def overdue_supervisions(*, teams: Iterable[Team] | QuerySet[Team], today: date) -> list[SupervisionStatus]:
    """Workers whose supervision is due today or overdue (or who have none recorded), most overdue first."""
    rows = [row for row in supervision_status_list(teams=teams, today=today) if row.is_due]
    return sorted(rows, key=lambda r: (r.next_due is not None, r.next_due or date.min, r.worker.surname))


def recent_sessions(*, teams: Iterable[Team] | QuerySet[Team], limit: int = 20) -> list[SupervisionSession]:
    team_ids = teams.values("pk") if isinstance(teams, QuerySet) else [t.pk for t in teams]
    return list(
        SupervisionSession.objects.filter(worker__team__in=team_ids)
        .select_related("worker", "supervisor")
        .order_by("-held_on", "-pk")[:limit]
    )


def entries_awaiting_countersign(*, today: date, after_working_days: int) -> list[int]:
    """Ids of current entries submitted more than N working days before today and still unsigned."""
    rows = ProformaEntry.objects.current().submitted().values_list("pk", "submitted_at")
    return [
        pk for pk, submitted_at in rows
        if submitted_at and working_days_after(timezone.localtime(submitted_at).date(), today) > after_working_days
    ]


@dataclass
class EntryPreview:
    """The live score of a form that has not been saved."""

    score: Score | None
    error: ScoringInputError | None
    panel: CaseloadPanel
    triggers: frozenset[str]


def entry_preview(*, entry: ProformaEntry, fields: Mapping[str, Any], lines: Sequence[Mapping[str, Any]]) -> EntryPreview:
    """Score the form's values without saving: the same engine, panel and triggers as a save or a submit.

    Three queries (policy, reductions, last month's band) whatever the number of lines."""
    tables = scheme_tables(entry.scheme_version)
    values = {name: fields.get(name, getattr(entry, name)) for name in
              ("wte", "grade", "personal", "extra_duty_hours", "extras", "position", "date_of_score")}
    score = error = None
    try:
        score = entry_score(tables=tables, team_type=entry.team_type, fields=values, lines=lines)
    except ScoringInputError as exc:
        error = exc
    panel = caseload_panel(
        worker=entry.worker, wte=values["wte"], position=values["position"], lines=lines,
        policy=team_policy_on(team=entry.team, month=entry.month),
        reductions=entry_reductions(worker_id=entry.worker_id, month=entry.month),
        on=values["date_of_score"] or min(month_end(entry.month), timezone.localdate()),
        band_thresholds=score.band_thresholds if score else None,
    )
    previous_band = previous_month_band(worker_id=entry.worker_id, month=entry.month)
    triggers = policy_triggers(band=score.band if score else None,
                               extra_duty_hours=values["extra_duty_hours"] if tables.accepts_extra_duty_hours else None,
                               panel=panel, previous_band=previous_band)
    return EntryPreview(score=score, error=error, panel=panel, triggers=triggers)
