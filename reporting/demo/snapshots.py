"""The snapshot stage: caseload and team snapshots at past month ends and the last eight Fridays.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from workload.models import CaseloadSnapshot, SnapshotKind, SnapshotSource, TeamSnapshot

from .draws import month_end
from .simulate import ALLOCATED, CO_WORKER
from .state import BuildState


class SnapshotStage(BuildState):
    """Writes caseload and team snapshots from the simulated allocations."""

    def snapshot_days(self) -> list[tuple[date, str]]:
        """Month ends that have passed, and the last eight Fridays (a month end on a Friday stays a month end)."""
        days = {month_end(m): SnapshotKind.MONTH_END for m in self.months if month_end(m) < self.today}
        friday = self.today - timedelta(days=(self.today.weekday() - 4) % 7)
        for n in range(8):
            days.setdefault(friday - timedelta(weeks=n), SnapshotKind.WEEKLY)
        return sorted(days.items())

    def write_snapshots(self) -> None:
        cases = self.factory.cases
        worker_rows, team_rows = [], []
        for day, kind in self.snapshot_days():
            counts = defaultdict(lambda: [0, 0, 0, 0])  # allocated children, families, co-worked, awaiting
            held: set[int] = set()
            for a in self.factory.allocs:
                if a.start <= day and (a.end is None or a.end >= day):
                    held.add(a.case)
                    n = cases[a.case].children
                    row = counts[a.worker]
                    if a.role == ALLOCATED:
                        row[0] += n
                        row[1] += 1
                    elif a.role == CO_WORKER:
                        row[2] += n
                    else:
                        row[3] += n
            unallocated = defaultdict(int)
            for case in cases:
                if case.opened <= day and (case.closed is None or case.closed >= day) and case.idx not in held:
                    unallocated[case.team] += case.children
            permanent, agency = defaultdict(Decimal), defaultdict(Decimal)
            for w in self.workers:
                seat = w.seat_on(day)
                if seat is None:
                    continue
                allocated, families, coworked, awaiting = counts.get(w.idx, (0, 0, 0, 0))
                worker_rows.append(CaseloadSnapshot(
                    worker_id=self.worker_rows[w.idx].pk, team_id=self.team_rows[seat.team].pk, taken_on=day, kind=kind,
                    source=SnapshotSource.ALLOCATIONS, wte=w.wte, allocated_children=allocated,
                    family_groups=families, coworked_children=coworked, awaiting_allocation_children=awaiting,
                ))
                if w.case_holding:  # students hold no post
                    (agency if w.agency else permanent)[seat.team] += w.wte
            for team in self.teams:
                vacant = agency[team.idx] + team.uncovered_vacancy
                team_rows.append(TeamSnapshot(
                    team=self.team_rows[team.idx], taken_on=day, kind=kind, unallocated_children=unallocated[team.idx],
                    establishment_fte=permanent[team.idx] + vacant, vacant_fte=vacant, agency_fte=agency[team.idx],
                ))
        CaseloadSnapshot.objects.bulk_create(worker_rows, batch_size=self.batch)
        TeamSnapshot.objects.bulk_create(team_rows, batch_size=self.batch)
