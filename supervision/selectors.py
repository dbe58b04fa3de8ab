"""Reads for pro-formas and supervision. Access rules live here: entry_get_for_user raises Http404.

Also the pure helpers that a page and a service must agree on (how an entry is turned into scoring input,
the caseload panel of REPORTS.md (a) field 6, which policy reasons are triggered, working days, the next
supervision date), so the live preview, the stored score and the submit check never drift apart.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

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
from workload.access import teams_for_user
from workload.models import (
    Absence,
    CapacityReduction,
    Position,
    Team,
    TeamPolicy,
    Worker,
)
from workload.scoring.engine import Score, score_month
from workload.scoring.inputs import CaseInput, MonthInput, WorkerInput
from workload.scoring.validate import ScoringInputError, validate_month
from workload.selectors import team_policy_on, team_scheme_on, team_unallocated_cases
from workload.workdays import add_months, month_end, working_days_after

# Positions that never have a monthly pro-forma: students co-work only and managers hold no cases
# (REPORTS.md (b): "S1 not listed"; POLICIES R01).
NO_PROFORMA_POSITIONS = (Position.STUDENT, Position.TEAM_MANAGER)
THOUSANDTH = Decimal("0.001")
LONG_ABSENCE_WORKING_DAYS = 15  # POLICIES R14 / §6 long_absence_working_days (default)


# ============================================================================================ dates


# ======================================================================================== scoring

# Scheme versions are never edited (workload.models.SchemeVersion), so their indexed tables are built once
# per process rather than once per request; the slug check guards against a reused primary key.
def scheme_tables(version):
    """The version's SchemeTables (cached for the process by SchemeVersion.tables)."""
    return version.tables()



def entry_month_input(*, tables, team_type: str, fields: Any, lines: Sequence[Any]) -> MonthInput:
    """The scoring input for an entry's fields and lines (model instances or cleaned form data).

    Only what the scheme accepts is passed: the form shows no other field, and a worker record's grade on a
    Nottinghamshire team must not become a scoring error."""

    def get(obj: Any, name: str, default: Any = None) -> Any:
        value = obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)
        return default if value is None else value

    co_share = tables.accepts_co_work_share
    return MonthInput(
        scheme=tables.slug,
        team_type=team_type,
        worker=WorkerInput(
            wte=get(fields, "wte"),
            grade=(get(fields, "grade") or None) if tables.accepts_grade else None,
            personal=tuple(get(fields, "personal", ())) if tables.accepts_personal else (),
            extra_duty_hours=get(fields, "extra_duty_hours", Decimal(0)) if tables.accepts_extra_duty_hours else Decimal(0),
            extras=tuple(get(fields, "extras", ())) if tables.accepts_extras else (),
        ),
        cases=tuple(
            CaseInput(
                children=get(line, "children"),
                category=get(line, "category", ""),
                factors=tuple(get(line, "factors", ())),
                co_worked=bool(get(line, "co_worked", False)),
                co_work_share=get(line, "co_work_share") if co_share and get(line, "co_worked", False) else None,
                reference=get(line, "reference", ""),
            )
            for line in lines
        ),
    )


def entry_score(*, tables, team_type: str, fields: Any, lines: Sequence[Any]) -> Score:
    """Validate and score; raises ScoringInputError (with the spec path in .field) for bad input."""
    month = entry_month_input(tables=tables, team_type=team_type, fields=fields, lines=lines)
    validate_month(month, tables)
    return score_month(month=month, tables=tables)


def stored(value: Decimal | int | None) -> Decimal | None:
    """A figure as the database keeps it (3 decimal places), so a hash of the saved row matches the
    hash computed before saving. Scores only exceed 3 places with an odd co-working share."""
    if value is None:
        return None
    return Decimal(value).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)


def line_counts(lines: Iterable[Any]) -> tuple[int, int, int]:
    """(children, family groups, co-worked children) on the pro-forma basis: a "not allocated" line is
    scored but not counted (REP-24); co-worked lines count in full (CNT-3)."""
    children = families = coworked = 0
    for line in lines:
        get = line.get if isinstance(line, Mapping) else lambda name, line=line: getattr(line, name)
        if get("not_allocated"):
            continue
        children += get("children") or 0
        families += 1
        if get("co_worked"):
            coworked += get("children") or 0
    return children, families, coworked


# ============================================================================ policy (field 6 and 8)


