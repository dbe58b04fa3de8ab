"""Reads for pro-formas and supervision: each returns what its page needs, joined and ordered, in a fixed
number of queries. Access rules live here too: entry_get_for_user raises Http404 outside the user's scope.
The policy decisions these pages show are made by supervision.rules; selectors only read.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
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
    WorkloadConcern,
)
from supervision.rules import (
    CaseloadPanel,
    caseload_panel,
    policy_triggers,
)
from workload.access import teams_for_user
from workload.models import (
    CapacityReduction,
    Worker,
)
from workload.scoring.engine import Score
from workload.scoring.validate import ScoringInputError
from workload.selectors import (
    team_policy_on,
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

    @property
    def labelled_line_rows(self) -> list[list[tuple[str, str]]]:
        """(column label, value) per cell: a phone shows each line as a card that names every value."""
        labels = [column.label for column in line_columns()]
        return [list(zip(labels, row, strict=True)) for row in self.line_rows]


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
