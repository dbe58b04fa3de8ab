"""The weekly SMT caseload report and its monthly edition (REPORTS (d)): header, 1 authority summary, 2 team
table grouped by service area with subtotals and the authority total, 3 exceptions, 4 data quality; the
monthly edition adds the month-by-month trend table with each row's analysis (section 5, REP-29).

Figures come from the measures module: one MonthsData month for this period's snapshot and one for the previous
period's, each read per team, per service area and for the authority (pooled, never averaged)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef

from reporting.documents.common import (
    DASH,
    Cell,
    Notes,
    authority_name,
    cell,
    count_text,
    number,
    pick,
    picks,
    policies_on,
    policy_summary,
    team_maximum,
    team_type_label,
)
from reporting.measures import AUTHORITY, Scope, measure_workers, measures_for, trend_table
from reporting.measures.compute import MonthData, MonthsData, values_for
from reporting.measures.inputs import month_rows
from reporting.measures.values import OK, MeasureValue
from reporting.models import Escalation, EscalationKind, EscalationState, MeasureAnalysis, TrendRow
from reporting.periods import WEEK, Period, day_label, month_label, working_days_before
from reporting.svg_charts import line_chart
from supervision.models import EntryLine, EntryStatus, ProformaEntry
from workload.models import Allocation, AllocationRole, Team
from workload.workdays import add_months

COUNTERSIGN_REMINDER_DAYS = 5  # REP-16 default, the same wait the countersignature reminder uses


@dataclass(frozen=True)
class _Teams(Scope):
    """A set of teams for the measures' drill-down (the teams sharing one maximum)."""

    ids: tuple[int, ...] = ()

    def team_ids(self) -> list[int]:
        return list(self.ids)


@dataclass(frozen=True)
class TableRow:
    kind: str  # team | subtotal | total
    name: str
    team_type: str
    target: str
    maximum: str
    fte: str
    headcount: str
    children: str
    average: Cell
    per_fte: str
    delta: str
    range: Cell
    over_max: Cell
    asye: str
    unallocated: str
    vacant: str
    managers: Cell
    escalations: Cell


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: Cell
    target: str
    last: str
    change: str


def _delta(now: MeasureValue | None, before: MeasureValue | None) -> str:
    """Difference of the rounded (displayed) averages, with an arrow (REPORTS (d) "Δ last week")."""
    if now is None or before is None or now.status != OK or before.status != OK:
        return DASH
    change = Decimal(now.display) - Decimal(before.display)
    if change == 0:
        return "= 0"
    return f"{'▲' if change > 0 else '▼'} {change:+}"


def _average(values: list[MeasureValue]) -> MeasureValue | None:
    """M01, or M08 for a care-leaver team (whose M01 has nobody in it)."""
    m01, m08 = pick(values, "M01"), pick(values, "M08")
    return m08 if m08 is not None and (m01 is None or m01.status != OK) else m01


def _table_row(kind, name, values, before, notes, *, policy=None, team_type="") -> TableRow:
    avg = _average(values)
    avg_before = pick(before, avg.measure) if avg is not None and before else None
    ok = avg is not None and avg.status == OK
    maximum = team_maximum(policy) if kind == "team" else None
    counts = picks(values, "M09" if avg is not None and avg.measure == "M08" else "M04")
    over = next((v for v in counts if maximum is not None and v.threshold == maximum), counts[0] if counts else None)
    asye = next(iter(picks(values, "M05")), None)
    m15, m16 = pick(values, "M15"), pick(values, "M16")
    target = avg.target if avg is not None else None
    basis_b = False
    if kind == "team" and policy is not None:
        s = policy.settings()
        # REPORTS (d) "Children allocated": basis B (allocated, co-worked and awaiting) marked "B"
        basis_b = bool(s.get("care_leavers")) and s.get("case_basis") == "B"
        low, high = s.get("target_low"), s.get("target_high")
        target_text = DASH if high is None else (f"{low}–{high}" if low not in (None, high) else str(high))
    else:
        target_text = number(target)
    return TableRow(
        kind=kind, name=name, team_type=team_type, target=target_text,
        maximum=str(maximum) if maximum is not None else DASH,
        fte=number(avg.detail["wte"], 2) if ok else DASH,
        headcount=str(avg.detail["headcount"]) if ok else DASH,
        children=(f"{int(avg.numerator)} B" if basis_b else f"{int(avg.numerator)}") if ok else DASH,
        average=cell(avg, notes),
        per_fte=avg.detail["dfe_display"] if ok and avg.basis == "headcount" else "",
        delta=_delta(avg, avg_before),
        range=cell(pick(values, "M03"), notes),
        over_max=cell(over, notes, text=count_text(over)) if over is not None else Cell(DASH),
        asye=(f"{int(asye.denominator)} / {int(asye.value)}" if asye is not None and asye.status == OK else DASH),
        unallocated=(f"{m15.detail['unallocated']} / {m15.detail['held_by_absent']}"
                     if m15 is not None and m15.status == OK else DASH),
        vacant=(f"{number(m16.detail['vacant_fte'], 2)} / {number(m16.detail['agency_fte'], 2)}"
                if m16 is not None and m16.status == OK else DASH),
        managers=cell(pick(values, "M17"), notes),
        escalations=cell(pick(values, "M18"), notes, text=count_text(pick(values, "M18"))),
    )


