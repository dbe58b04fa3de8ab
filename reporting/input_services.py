"""The measure inputs people enter (docs/dashboards.md): a team's monthly figures for the child-level measures
(numerator and denominator), the trend table's rows, the analysis of a row for a month, and the conferences a
child protection adviser chaired in a week. Each write is checked, audited (supervision.audit) and atomic.

Who may enter them: administrators (the performance officer's role) for every team, heads of service for their
own teams (workload.access); trend rows and their analysis follow the row's scope (reporting/input_selectors.py).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from reporting.input_selectors import input_teams_for_user, trend_row_scope_allowed, trend_rows_for_user
from reporting.models import (
    IMPORTED_MEASURES,
    CpaConferenceCount,
    ImportedAggregate,
    MeasureAnalysis,
    TrendRow,
)
from supervision.audit import audit_event_record
from workload.models import Position, Team, Worker

# Messages people read; tests assert them exactly.
NUMERATOR_ABOVE_DENOMINATOR = "The number that met the standard ({numerator}) cannot be more than the number counted ({denominator})."
MONTH_NOT_BEGUN = "Choose a month that has begun: figures are entered for the current month or earlier."
WEEK_NOT_BEGUN = "Choose a week that has begun."
NOT_YOUR_TEAM = "You can enter figures only for your own teams."
NOT_A_CPA = "Choose a child protection adviser of one of your teams."
SCOPE_NEEDS = {
    TrendRow.ScopeKind.TEAM: ("team", "Choose the team this row is about."),
    TrendRow.ScopeKind.SERVICE_AREA: ("service_area", "Choose the service area this row is about."),
    TrendRow.ScopeKind.TEAM_TYPE: ("team_type", "Choose the team type this row is about."),
}
THRESHOLD_MEASURES = frozenset({"M04", "M05", "M06", "M09"})  # the "more than N" measures
THRESHOLD_NOT_USED = "This measure has no 'more than N' figure: leave the threshold blank."
ROW_OUTSIDE_SCOPE = ("A head of service can set up rows only for one of their teams or their service area; "
                     "an administrator sets up the others.")
ANALYSIS_REQUIRED = "Write the analysis."


def _require_team(user, team: Team) -> None:
    if not input_teams_for_user(user).filter(pk=team.pk).exists():
        raise PermissionDenied(NOT_YOUR_TEAM)


def _month_check(month: date, today: date, field: str = "month") -> None:
    if month.day != 1:
        raise ValidationError({field: "A month starts on the 1st."})
    if month > today.replace(day=1):
        raise ValidationError({field: MONTH_NOT_BEGUN})


def _values(obj, fields) -> dict:
    return {name: (str(v) if isinstance(v, date | Decimal) else v)
            for name in fields for v in [getattr(obj, name)]}


@transaction.atomic
def aggregate_save(*, team: Team, month: date, measure: str, numerator: int, denominator: int, entered_by,
                   today: date) -> ImportedAggregate:
    """Enter (or correct) a team's figures for one child-level measure and month. The percentage is never stored;
    a correction keeps the earlier figures in the audit trail."""
    _require_team(entered_by, team)
    _month_check(month, today)
    if measure not in {m.value for m in IMPORTED_MEASURES}:
        raise ValidationError({"measure": "Choose one of the listed measures."})
    if numerator > denominator:
        raise ValidationError({"numerator": NUMERATOR_ABOVE_DENOMINATOR.format(numerator=numerator,
                                                                                denominator=denominator)})
    row = (ImportedAggregate.objects.select_for_update().filter(team=team, month=month, measure=measure).first()
           or ImportedAggregate(team=team, month=month, measure=measure))
    before = _values(row, ("numerator", "denominator")) if row.pk else {}
    row.numerator, row.denominator, row.entered_by = numerator, denominator, entered_by
    row.full_clean()
    row.save()
    audit_event_record(actor=entered_by, action="inputs.figures_saved", target=row,
                       data={"team": team.pk, "month": str(month), "measure": measure, "before": before,
                             "after": _values(row, ("numerator", "denominator"))})
    return row


TREND_ROW_FIELDS = ("position", "measure", "label", "scope_kind", "team", "service_area", "team_type", "asye_only",
                    "threshold", "target", "start_month")
STORED = tuple(f"{name}_id" if name in ("team", "service_area") else name for name in TREND_ROW_FIELDS)  # audit


def _trend_row_check(row: TrendRow, user) -> None:
    errors: dict[str, str] = {}
    for kind, (field, message) in SCOPE_NEEDS.items():
        if kind != row.scope_kind:  # a scope of another kind is cleared, not kept half-set
            setattr(row, field, "" if field == "team_type" else None)
        elif not getattr(row, field):
            errors[field] = message
    if row.threshold is not None and row.measure not in THRESHOLD_MEASURES:
        errors["threshold"] = THRESHOLD_NOT_USED
    if row.start_month is not None and row.start_month.day != 1:
        errors["start_month"] = "A month starts on the 1st."
    if errors:
        raise ValidationError(errors)
    if not trend_row_scope_allowed(user, row):
        raise ValidationError({"scope_kind": ROW_OUTSIDE_SCOPE})


@transaction.atomic
def trend_row_save(*, row: TrendRow | None, saved_by, **fields) -> TrendRow:
    """Add a trend table row or change one: which measure, for which scope, with its threshold, target and label."""
    row = row or TrendRow()
    before = _values(row, STORED) if row.pk else {}
    for name, value in fields.items():
        if name not in TREND_ROW_FIELDS:
            raise TypeError(f"trend_row_save() got an unexpected field {name!r}")
        setattr(row, name, value)
    _trend_row_check(row, saved_by)
    row.full_clean()
    row.save()
    audit_event_record(actor=saved_by, action="inputs.trend_row_saved", target=row,
                       data={"before": before, "after": _values(row, STORED)})
    return row


@transaction.atomic
def analysis_add(*, trend_row: TrendRow, month: date, text: str, author, today: date) -> MeasureAnalysis:
    """Add the analysis of a trend row for a month. Analyses are never edited: a later one adds to the record."""
    if not trend_rows_for_user(author).filter(pk=trend_row.pk).exists():
        raise PermissionDenied(ROW_OUTSIDE_SCOPE)
    _month_check(month, today)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": ANALYSIS_REQUIRED})
    analysis = MeasureAnalysis(trend_row=trend_row, month=month, text=text, author=author)
    analysis.full_clean()
    analysis.save()
    audit_event_record(actor=author, action="inputs.analysis_added", target=analysis,
                       data={"trend_row": trend_row.pk, "month": str(month)})
    return analysis


@transaction.atomic
def conference_count_save(*, worker: Worker, week_start: date, conferences: int, entered_by,
                          today: date) -> CpaConferenceCount:
    """Enter (or correct) how many child protection conferences an adviser chaired in an ISO week (Monday)."""
    if worker.position != Position.CPA or worker.team_id is None:
        raise ValidationError({"worker": NOT_A_CPA})
    _require_team(entered_by, worker.team)
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": "A week starts on a Monday."})
    if week_start > today - timedelta(days=today.weekday()):
        raise ValidationError({"week_start": WEEK_NOT_BEGUN})
    row = (CpaConferenceCount.objects.select_for_update().filter(worker=worker, week_start=week_start).first()
           or CpaConferenceCount(worker=worker, week_start=week_start))
    before = {"conferences": row.conferences} if row.pk else {}
    row.conferences = conferences
    row.full_clean()
    row.save()
    audit_event_record(actor=entered_by, action="inputs.conferences_saved", target=row,
                       data={"worker": worker.pk, "week_start": str(week_start), "before": before,
                             "after": {"conferences": conferences}})
    return row