@dataclass(frozen=True)
class CaseloadPanel:
    """REPORTS.md (a) field 6, from the team's caseload policy preset (POLICIES R03, R06, R10, R25)."""

    children: int
    family_groups: int
    coworked_children: int
    preset_label: str = ""
    expected_low: Decimal | None = None
    expected_high: Decimal | None = None
    expected_note: str = ""
    maximum: Decimal | None = None
    threshold_basis: str = ""
    over_maximum: bool = False
    deviation: str = ""  # "higher", "lower" or ""
    reduction_percent: int | None = None
    reduction_until: date | None = None
    reduced_max_points: Decimal | None = None

    @property
    def has_expected(self) -> bool:
        return self.expected_low is not None


# The scheme's upper "sustainable" threshold for the R25 note (POL-25), first key present wins.
_UPPER_THRESHOLD_KEYS = ("max_points", "sustainable_max", "bandwidth_max", "target_max")


def caseload_panel(
    *,
    worker: Worker,
    wte: Decimal,
    position: str,
    lines: Sequence[Any],
    policy: TeamPolicy | None,
    reductions: Sequence[CapacityReduction],
    on: date,
    band_thresholds: Mapping[str, Any] | None = None,
) -> CaseloadPanel:
    """The caseload panel and its two policy checks: deviation from the expected caseload (R06, with the
    ASYE agreed level of R10 and the POL-8 tolerance) and over the maximum (R03, on the preset's
    threshold_basis). An R25 reduction active on `on` scales the expected caseload and the maximum."""
    children, families, coworked = line_counts(lines)
    base = CaseloadPanel(children=children, family_groups=families, coworked_children=coworked)
    if policy is None:
        return base
    preset = policy.preset
    team_type = preset.team_type(policy.team_type)
    reduction = next((r for r in reductions if r.start <= on <= r.end), None)
    factor = Decimal(1) - Decimal(reduction.reduction_percent) / 100 if reduction else Decimal(1)
    tolerance = Decimal(str(preset.data.get("deviation_tolerance", "0.10")))
    wte = Decimal(wte)
    low = high = None
    note = ""
    target_low, target_high = team_type.get("target_low"), team_type.get("target_high")
    if target_high is not None:
        target_low = Decimal(str(target_low if target_low is not None else target_high))
        target_high = Decimal(str(target_high))
        is_asye = position == Position.ASYE or worker.is_asye_on(on)
        if is_asye:
            ratio = Decimal(str(preset.data.get("asye_ratio_default", "0.5")))
            agreed = ratio * target_high * wte * factor
            low, high = agreed * (1 - tolerance), agreed * (1 + tolerance)
            note = f"ASYE agreed level {_plain(agreed)} ({_plain(ratio * 100)} % of {_plain(target_high)} × WTE)"
        elif target_low == target_high:
            low = target_high * wte * factor * (1 - tolerance)
            high = target_high * wte * factor * (1 + tolerance)
            note = f"{_plain(target_high)} × WTE ± {_plain(tolerance * 100)} %"
        else:
            low, high = target_low * wte * factor, target_high * wte * factor
            note = f"{_plain(target_low)}–{_plain(target_high)} × WTE"
    basis = preset.data.get("threshold_basis", "pro_rata")
    maximum = team_type.get("max")
    maximum = None if maximum is None else Decimal(str(maximum)) * (wte if basis == "pro_rata" else 1) * factor
    deviation = ""
    if low is not None:
        if children > high and not worker.non_statutory:  # POL-20: non-statutory workers may carry more
            deviation = "higher"
        elif children < low:
            deviation = "lower"
    reduced_max = None
    if reduction and band_thresholds:
        key = next((k for k in _UPPER_THRESHOLD_KEYS if k in band_thresholds), None)
        if key:
            reduced_max = Decimal(str(band_thresholds[key])) * factor
    return CaseloadPanel(
        children=children,
        family_groups=families,
        coworked_children=coworked,
        preset_label=preset.label,
        expected_low=low,
        expected_high=high,
        expected_note=note,
        maximum=maximum,
        threshold_basis=basis,
        over_maximum=maximum is not None and children > maximum,
        deviation=deviation,
        reduction_percent=reduction.reduction_percent if reduction else None,
        reduction_until=reduction.end if reduction else None,
        reduced_max_points=reduced_max,
    )