def _summary(values, before, notes) -> list[SummaryRow]:
    """Section 1: one line per measure for the authority, with last period's figure and the change."""
    rows = []

    def add(value, label=None, text=None, before_text=None):
        if value is None:
            return
        prior = pick(before, value.measure, value.threshold) if before else None
        change = DASH
        if value.status == OK and prior is not None and prior.status == OK and value.value is not None \
                and prior.value is not None and value.measure in ("M01", "M08"):
            change = _delta(value, prior)
        elif value.status == OK and prior is not None and prior.status == OK and value.value is not None \
                and prior.value is not None:
            diff = int(value.value) - int(prior.value)
            change = "= 0" if diff == 0 else f"{'▲' if diff > 0 else '▼'} {diff:+}"
        last = (before_text(prior) if before_text and prior is not None and prior.status == OK
                else (prior.display if prior is not None else DASH))
        rows.append(SummaryRow(label or value.label, cell(value, notes, text=text(value) if text and value.status == OK
                                                            else None),
                               number(value.target) if value.target is not None else DASH, last, change))

    m01 = pick(values, "M01")
    if m01 is not None:
        per_fte = f" ({m01.detail['dfe_display']} per FTE)" if m01.status == OK and m01.basis == "headcount" else ""
        add(m01, label="Average caseload (team average RAG)", text=lambda v: v.display + per_fte)
    for measure in ("M04", "M05", "M06", "M08", "M09"):
        for value in picks(values, measure):
            add(value)
    for measure in ("M15", "M16", "M17", "M18"):
        add(pick(values, measure))
    return rows


def _exceptions(teams, policies, period_month, window, snapshot_on) -> list[dict]:
    """Section 3: workers over their team's maximum (the measures' drill-down), with their escalations."""
    escalations: dict[int, dict[str, Escalation]] = defaultdict(dict)
    for esc in Escalation.objects.open_on(snapshot_on).filter(
        kind__in=(EscalationKind.HOS_AGREEMENT, EscalationKind.SUSTAINED), worker__isnull=False
    ).order_by("opened_on", "pk"):
        escalations[esc.worker_id][esc.kind] = esc
    by_maximum: dict[int, list[Team]] = defaultdict(list)
    for team in teams:
        maximum = team_maximum(policies.get(team.pk))
        if maximum is not None:
            by_maximum[maximum].append(team)
    names = {t.pk: t.name for t in teams}
    found = []
    for maximum, group in sorted(by_maximum.items()):  # one drill-down per maximum, not per team
        scope = _Teams("teams", None, "teams", tuple(t.pk for t in group))
        found += [(worker, maximum) for worker in measure_workers(scope, period_month, "M04", maximum, window)]
    order = {t.pk: i for i, t in enumerate(teams)}
    team_of = {t.code: t for t in teams}
    found.sort(key=lambda item: order[team_of[item[0]["team_code"]].pk])  # stable: the drill-down's order within a team
    rows = []
    for worker, maximum in found:
        team = team_of[worker["team_code"]]
        esc = escalations.get(worker["worker_id"], {})
        agreement, sustained = esc.get(EscalationKind.HOS_AGREEMENT), esc.get(EscalationKind.SUSTAINED)
        first = min((e.first_over_on for e in esc.values()), default=None)
        if agreement is None:
            agreed = "not needed" if not sustained else DASH
        elif agreement.state == EscalationState.AGREED:
            agreed = f"yes ({day_label(agreement.agreed_on)})" if agreement.agreed_on else "yes"
        elif agreement.state == EscalationState.REFUSED:
            agreed = "refused"
        else:
            agreed = "pending"
        review = next((e.review_on for e in esc.values() if e.review_on), None)
        policy_basis = policies[team.pk].settings().get("threshold_basis", "pro_rata")
        limit = Decimal(maximum) * worker["wte"] if policy_basis == "pro_rata" else Decimal(maximum)
        rows.append({
            "team": names[team.pk], "initials": worker["initials"], "wte": number(worker["wte"], 2),
            "cases": worker["allocated_children"], "threshold": number(limit, 1),
            "first_over": day_label(first) if first else "not recorded",
            "days_over": (snapshot_on - first).days if first else DASH,
            "agreement": agreed, "review": day_label(review) if review else DASH,
            "escalated": day_label(sustained.opened_on) if sustained else "no",
        })
    return rows


