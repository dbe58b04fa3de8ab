"""M21: the month-by-month trend table (REPORTS (e) M21, S000 layout): 12 months to the report month, then
the row's target. Cells follow REPORTS 1.3 "Empty cells"; months before a row's start are not started."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from reporting.measures.compute import MonthsData, values_for
from reporting.measures.inputs import team_params
from reporting.measures.scope import AUTHORITY, Scope
from reporting.measures.values import NOT_STARTED, OK, MeasureValue, rag_average
from reporting.models import TrendRow
from workload.models import Team
from workload.workdays import add_months

AVERAGES = ("M01", "M08")


@dataclass(frozen=True)
class TrendLine:
    row: TrendRow
    label: str
    months: tuple[date, ...]  # oldest first
    cells: tuple[MeasureValue | None, ...]  # one per month; None when the measure has no value there
    target: Decimal | None

    @property
    def month_labels(self) -> tuple[str, ...]:
        return tuple(f"{m:%b-%y}" for m in self.months)  # generated, never typed (REPORTS 1.1)


def _row_scope(row: TrendRow, month: date) -> tuple[Scope, list[int]]:
    if row.scope_kind == TrendRow.ScopeKind.TEAM and row.team_id:
        return Scope("team", row.team_id, row.team.name), [row.team_id]
    if row.scope_kind == TrendRow.ScopeKind.SERVICE_AREA and row.service_area_id:
        scope = Scope("service", row.service_area_id, row.service_area.name)
        return scope, scope.team_ids()
    all_ids = list(Team.objects.active().order_by("pk").values_list("pk", flat=True))
    if row.scope_kind == TrendRow.ScopeKind.TEAM_TYPE:
        ids = [t for t, p in team_params(all_ids, month).items() if p.team_type == row.team_type]
        return Scope("team_type", None, row.label), sorted(ids)
    return AUTHORITY, all_ids


def _pick(values: list[MeasureValue], row: TrendRow) -> MeasureValue | None:
    measure = "M07" if row.asye_only and row.measure == "M01" else row.measure
    for value in values:
        if value.measure == measure and (row.threshold is None or value.threshold in (None, Decimal(row.threshold))):
            return value
    return None


def trend_table(rows: Sequence[TrendRow], month: date) -> list[TrendLine]:
    """One line per configured row; the 12 months' data is loaded once (one set of grouped queries) per
    distinct teams and N, and shared between rows with the same teams and N."""
    months = tuple(add_months(month, -k) for k in range(11, -1, -1))
    loaded: dict[tuple, MonthsData] = {}
    cache: dict[tuple, list[MeasureValue]] = {}
    lines = []
    for row in rows:
        scope, ids = _row_scope(row, month)
        extra = frozenset({row.threshold}) if row.threshold is not None else frozenset()
        if (tuple(ids), extra) not in loaded:
            loaded[(tuple(ids), extra)] = MonthsData(ids, months, extra)
        data = loaded[(tuple(ids), extra)]
        cells = []
        for m in months:
            key = (tuple(ids), m, extra, scope)
            if key not in cache:
                cache[key] = values_for(data.month(m), scope, ids, thresholds=extra or None)
            cell = _pick(cache[key], row)
            if cell is not None and row.start_month and m < row.start_month:
                cell = replace(cell, value=None, display="", status=NOT_STARTED, rag="")
            elif cell is not None and row.measure in AVERAGES and row.target is not None and cell.status == OK:
                cell = replace(cell, target=row.target, rag=rag_average(Decimal(cell.display), row.target))
            cells.append(cell)
        target = row.target if row.target is not None else next((c.target for c in reversed(cells) if c), None)
        lines.append(TrendLine(row=row, label=row.label, months=months, cells=tuple(cells), target=target))
    return lines