def _plain(value: Decimal) -> str:
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# The reasons of REPORTS.md (a) fields 3 and 8, by the field that holds them.
REASON_FIELDS = {
    "extra_duty_explanation": "extra_duty",
    "deviation_reason": "deviation",
    "over_max_reason": "over_max",
    "over_max_until": "over_max",
    "over_max_review_on": "over_max",
    "demanding_until": "demanding",
    "high_priorities": "high",
    "over_capacity_reason": "over_capacity",
    "remedial_action": "remedial",
}


def policy_triggers(
    *, band: str | None, extra_duty_hours: Decimal | None, panel: CaseloadPanel, previous_band: str | None
) -> frozenset[str]:
    """Which policy reasons this month needs (REPORTS.md (a) field 8; shown only when triggered)."""
    triggers = set()
    if extra_duty_hours:
        triggers.add("extra_duty")
    if panel.deviation:
        triggers.add("deviation")  # R06
    if panel.over_maximum:
        triggers.add("over_max")  # R03
    if band == "demanding":
        triggers.add("demanding")  # R21
    if band == "high":
        triggers.add("high")  # R22
    if band == "over_capacity":
        triggers.add("over_capacity")  # R23
        if previous_band == "over_capacity":
            triggers.add("remedial")  # R23, two consecutive months (POL-11)
    return frozenset(triggers)


def required_reason_errors(*, entry: ProformaEntry, triggers: frozenset[str], panel: CaseloadPanel) -> dict[str, str]:
    """Field -> message for every triggered reason left blank, plus fields 2 and 7 (required on submit)."""
    errors: dict[str, str] = {}
    end = month_end(entry.month)
    if entry.date_of_score is None:
        errors["date_of_score"] = "Enter the date of the score (the supervision date)."
    elif not entry.month <= entry.date_of_score <= end:
        errors["date_of_score"] = f"The date of score must be in {entry.month:%B %Y}."
    if entry.workload_manageable is None:
        errors["workload_manageable"] = "Say whether the workload is manageable in the hours worked."
    if not entry.workload_comment.strip():
        errors["workload_comment"] = "Give detail on the workload (field 7); it is required before submitting."
    if "extra_duty" in triggers and not entry.extra_duty_explanation.strip():
        errors["extra_duty_explanation"] = (
            f"Explain the {_plain(entry.extra_duty_hours)} hours of extra duties; it is required when hours are entered."
        )
    if "deviation" in triggers and not entry.deviation_reason.strip():
        errors["deviation_reason"] = (
            f"{panel.children} children is {panel.deviation} than the expected caseload "
            f"({_plain(panel.expected_low.quantize(Decimal('0.01')))}–{_plain(panel.expected_high.quantize(Decimal('0.01')))}): "
            "record the reason agreed in supervision (POLICIES R06)."
        )
    if "over_max" in triggers:
        limit = _plain(panel.maximum.quantize(Decimal("0.01")))
        if not entry.over_max_reason.strip():
            errors["over_max_reason"] = f"{panel.children} children is over the maximum of {limit}: record the reason (R03)."
        if entry.over_max_until is None:
            errors["over_max_until"] = "Set a time limit for holding more than the maximum (R03)."
        if entry.over_max_review_on is None:
            errors["over_max_review_on"] = "Set a review date (R03)."
    if "demanding" in triggers:
        if entry.demanding_until is None:
            errors["demanding_until"] = "Demanding band: record until when the worker may hold this level (R21)."
        elif entry.date_of_score and entry.demanding_until < entry.date_of_score:
            errors["demanding_until"] = "The end date must not be before the date of score."
    if "high" in triggers and not entry.high_priorities.strip():
        errors["high_priorities"] = "High band: record the agreed priorities and how the workload will be managed (R22)."
    if "over_capacity" in triggers and not entry.over_capacity_reason.strip():
        errors["over_capacity_reason"] = "Over capacity: record this month's reason (R23)."
    if "remedial" in triggers and not entry.remedial_action.strip():
        errors["remedial_action"] = "Over capacity two months running: record the remedial action (R23)."
    return errors


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


ROW_STATUS_LABELS = {
    EntryStatus.COUNTERSIGNED: "Countersigned",
    EntryStatus.SUBMITTED: "Awaiting countersignature",
    EntryStatus.DISPUTED: "Disputed",
    EntryStatus.DRAFT: "Draft",
    "none": "No pro-forma",
    "absent": "Absent",
}


