"""The quarterly authority pack (REPORTS (c) "Quarterly authority pack"): a cover page, the teams whose return
is overdue (not approved by the due date) with their state and working days overdue on the pack date, then
every approved team return in service-area and team order. An unapproved return is never printed as if
checked: it is only in the overdue list."""
from __future__ import annotations

from reporting.documents import quarterly_return
from reporting.documents.common import authority_name
from reporting.models import QuarterlyReturn
from reporting.periods import Period, day_label
from workload.models import Team
from workload.workdays import working_days_after


def context(*, period: Period) -> dict:
    teams = list(Team.objects.active().select_related("service_area").order_by("service_area__name", "name", "pk"))
    returns = {r.team_id: r for r in QuarterlyReturn.objects.filter(quarter=period.key, team__in=teams)}
    overdue, approved = [], []
    days = working_days_after(period.due_on, period.pack_on)
    for team in teams:
        record = returns.get(team.pk)
        if record is not None and record.state == QuarterlyReturn.State.APPROVED:
            approved.append(quarterly_return.context(team=team, period=period, standalone=False))
        else:
            overdue.append({
                "team": team.name, "code": team.code, "area": team.service_area.name,
                "state": record.get_state_display() if record else "Not started",
                "days": days,
            })
    return {
        "title": "Quarterly authority pack",
        "authority": authority_name(),
        "scope_label": "whole authority",
        "period_label": f"{period.key} ({period.financial_label})",
        "pack_label": day_label(period.pack_on),
        "due_label": day_label(period.due_on),
        "overdue": overdue,
        "approved": approved,
        "team_count": len(teams),
    }
