"""The dashboard inputs stage: what a performance officer keys in, so the demo's dashboards are not empty.

- M11–M14 are child-level measures the application cannot compute (REP-14): a numerator and denominator per
  team and month, drawn here around the figures S001 reports (case supervision 46–72 %, ICPC in 15 working days
  33–71 %, CP visits 72–94 %, looked-after visits 85–96 %).
- The escalations open on the latest snapshot, found by the daily task's own evaluation, and for the older ones
  the head of service's agreement and the team manager's action plan, through the escalation services.
- The month-by-month trend rows (M21) in S000's layout: the authority's average caseload, each team type's
  average and "more than N" count at the preset's reporting threshold, and the ASYE rows (12 cases, PERF_2017's
  figure), with one analysis note on the latest month.
"""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from reporting.escalation_services import escalation_action_plan_record, escalation_decide
from reporting.escalations import escalations_evaluate
from reporting.models import (
    Escalation,
    EscalationKind,
    EscalationState,
    ImportedAggregate,
    MeasureAnalysis,
    MeasureCode,
    TrendRow,
)
from workload.models import CaseloadSnapshot

from .draws import add_months
from .state import BuildState

# measure -> (children per team and month as a share of its caseload, lowest and highest % in timescale)
AGGREGATE_RATES = {
    MeasureCode.M11: (Decimal("1.0"), 46, 72),
    MeasureCode.M12: (Decimal("0.03"), 33, 71),
    MeasureCode.M13: (Decimal("0.25"), 72, 94),
    MeasureCode.M14: (Decimal("0.30"), 85, 96),
}
ASYE_THRESHOLD = 12


class DashboardInputStage(BuildState):
    """Writes imported aggregates for every team and past month, and the authority's trend rows."""

    def write_dashboard_inputs(self) -> None:
        rng = random.Random(self.seed + 6)
        open_children = [0] * len(self.teams)  # children open to each team today: the size of its caseload
        for case in self.factory.cases:
            if case.opened <= self.today and (case.closed is None or case.closed > self.today):
                open_children[case.team] += case.children
        children_per_team = [max(10, n) for n in open_children]
        rows = []
        past = [month for month in self.months if month < self.today.replace(day=1)]
        for index, team_row in enumerate(self.team_rows):
            for step, month in enumerate(past):
                # Rates improve over the year as S001's do: from the low figure towards the high one.
                progress = step / max(1, len(past) - 1)
                for measure, (share, low, high) in AGGREGATE_RATES.items():
                    denominator = max(1, int(children_per_team[index] * share))
                    percent = low + (high - low) * progress + rng.uniform(-4, 4)
                    numerator = min(denominator, max(0, round(denominator * percent / 100)))
                    rows.append(ImportedAggregate(team=team_row, month=month, measure=measure,
                                                  numerator=numerator, denominator=denominator))
        ImportedAggregate.objects.bulk_create(rows, batch_size=self.batch)
        self.write_trend_rows(start=past[0] if past else self.months[0])
        self.write_escalations()

    def write_escalations(self) -> None:
        """The escalations the daily task would hold open today, found by the task's own evaluation over the
        written snapshots (not invented), without emailing anyone; then what the managers did about the older
        ones, so the demo's record is one of action, not months of silence."""
        latest = CaseloadSnapshot.objects.order_by("-taken_on").values_list("taken_on", flat=True).first()
        if latest is not None:
            escalations_evaluate(on=latest, notify=False)
            self.act_on_escalations(latest)

    def act_on_escalations(self, latest) -> None:
        """Escalations whose action was due more than two weeks before the latest snapshot get, through the
        same services people use (rules, history and audit): the head of service's agreement (R04) two days
        before it was due, until six weeks after the latest snapshot, and the team manager's action plan the
        same day, reviewed two weeks after the latest snapshot. The newer ones stay waiting, so the dashboards
        and the head of service's list still show work to do."""
        cutoff = latest - timedelta(days=14)
        waiting = (Escalation.objects.filter(closed_on__isnull=True, state=EscalationState.OPEN, due_on__lt=cutoff)
                   .select_related("team__service_area__head_of_service", "worker").order_by("opened_on", "pk"))
        for escalation in waiting:
            head = escalation.team.service_area.head_of_service
            manager = escalation.team.managers.order_by("pk").first()
            acted = max(escalation.opened_on, escalation.due_on - timedelta(days=2))
            target, review = latest + timedelta(days=42), latest + timedelta(days=14)
            if escalation.kind in (EscalationKind.HOS_AGREEMENT, EscalationKind.TEAM_ABOVE_TARGET):
                if head is None:
                    continue
                escalation = escalation_decide(
                    escalation=escalation, user=head, agree=True, until=target, today=acted,
                    comment="Agreed while the team's two vacancies are filled; reviewed at each supervision.")
            if manager is not None:
                escalation_action_plan_record(
                    escalation=escalation, user=manager, today=acted, target_on=target, review_on=review,
                    owner_name=manager.get_full_name() or manager.username,
                    actions="No new allocations until back under the threshold; two cases to transfer at the "
                            "next allocation meeting.")

    def write_trend_rows(self, *, start) -> None:
        rows = [TrendRow(position=0, measure=MeasureCode.M01, label="Average caseload – authority",
                         scope_kind=TrendRow.ScopeKind.AUTHORITY, start_month=start)]
        seen: dict[str, int] = {}
        for policy in self.policy_rows:
            settings = policy.settings()
            if policy.team_type in seen:
                continue
            seen[policy.team_type] = len(seen)
            label = settings.get("label", policy.team_type)
            target = settings.get("target_high")
            care_leavers = settings.get("care_leavers", False)
            average, count = (MeasureCode.M08, MeasureCode.M09) if care_leavers else (MeasureCode.M01, MeasureCode.M04)
            rows.append(TrendRow(position=len(rows), measure=average, label=f"Average caseload – {label}",
                                 scope_kind=TrendRow.ScopeKind.TEAM_TYPE, team_type=policy.team_type,
                                 target=Decimal(str(target)) if target is not None else None, start_month=start))
            for threshold in settings.get("reporting_thresholds", []):
                rows.append(TrendRow(position=len(rows), measure=count,
                                     label=f"Workers with more than {threshold} cases – {label}",
                                     scope_kind=TrendRow.ScopeKind.TEAM_TYPE, team_type=policy.team_type,
                                     threshold=threshold, target=Decimal(0), start_month=start))
        rows += [
            TrendRow(position=len(rows), measure=MeasureCode.M05, label=f"ASYEs with more than {ASYE_THRESHOLD} cases",
                     scope_kind=TrendRow.ScopeKind.AUTHORITY, asye_only=True, threshold=ASYE_THRESHOLD,
                     target=Decimal(0), start_month=start),
            TrendRow(position=len(rows) + 1, measure=MeasureCode.M06,
                     label=f"ASYEs with more than {ASYE_THRESHOLD} cases (%)", scope_kind=TrendRow.ScopeKind.AUTHORITY,
                     asye_only=True, threshold=ASYE_THRESHOLD, target=Decimal(0), start_month=start),
        ]
        TrendRow.objects.bulk_create(rows)
        author = next(iter(self.hos.values()), None) if self.hos else None
        last = add_months(self.today.replace(day=1), -1)
        if author is not None:
            MeasureAnalysis.objects.create(
                trend_row=TrendRow.objects.order_by("position").first(), month=last, author=author,
                text="Caseloads held steady this month. Two vacancies in the assessment teams are covered by "
                     "agency social workers until the new starters join; unallocated children fell.")