@dataclass
class TeamMonthSummary:
    team: Team
    month: date
    rows: list[TeamMonthRow]
    team_month: TeamMonth | None
    unallocated_now: int
    scheme_label: str
    band_choices: list[tuple[str, str]]
    managers: list
    headcount: int = 0
    wte_total: Decimal = Decimal(0)
    children_total: int = 0
    band_counts: list[tuple[str, str, int]] = field(default_factory=list)
    not_scored: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def extra_duty_rows(self) -> list[TeamMonthRow]:
        return [row for row in self.rows if row.entry and row.entry.extra_duty_hours]

    @property
    def unallocated_cases(self) -> int:
        if self.team_month and self.team_month.unallocated_cases is not None:
            return self.team_month.unallocated_cases
        return self.unallocated_now

    @property
    def date_completed(self) -> date | None:
        dates = [row.entry.date_of_score for row in self.rows if row.entry and row.entry.date_of_score]
        return max(dates) if dates else None


def _long_absent(absence: Absence, on: date) -> bool:
    """POLICIES R14: an absence expected to exceed 15 working days, or one without an expected end that
    has passed them, on the date."""
    if absence.start > on or (absence.actual_return and absence.actual_return <= on):
        return False
    if absence.expected_return:
        return working_days_after(absence.start, absence.expected_return) > LONG_ABSENCE_WORKING_DAYS
    return working_days_after(absence.start, on) >= LONG_ABSENCE_WORKING_DAYS


def team_month_summary(*, team: Team, month: date, today: date | None = None) -> TeamMonthSummary:
    """One row per in-scope worker of the team for the month with the REPORTS.md (b) columns.

    A fixed number of queries whatever the team size: entries (with workers), the other workers,
    absences, the team-month fields, the unallocated count, the scheme and the managers."""
    end = month_end(month)
    entries = list(
        ProformaEntry.objects.current().filter(team=team, month=month).select_related("worker")
    )
    by_worker = {entry.worker_id: entry for entry in entries}
    workers = {entry.worker_id: entry.worker for entry in entries}
    for worker in (
        Worker.objects.filter(team=team, is_active=True, case_holding=True)
        .exclude(position__in=NO_PROFORMA_POSITIONS)
        .exclude(pk__in=list(workers))
    ):
        workers[worker.pk] = worker
    absent = {
        absence.worker_id
        for absence in Absence.objects.filter(worker_id__in=list(workers), start__lte=end).filter(
            Q(actual_return__isnull=True) | Q(actual_return__gt=end)
        )
        if _long_absent(absence, end)
    }
    rows = []
    for worker in sorted(workers.values(), key=lambda w: (w.surname.lower(), w.first_name.lower(), w.pk)):
        entry = by_worker.get(worker.pk)
        status = entry.status if entry else ("absent" if worker.pk in absent else "none")
        rows.append(TeamMonthRow(worker=worker, entry=entry, status=status, status_label=ROW_STATUS_LABELS[status]))
    assignment = team_scheme_on(team=team, month=month)
    tables = scheme_tables(assignment.scheme_version) if assignment else None
    band_choices = [(rule.code, rule.label) for rule in tables.bands] if tables else []
    counts = Counter(row.entry.band for row in rows if row.entry and row.status == EntryStatus.COUNTERSIGNED)
    today = today or timezone.localdate()
    summary = TeamMonthSummary(
        team=team,
        month=month,
        rows=rows,
        team_month=TeamMonth.objects.filter(team=team, month=month).first(),
        unallocated_now=team_unallocated_cases(team=team, day=min(today, end)).count(),
        scheme_label=assignment.scheme_version.label if assignment else "",
        band_choices=band_choices,
        managers=list(team.managers.order_by("last_name", "first_name")),
    )
    present = [row for row in rows if row.status != "absent"]
    summary.headcount = len(present)
    summary.wte_total = sum((row.wte for row in present), Decimal(0))
    summary.children_total = sum(row.entry.children_count for row in rows if row.entry)
    summary.band_counts = [(code, label, counts.get(code, 0)) for code, label in band_choices]
    summary.not_scored = len(present) - sum(counts.values())
    summary.status_counts = dict(Counter(row.status for row in rows))
    return summary


# ============================================================================== the entry page


@dataclass
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass
class LineChange:
    reference: str
    kind: str  # "added", "removed", "changed"
    changes: list[FieldChange]


