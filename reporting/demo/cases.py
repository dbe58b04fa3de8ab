"""The cases stage: the simulated cases and allocations, written as they were decided.
"""
from __future__ import annotations

from workload.models import Allocation, Case

from .state import BuildState


class CaseStage(BuildState):
    """Writes the simulated cases and their allocations (sets case_rows)."""

    def write_cases(self) -> None:
        cases = self.factory.cases
        self.case_rows = [
            Case(team=self.team_rows[c.team], reference=c.reference, children=c.children, category=c.category,
                 factors=list(c.factors), opened=c.opened, closed=c.closed)
            for c in cases
        ]
        Case.objects.bulk_create(self.case_rows, batch_size=self.batch)
        Allocation.objects.bulk_create(
            [Allocation(case_id=self.case_rows[a.case].pk, worker_id=self.worker_rows[a.worker].pk, role=a.role,
                        co_work_share=a.share, start=a.start, end=a.end)
             for a in self.factory.allocs],
            batch_size=self.batch,
        )
