"""The plan stage: the people and the whole case history decided in memory, sized to the children asked for.

Caseload targets come from each scheme's own points (month_input and the scoring engine), so a team on a
scheme with few points per child holds more children rather than scoring low.
"""
from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from workload.scoring.engine import score_month
from workload.scoring.inputs import CaseInput, MonthInput, WorkerInput
from workload.scoring.validate import validate_month

from .grades import full_time_grade
from .people import build_people
from .simulate import CaseFactory, Knobs, simulate
from .state import BuildState

# Children per FTE at "pressure" 1.0 stay within what UK teams hold (DfE average ~16-17); where a scheme's
# points per child are low (stable LAC, Swindon without factors) workers score low rather than hold 30.
NOMINAL_MIN, NOMINAL_MAX = 10.0, 17.0
TURNOVER_FLOOR = 0.15


def month_input(*, scheme: str, team_type: str, wte, grade: str, personal: Iterable[str], extra_duty_hours,
                extras: Iterable[str], lines: Iterable) -> MonthInput:
    """The engine's input for a pro-forma: its worker fields and its lines (model instances or alike).

    Shared with the tests, which re-score stored entries from the database with it."""
    return MonthInput(
        scheme=scheme,
        team_type=team_type,
        worker=WorkerInput(
            wte=Decimal(wte),
            grade=grade or None,
            personal=tuple(personal),
            extra_duty_hours=Decimal(extra_duty_hours or 0),
            extras=tuple(extras),
        ),
        cases=tuple(
            CaseInput(
                children=line.children,
                category=line.category,
                factors=tuple(line.factors),
                co_worked=line.co_worked,
                co_work_share=line.co_work_share,
                reference=line.reference,
            )
            for line in lines
        ),
    )


@dataclass
class _Line:
    children: int
    category: str
    factors: tuple[str, ...] = ()
    co_worked: bool = False
    co_work_share: Decimal | None = None
    reference: str = ""


class PlanStage(BuildState):
    """Decides people and case history in memory; writes nothing."""

    def plan(self) -> None:
        self.teams, self.areas, self.workers = self._people()
        knobs = self._knobs()
        if self.children:
            # The estimate in _budget is rough (ramps, caps, waiting lists): correct the caseload factor
            # from trial runs on fresh copies of the same people. Same seeds, so still deterministic.
            for _ in range(2):
                teams, _areas, workers = self._people()
                trial = simulate(random.Random(self.seed + 5), teams, workers, knobs, self.months, self.today)
                ratio = self.children / max(1, sum(c.children for c in trial.cases))
                knobs.load *= ratio
                if abs(ratio - 1) < 0.02:  # close enough: a second trial would move it by less than chance does
                    break
        self.factory: CaseFactory = simulate(random.Random(self.seed + 5), self.teams, self.workers, knobs,
                                             self.months, self.today)
        self.result.children = sum(c.children for c in self.factory.cases)

    def _people(self):
        return build_people(random.Random(self.seed), self.layout, self.months, self.today)

    def _knobs(self) -> Knobs:
        """Children per FTE per team type, from the scheme's own points, and how hard to run the authority."""
        sampler = CaseFactory(random.Random(self.seed + 1))
        nominal = {}
        used = {t.template.key: t.template for t in self.teams}
        for key, template in used.items():
            if not template.points:
                nominal[key] = template.mid_points  # caseload count: one point per child
                continue
            tables = self._tables(template.scheme)
            points = children = Decimal(0)
            for _ in range(400):
                n, category, factors = sampler.content(template)
                month = month_input(
                    scheme=template.scheme, team_type=template.team_type, wte=1,
                    grade=full_time_grade(template.scheme), personal=(), extra_duty_hours=0, extras=(),
                    lines=[_Line(children=n, category=category, factors=factors)],
                )
                validate_month(month, tables)
                points += score_month(month=month, tables=tables).case_points
                children += n
            nominal[key] = min(NOMINAL_MAX, max(NOMINAL_MIN, template.mid_points / float(points / children)))
        knobs = Knobs(nominal=nominal)
        if self.children:
            knobs.load, knobs.turnover = self._budget(nominal)
        return knobs

    def _budget(self, nominal: dict[str, float]) -> tuple[float, float]:
        """Load and turnover factors that make the cases hold about `children` children in all.

        Turnover is lowered first (down to 15 % of each team type's) so caseloads stay realistic; only
        then the caseloads themselves. Referrals that wait for a worker join a caseload when allocated, so
        they are part of the same flow."""
        span = len(self.months) - 1
        held = churn = 0.0
        for team in self.teams:
            seats = [w for w in self.workers if w.seats[0].team == team.idx and w.case_holding]
            load = sum(nominal[team.template.key] * min(w.pressure, 1.2) * float(w.wte) for w in seats)
            held += load
            churn += load * team.template.turnover * span
        budget = float(self.children)
        if held + churn <= budget:
            return min(1.5, budget / (held + churn)), 1.0
        turnover = (budget - held) / churn if churn else 1.0
        if turnover >= TURNOVER_FLOOR:
            return 1.0, turnover
        return budget / (held + TURNOVER_FLOOR * churn), TURNOVER_FLOOR
