"""The one grouped statement behind every snapshot and calendar-month measure (REPORTS 1.2 populations), for
any number of teams and months, written by hand so that per-team policy is data, not expressions.

Each team's policy for each month travels as a row of a `VALUES` table (`params`): the team, the month, its
snapshot date (REPORTS 1.1, NULL when it has none), and its flags (pro rata, include_aqp, Warrington, care
leavers, case basis B). The month's snapshot rows join to it on (team, date); a countersigned pro-forma stands in
for a worker with no snapshot in the month (the fallback, REP-18) through the same table. Every row then carries
what its figures depend on as columns, so the SQL is the same size for 1 team or 100 and for 1 month or 12, and
PostgreSQL's planner (and its JIT) see a short query. It runs on PostgreSQL and on SQLite (the demo): the only
differences are date arithmetic, LEAST / MIN, and how a date literal is written (`_Dialect`).

The result has one row per (month, team, flag combination) with counts and sums; compute._team_sums folds them
into each population exactly as before. Python never loops over worker rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from reporting.measures.inputs import (
    _EPOCH,
    CONSULTANT,
    MANAGER,
    OTHER,
    PRACTITIONER,
    PRACTITIONERS,
    TeamParams,
    Windows,
    _holidays_between,
    _year_before,
    counted_range,
)
from supervision.models import EntryStatus, SessionKind
from supervision.rules import LONG_ABSENCE_WORKING_DAYS
from workload.models import Position
from workload.workdays import month_end

WTE_PLACES = Decimal("0.01")  # CaseloadSnapshot.wte and ProformaEntry.wte: decimal_places=2


@dataclass(frozen=True)
class _Dialect:
    date: str  # a date literal, from {iso}
    null_date: str  # NULL typed as a date (a VALUES column of only NULLs would otherwise be text)
    days: str  # whole days from the epoch (a Sunday) to {x}
    least: str  # the smaller of two numbers

    def wd(self, x: str) -> str:
        """Working days in (epoch, x]: weekdays minus the bank holidays up to x (as inputs._wd_index), so
        working days after a and up to b = wd(b) − wd(a)."""
        n = self.days.format(x=x)
        return (f"(5 * ({n} / 7) + {self.least.format(a=f'{n} %% 7', b='5')}"
                f" - (SELECT COUNT(*) FROM holidays h WHERE h.day <= {x}))")


POSTGRESQL = _Dialect(date="DATE '{iso}'", null_date="CAST(NULL AS date)", days=f"({{x}} - DATE '{_EPOCH}')", least="LEAST({a}, {b})")
# SQLite: dates are ISO text; julianday() counts days; two-argument MIN() is the scalar minimum
SQLITE = _Dialect(date="'{iso}'", null_date="NULL", days=f"CAST(julianday({{x}}) - julianday('{_EPOCH}') AS INTEGER)", least="MIN({a}, {b})")


def _day(dialect: _Dialect, value: date | None) -> str:
    return dialect.null_date if value is None else dialect.date.format(iso=value.isoformat())


def _sql(dialect: _Dialect, params_rows: list[tuple], holidays: list[date], years: list[tuple[date, date]],
         ns: list[int]) -> str:
    """The statement with its small tables written in as literals: every value is an int or a date made in
    Python (never text from a request), and 1,200 rows of literals are far quicker for the driver than 10,800
    placeholders."""

    def row(values) -> str:
        return "(" + ", ".join(_day(dialect, v) if isinstance(v, date) or v is None else str(int(v))
                               for v in values) + ")"

    params_values = ",\n    ".join(row(r) for r in params_rows)
    holiday_values = ", ".join(row([h]) for h in holidays)
    year_values = ", ".join(row(y) for y in years)
    over = "".join(
        f",\n  SUM(CASE WHEN cases > (CASE WHEN pro_rata = 1 THEN {n} * wte ELSE {n} END) THEN 1 ELSE 0 END)"
        f" AS gt_{n},\n  SUM(CASE WHEN cases > {n} THEN 1 ELSE 0 END) AS gt_raw_{n}"
        for n in map(int, ns)  # ints only: they are written into the SQL
    )
    practitioners = ", ".join(f"'{p}'" for p in PRACTITIONERS)
    wd_start, wd_expected, wd_now = dialect.wd("a.start"), dialect.wd("a.expected_return"), dialect.wd("r.taken_on")
    return f"""