@dataclass
class EntryDiff:
    old_revision: int
    fields: list[FieldChange]
    lines: list[LineChange]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.lines


DIFF_FIELDS = (
    "position", "is_agency", "wte", "grade", "date_of_score", "personal", "extra_duty_hours", "extra_duty_explanation",
    "extras", "case_points", "personal_points", "extra_points", "total_points", "band_label", "children_count",
    "family_groups", "workload_manageable", "workload_comment", "workload_context", "workload_action",
    "deviation_reason", "over_max_reason", "over_max_until", "over_max_review_on", "demanding_until",
    "high_priorities", "over_capacity_reason", "remedial_action", "completed_in_absence",
)
LINE_DIFF_FIELDS = ("children", "category", "factors", "co_worked", "co_work_share", "not_allocated", "points")


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, list | tuple):
        return sorted(value)
    return value


def _show(value: Any) -> str:
    """A diff value as the page shows it: exact numbers without trailing zeros, lists joined, Yes/No."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def entry_diff(*, old: ProformaEntry, old_lines: Sequence[EntryLine], new: ProformaEntry,
               new_lines: Sequence[EntryLine]) -> EntryDiff:
    """What a revision changed: fields, then lines matched by case (or by reference for manual lines)."""
    fields = [
        FieldChange(ProformaEntry._meta.get_field(name).verbose_name.capitalize() if name != "band_label" else "Band",
                    _show(getattr(old, name)), _show(getattr(new, name)))
        for name in DIFF_FIELDS
        if _norm(getattr(old, name)) != _norm(getattr(new, name))
    ]

    def key(line: EntryLine) -> Any:
        return ("case", line.case_id) if line.case_id else ("ref", line.reference)

    before = {key(line): line for line in old_lines}
    after = {key(line): line for line in new_lines}
    changes = []
    for k, line in after.items():
        previous = before.get(k)
        if previous is None:
            changes.append(LineChange(line.reference, "added", []))
            continue
        diffs = [
            FieldChange(name.replace("_", " "), _show(getattr(previous, name)), _show(getattr(line, name)))
            for name in LINE_DIFF_FIELDS
            if _norm(getattr(previous, name)) != _norm(getattr(line, name))
        ]
        if diffs:
            changes.append(LineChange(line.reference, "changed", diffs))
    changes.extend(LineChange(line.reference, "removed", []) for k, line in before.items() if k not in after)
    return EntryDiff(old_revision=old.revision, fields=fields, lines=changes)


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
        diff = entry_diff(old=old, old_lines=old_lines, new=entry, new_lines=lines)
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
    )


# ====================================================================================== the worker


def team_month_progress(*, teams: list[Team], month: date) -> dict[int, dict[str, int]]:
    """Per team: how many current entries of the month are in each status (one grouped query)."""
    rows = (
        ProformaEntry.objects.current()
        .filter(team__in=[t.pk for t in teams], month=month)
        .values("team_id", "status")
        .annotate(n=Count("pk"))
    )
    progress: dict[int, dict[str, int]] = defaultdict(lambda: {s: 0 for s in EntryStatus.values})
    for row in rows:
        progress[row["team_id"]][row["status"]] = row["n"]
    return {team.pk: dict(progress[team.pk]) for team in teams}


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


def supervision_next_due(*, worker: Worker, held_on: date) -> date:
    """When the next worker supervision is due after one held on `held_on` (POLICIES §5; docs/supervision.md):
    ASYE weekly for the first 6 weeks from the ASYE start, then fortnightly until the ASYE ends; everyone
    else monthly (same day next month)."""
    if worker.asye_start and worker.asye_start <= held_on < worker.asye_start + timedelta(weeks=6):
        return held_on + timedelta(weeks=1)
    if worker.is_asye_on(held_on) or (worker.position == Position.ASYE and worker.asye_start is None):
        return held_on + timedelta(weeks=2)
    return add_months(held_on, 1)


@dataclass
class SupervisionStatus:
    worker: Worker
    last_held: date | None
    next_due: date | None
    today: date

    @property
    def is_overdue(self) -> bool:
        return self.next_due is None or self.next_due < self.today

    @property
    def days_overdue(self) -> int | None:
        return None if self.next_due is None else max((self.today - self.next_due).days, 0)


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
    """Workers whose next supervision date has passed (or who have none recorded), most overdue first."""
    rows = [row for row in supervision_status_list(teams=teams, today=today) if row.is_overdue]
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