def _data_quality(teams, data: MonthData, period: Period, snapshot_on: date,
                  window: tuple[date, date] | None) -> dict:
    """Section 4: teams with no snapshot; workers with no WTE; pro-formas waiting for countersignature more
    than 5 working days; workers whose pro-forma counts fewer children than their snapshot (REP-26)."""
    no_snapshot = [t.name for t in teams if t.pk not in data.dates]
    no_wte, short = [], []
    by_worker = {}
    worker_rows = month_rows(data.params, data.month, window) if data.params else None
    if worker_rows is not None:
        rows = worker_rows.rows.filter(worker_rows.available).select_related("worker", "team").order_by(
            "team__name", "worker__surname", "worker__first_name")
        for snap in rows:
            by_worker[snap.worker_id] = snap
            if not snap.wte:
                no_wte.append({"team": snap.team.name, "initials": snap.worker.initials})
        entries = list(ProformaEntry.objects.filter(
            month=data.month, is_current=True, worker_id__in=list(by_worker)
        ).exclude(status=EntryStatus.DRAFT).select_related("worker", "team").order_by("team__name", "worker__surname"))
        unscored, with_case_list = _unscored_cases(entries, by_worker)
        for entry in entries:
            snap = by_worker[entry.worker_id]
            # counts only when Caseweight holds no case list for the worker (REPORTS (d) §4)
            if entry.worker_id not in with_case_list and entry.children_count < snap.cases:
                short.append({"team": entry.team.name, "initials": entry.worker.initials,
                              "proforma": entry.children_count, "snapshot": snap.cases,
                              "difference": snap.cases - entry.children_count})
    cutoff = working_days_before(snapshot_on, COUNTERSIGN_REMINDER_DAYS)
    waiting = [
        {"team": e.team.name, "initials": e.worker.initials, "month": month_label(e.month),
         "submitted": day_label(e.submitted_at.date())}
        for e in ProformaEntry.objects.filter(
            is_current=True, status=EntryStatus.SUBMITTED, submitted_at__date__lt=cutoff,
            team_id__in=[t.pk for t in teams],
        ).select_related("worker", "team").order_by("team__name", "submitted_at", "pk")
    ]
    return {"no_snapshot": no_snapshot, "no_wte": no_wte, "waiting": waiting, "short": short,
            "unscored": unscored if worker_rows is not None else [], "proforma_month": month_label(data.month)}