WITH params (team_id, m, m_end, w_start, w_end, snap_on, pro_rata, aqp, warrington, care_leavers, basis_b) AS (
  VALUES
    {params_values}
),
holidays (day) AS (VALUES {holiday_values}),
-- a day twelve months before each date a row is counted on (ASYE status, Worker.asye_until)
year_before (day, year_before) AS (VALUES {year_values}),
-- the month's snapshot rows of each team, and the pro-formas of workers with no snapshot in the month
-- (counted on the month's last day, their children as allocated)
source AS (
  SELECT p.m, p.m_end, s.taken_on, s.team_id, s.worker_id, s.wte, s.allocated_children,
         CASE WHEN p.basis_b = 1 THEN s.allocated_children + s.coworked_children + s.awaiting_allocation_children
              ELSE s.allocated_children END AS cases,
         0 AS from_proforma, p.pro_rata, p.aqp, p.warrington, p.care_leavers
  FROM workload_caseloadsnapshot s
  JOIN params p ON p.team_id = s.team_id AND p.snap_on = s.taken_on
  UNION ALL
  SELECT p.m, p.m_end, p.m_end, e.team_id, e.worker_id, e.wte, e.children_count, e.children_count,
         1, p.pro_rata, p.aqp, p.warrington, p.care_leavers
  FROM supervision_proformaentry e
  JOIN params p ON p.team_id = e.team_id AND p.m = e.month
  WHERE e.is_current AND e.status = '{EntryStatus.COUNTERSIGNED}'
    AND NOT EXISTS (SELECT 1 FROM workload_caseloadsnapshot s2
                    WHERE s2.worker_id = e.worker_id AND s2.taken_on BETWEEN p.w_start AND p.w_end)
),
-- each row's decisions (REPORTS 1.2) as columns
flagged AS (
  SELECT r.m, r.team_id, r.from_proforma, r.wte, r.allocated_children, r.cases, r.pro_rata,
         w.case_holding AS case_holding,
         CASE WHEN w.position IN ({practitioners})
                   OR (w.position = '{Position.SWA}' AND r.aqp = 1)
                   OR (w.position = '{Position.PRACTICE_MANAGER}' AND r.warrington = 1) THEN '{PRACTITIONER}'
              WHEN w.position = '{Position.CONSULTANT}' THEN '{CONSULTANT}'
              WHEN w.position = '{Position.TEAM_MANAGER}'
                   OR (w.position = '{Position.PRACTICE_MANAGER}' AND r.warrington = 0) THEN '{MANAGER}'
              ELSE '{OTHER}' END AS role,
         -- long absence on the row's date (POLICIES R14, as supervision.rules.long_absent)
         CASE WHEN EXISTS (
           SELECT 1 FROM workload_absence a
           WHERE a.worker_id = r.worker_id AND a.start <= r.taken_on
             AND (a.actual_return IS NULL OR a.actual_return > r.taken_on)
             AND ((a.expected_return IS NOT NULL AND {wd_expected} > {wd_start} + {LONG_ABSENCE_WORKING_DAYS})
                  OR (a.expected_return IS NULL AND {wd_now} >= {wd_start} + {LONG_ABSENCE_WORKING_DAYS}))
         ) THEN 1 ELSE 0 END AS long_absent,
         CASE WHEN EXISTS (
           SELECT 1 FROM workload_absence a
           WHERE a.worker_id = r.worker_id AND a.start <= r.m
             AND (a.actual_return IS NULL OR a.actual_return > r.m_end)
         ) THEN 1 ELSE 0 END AS absent_all_month,
         -- the worker's current countersigned pro-forma of the month (at most one: one_current_entry_per_worker_month)
         CASE WHEN c.id IS NULL THEN 0 ELSE 1 END AS countersigned, c.band AS entry_band,
         CASE WHEN EXISTS (
           SELECT 1 FROM supervision_supervisionsession v
           WHERE v.worker_id = r.worker_id AND v.held AND v.kind = '{SessionKind.WORKER}'
             AND v.held_on BETWEEN r.m AND r.m_end
         ) THEN 1 ELSE 0 END AS supervised,
         -- ASYE on the row's date: started, and within 12 months of the start or before completion
         CASE WHEN (w.asye_start <= r.taken_on
                    AND (w.asye_start > r.year_before OR w.asye_completed > r.taken_on))
                   OR (w.position = '{Position.ASYE}' AND w.asye_start IS NULL) THEN 1 ELSE 0 END AS is_asye
  FROM (SELECT source.*, y.year_before FROM source JOIN year_before y ON y.day = source.taken_on) r
  JOIN workload_worker w ON w.id = r.worker_id
  LEFT JOIN supervision_proformaentry c
    ON c.worker_id = r.worker_id AND c.month = r.m AND c.is_current AND c.status = '{EntryStatus.COUNTERSIGNED}'
)
SELECT m, team_id, from_proforma, role, long_absent, absent_all_month, supervised, countersigned, is_asye,
       case_holding AS "worker__case_holding", entry_band,
  COUNT(*) AS n, SUM(wte) AS wte_sum, SUM(allocated_children) AS alloc, SUM(cases) AS cases_sum,
  MIN(allocated_children) AS lo, MAX(allocated_children) AS hi,
  SUM(CASE WHEN wte <= 0 THEN 1 ELSE 0 END) AS nowte,
  SUM(CASE WHEN allocated_children >= 1 THEN 1 ELSE 0 END) AS holding{over}
FROM flagged
GROUP BY m, team_id, from_proforma, role, long_absent, absent_all_month, supervised, countersigned, is_asye,
         case_holding, entry_band
"""


def grouped_rows(params: dict[date, dict[int, TeamParams]], dates: dict[date, dict[int, date]],
                 ns: set[int], windows: Windows | None = None) -> list[dict]:
    """Run the statement for these months' team policies and snapshot dates; one dict per group, with the keys
    compute._team_sums reads (the GROUP BY columns, n, wte_sum, alloc, cases_sum, lo, hi, nowte, holding, gt_N, gt_raw_N)."""
    if not params:
        return []
    sqlite = connection.vendor == "sqlite"
    rows, ends = [], {m: month_end(m) for m in params}
    for m, per_team in sorted(params.items()):
        w_start, w_end = counted_range(m, windows)  # where a snapshot was looked for (the fallback's test)
        for team_id, p in sorted(per_team.items()):
            rows.append((team_id, m, ends[m], w_start, w_end, dates.get(m, {}).get(team_id), p.threshold_basis == "pro_rata",
                         p.include_aqp, p.warrington, p.care_leavers, p.case_basis == "B"))
    counted_on = {d for per_team in dates.values() for d in per_team.values()} | set(ends.values())
    holidays = _holidays_between(min(counted_on).year - 1, max(ends.values()).year + 1)
    years = [(d, _year_before(d)) for d in sorted(counted_on)]
    sql = _sql(SQLITE if sqlite else POSTGRESQL, rows, holidays, years, sorted(ns))
    with connection.cursor() as cursor:
        cursor.execute(sql, ())  # no parameters, but "%%" (modulo) is still unescaped by both backends
        names = [c[0] for c in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for g in found:
        if sqlite:  # ISO text and floats back to the types the ORM would give
            g["m"] = date.fromisoformat(g["m"])
            g["wte_sum"] = None if g["wte_sum"] is None else Decimal(str(g["wte_sum"])).quantize(WTE_PLACES)
    return found
