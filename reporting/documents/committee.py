"""The quarterly committee report (REPORTS (c) "Quarterly committee report", S002): the authority pack's
edition for a committee. No worker rows and no team returns: per service area and team, the average caseload
at each month-end of the quarter against its target with the team average RAG; per team type, the 12-month
trend (table and chart); the narrative sections the head of service or AD writes before issue
(reporting.models.CommitteeNarrative). Without the narrative the report is a draft, marked so on every page."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from reporting.committee_services import DRAFT_MARK, NARRATIVE_FIELDS, committee_narrative, narrative_complete
from reporting.documents.common import Notes, authority_name, cell, number, pick, policies_on, team_type_label
from reporting.measures import Scope, measures_for, trend_table
from reporting.measures.compute import MonthsData, values_for
from reporting.measures.values import OK
from reporting.models import MeasureCode, TrendRow
from reporting.periods import Period, day_label, month_label
from reporting.svg_charts import line_chart
from workload.models import Team
from workload.workdays import add_months

NOT_WRITTEN = "Not yet written: the head of service writes this section before the report is issued."


def _average(values):
    m01, m08 = pick(values, "M01"), pick(values, "M08")
    return m08 if m08 is not None and (m01 is None or m01.status != OK) else m01


def context(*, period: Period) -> dict:
    months = [add_months(period.first_day, k) for k in range(3)]
    teams = list(Team.objects.active().select_related("service_area").order_by("service_area__name", "name", "pk"))
    ids = [t.pk for t in teams]
    policies = policies_on(ids, period.reporting_month)
    notes = Notes()
    data = MonthsData(ids, months)  # the quarter's three months in one set of queries
    per_month = []
    for m in months:
        month = data.month(m)
        per_month.append({t: values_for(month, Scope("team", t, month.params[t].name), [t])
                          for t in ids if t in month.params})
    areas: dict[int, list[Team]] = defaultdict(list)
    for team in teams:
        areas[team.service_area_id].append(team)
    groups = []
    for area_teams in areas.values():
        area = area_teams[0].service_area
        rows = []
        for team in area_teams:
            values = [_average(by_team.get(team.pk, [])) for by_team in per_month]
            target = next((v.target for v in values if v is not None and v.target is not None), None)
            rows.append({"name": team.name, "type": team_type_label(policies.get(team.pk)),
                         "target": number(target), "cells": [cell(v, notes) for v in values]})
        pooled = measures_for(Scope("service", area.pk, area.name), months)
        values = [_average([v for v in pooled if v.month == m]) for m in months]  # M08 for care-leaver areas
        target = next((v.target for v in values if v is not None and v.target is not None), None)
        groups.append({"area": area.name, "rows": rows,
                       "total": {"target": number(target), "cells": [cell(v, notes) for v in values]}})
    # the 12-month trend per team type and for the authority: configured-on-the-fly trend rows
    types = {}
    for policy in policies.values():
        settings = policy.settings()
        target = settings.get("target_high")
        # REPORTS (c): "M01 / M08": a care-leaver team type's average is M08 (its M01 has nobody in it)
        measure = MeasureCode.M08 if settings.get("care_leavers") else MeasureCode.M01
        types[policy.team_type] = (team_type_label(policy), None if target is None else Decimal(str(target)), measure)
    rows = [TrendRow(measure=measure, scope_kind=TrendRow.ScopeKind.TEAM_TYPE, team_type=key, label=label,
                     target=target)
            for key, (label, target, measure) in sorted(types.items(), key=lambda item: item[1][0])]
    rows.append(TrendRow(measure=MeasureCode.M01, scope_kind=TrendRow.ScopeKind.AUTHORITY, label="Whole authority"))
    trend_notes = Notes()
    trend = []
    for line in trend_table(rows, period.reporting_month):
        points = [(label, Decimal(c.display) if c is not None and c.status == OK else None)
                  for label, c in zip(line.month_labels, line.cells, strict=True)]
        trend.append({"label": line.label, "cells": [cell(c, trend_notes) for c in line.cells],
                      "target": number(line.target),
                      "chart": line_chart(points, title=f"{line.label}: average caseload", target=line.target,
                                          width=215, height=95)})
    return {
        "title": "Quarterly committee report",
        "authority": authority_name(),
        "scope_label": "whole authority",
        "period_label": f"{period.key} ({period.financial_label})",
        "month_labels": [month_label(m) for m in months],
        "groups": groups,
        "legend": notes.legend(),
        "trend": trend,
        "trend_months": [month_label(add_months(period.reporting_month, -k)) for k in range(11, -1, -1)],
        "trend_legend": trend_notes.legend(),
        **_narrative(period),
    }


def _narrative(period: Period) -> dict:
    """The sections by heading ("Not yet written" when blank), who wrote them and the draft mark."""
    narrative = committee_narrative(period.key)
    sections = {name: (getattr(narrative, name, "") or NOT_WRITTEN) for name, _ in NARRATIVE_FIELDS}
    written_by = ""
    if narrative is not None:  # stored times only (same data, same bytes): no clock
        who = narrative.author.get_full_name() or narrative.author.username
        written_by = f"Narrative by {who}, last changed {day_label(timezone.localtime(narrative.updated_at).date())}"
    return {"narrative": sections, "narrative_by": written_by,
            "draft_banner": "" if narrative_complete(narrative) else DRAFT_MARK}