def _unscored_cases(entries: list[ProformaEntry], by_worker: dict) -> tuple[list[dict], set[int]]:
    """REPORTS (d) §4 "unscored open cases" with a case list: each case the worker was allocated to or
    co-working on the day of their snapshot that no line of their pro-forma for the month names. One query
    per distinct snapshot date (a handful). Also returns the workers Caseweight holds allocations for, whose
    counts-only check is then not needed."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for entry in entries:
        by_day[by_worker[entry.worker_id].taken_on].append(entry.worker_id)
    entry_of = {e.worker_id: e for e in entries}
    found, with_list = [], set()
    month = entries[0].month if entries else None  # every entry is of the report's month
    for day, worker_ids in sorted(by_day.items()):
        allocations = (
            Allocation.objects.current_on(day)
            .filter(worker_id__in=worker_ids)
            .exclude(role=AllocationRole.AWAITING)
            .annotate(on_proforma=Exists(EntryLine.objects.filter(
                entry__worker_id=OuterRef("worker_id"), entry__month=month, entry__is_current=True,
                case_id=OuterRef("case_id"))))
            .values_list("worker_id", "case__reference", "on_proforma")
        )
        for worker_id, reference, on_proforma in allocations:
            with_list.add(worker_id)
            if not on_proforma:
                entry = entry_of[worker_id]
                found.append({"team": entry.team.name, "initials": entry.worker.initials, "reference": reference})
    found.sort(key=lambda row: (row["team"], row["initials"], row["reference"]))
    return found, with_list


def _trend_section(month: date, notes: Notes) -> list[dict]:
    """Section 5 (monthly edition): each configured trend row, its 12 months, a chart and the analysis."""
    rows = list(TrendRow.objects.select_related("team", "service_area"))
    lines = trend_table(rows, month)
    analyses = {}
    for analysis in MeasureAnalysis.objects.filter(trend_row__in=rows, month=month).order_by("created_at", "pk"):
        analyses[analysis.trend_row_id] = analysis.text  # the latest written wins
    out = []
    for line in lines:
        cells = [cell(c, notes) for c in line.cells]
        points = [(label, c.value if c is not None and c.status == OK and c.measure in ("M01", "M08", "M07")
                   else (Decimal(int(c.value)) if c is not None and c.status == OK and c.value is not None else None))
                  for label, c in zip(line.month_labels, line.cells, strict=True)]
        out.append({
            "label": line.label, "cells": cells, "target": number(line.target) if line.target is not None else DASH,
            "chart": line_chart(points, title=line.label, target=line.target, width=250, height=90),
            "analysis": analyses.get(line.row.pk, ""),
        })
    return out


def context(*, period: Period) -> dict:
    weekly = period.kind == WEEK
    month = period.reporting_month
    before_period = period.previous()
    window = (period.first_day, period.last_day) if weekly else None
    before_window = (before_period.first_day, before_period.last_day) if weekly else None
    teams = list(Team.objects.active().select_related("service_area").order_by("service_area__name", "name", "pk"))
    ids = [t.pk for t in teams]
    data = MonthsData(ids, [month], windows={month: window} if window else None).month(month)
    before_month = before_period.reporting_month
    before = MonthsData(ids, [before_month],
                        windows={before_month: before_window} if before_window else None).month(before_month)
    policies = policies_on(ids, month)
    notes = Notes()
    table: list[TableRow] = []
    areas: dict[int, list[Team]] = defaultdict(list)
    for team in teams:
        areas[team.service_area_id].append(team)
    for area_teams in areas.values():
        area = area_teams[0].service_area
        area_ids = [t.pk for t in area_teams]
        for team in area_teams:
            scope = Scope("team", team.pk, team.name)
            table.append(_table_row("team", f"{team.name} ({team.code})", values_for(data, scope, [team.pk]),
                                    values_for(before, scope, [team.pk]), notes, policy=policies.get(team.pk),
                                    team_type=team_type_label(policies.get(team.pk))))
        scope = Scope("service", area.pk, area.name)
        table.append(_table_row("subtotal", f"{area.name}: all teams", values_for(data, scope, area_ids),
                                values_for(before, scope, area_ids), notes))
    authority = values_for(data, AUTHORITY, ids)
    authority_before = values_for(before, AUTHORITY, ids)
    table.append(_table_row("total", "Whole authority", authority, authority_before, notes))
    summary_notes = Notes()
    dates = sorted(set(data.dates.values()))
    snapshot_on = period.snapshot_on
    months = [add_months(month, -k) for k in range(11, -1, -1)]
    by_month = measures_for(AUTHORITY, months)  # the chart: the authority's average at each month-end
    history = [pick([v for v in by_month if v.month == m], "M01") for m in months]
    title = "Monthly SMT caseload report" if not weekly else "Weekly SMT caseload report"
    heading = f"Social work caseloads — {period.label}"
    trend_notes = Notes()
    ctx = {
        "title": title,
        "heading": heading,
        "weekly": weekly,
        "authority": authority_name(),
        "scope_label": "whole authority",
        "period_label": f"{period.key}, {period.label}",
        "snapshot_label": (", ".join(day_label(d) for d in dates) + " (end of day)") if dates else "no snapshot",
        "previous_label": before_period.label,
        "policies": policy_summary(policies.values()),
        "summary": _summary(authority, authority_before, summary_notes),
        "summary_legend": summary_notes.legend(),
        "table": table,
        "table_legend": notes.legend(),
        "basis_b": any(row.children.endswith(" B") for row in table),
        "exceptions": _exceptions(teams, policies, month, window, snapshot_on),
        "quality": _data_quality(teams, data, period, snapshot_on, window),
        "has_data": bool(dates),
        "history_chart": line_chart(
            [(month_label(m), v.value if v is not None and v.status == OK else None) for m, v in
             zip(months, history, strict=True)],
            title="Authority average caseload, last 12 months",
            target=next((v.target for v in reversed(history) if v is not None and v.target is not None), None),
            width=330, height=110,
        ) if history else "",
        "trend": _trend_section(month, trend_notes) if not weekly else [],
        "trend_legend": trend_notes.legend(),
        "trend_months": [month_label(m) for m in months],
    }
    return ctx

