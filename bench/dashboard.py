"""Benchmark the dashboards at seed_large size against one hand-written SQL query (the floor).

    .venv/bin/python bench/dashboard.py --db-url postgres://… [--repeat 15] [--seed]

The authority page (SMT) and one service-area page (its head of service) are requested through Django's test
Client, production-like (DEBUG off); `measures_for` for the authority is timed on its own too. The floor is one
hand-written PostgreSQL query over the same month's snapshot rows computing, per team and pooled for the
authority (GROUP BY ROLLUP), what the headline measures need: headcount, Σ WTE, Σ allocated children, the range,
and the workers over their team's threshold pro rata — with the same population (case-holding positions, no
long absence at the day). The floor covers the snapshot measures only, not the calendar-month ones (supervision,
countersigned pro-formas, bands, imported aggregates, escalations), so the ratio overstates what the pages
cost over the work they must do. A second floor runs the same statement over the 12 month-end snapshots a
dashboard's trends show (grouped by month, per team and pooled): the 12-month rows and the pages are also given
as a ratio to it ("× 12-mo"). Nothing here asserts a time: it prints figures.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from month_view import _setup, _timed  # noqa: E402  (same settings and timing as the other benches)

NOT_IN_POPULATION = ("student", "team_manager", "practice_manager", "consultant")

FLOOR_SQL = """
WITH pop AS (
  SELECT s.team_id, s.wte, s.allocated_children, COALESCE(t.threshold, 22) AS threshold
  FROM workload_caseloadsnapshot s
  JOIN workload_worker w ON w.id = s.worker_id
  LEFT JOIN (
    SELECT DISTINCT ON (p.team_id) p.team_id,
           (c.data -> 'team_types' -> p.team_type ->> 'max')::numeric AS threshold
    FROM workload_teampolicy p JOIN workload_caseloadpreset c ON c.id = p.preset_id
    WHERE p.valid_from <= %(day)s ORDER BY p.team_id, p.valid_from DESC
  ) t ON t.team_id = s.team_id
  WHERE s.taken_on = %(day)s AND w.case_holding AND w.position <> ALL(%(excluded)s)
    AND NOT EXISTS (
      SELECT 1 FROM workload_absence a
      WHERE a.worker_id = s.worker_id AND a.start <= %(day)s - 21
        AND (a.actual_return IS NULL OR a.actual_return > %(day)s))
)
SELECT team_id, COUNT(*), SUM(wte), SUM(allocated_children), MIN(allocated_children), MAX(allocated_children),
       COUNT(*) FILTER (WHERE allocated_children > threshold * wte),
       ROUND(SUM(allocated_children) / NULLIF(SUM(wte), 0), 1)
FROM pop GROUP BY ROLLUP (team_id)
"""

# The same figures for each of the 12 month-end snapshots a dashboard's trends show, per team and month and
# pooled per month, in one statement: the floor for what the pages and a 12-month measures_for compute.
FLOOR_12_SQL = (
    FLOOR_SQL.replace("s.taken_on = %(day)s", "s.taken_on = ANY(%(days)s)")
    .replace("a.start <= %(day)s - 21", "a.start <= s.taken_on - 21")
    .replace("a.actual_return > %(day)s", "a.actual_return > s.taken_on")
    .replace("SELECT s.team_id,", "SELECT s.taken_on, s.team_id,")
    .replace("SELECT team_id,", "SELECT taken_on, team_id,")
    .replace("ROLLUP (team_id)", "taken_on, ROLLUP (team_id)")
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="PostgreSQL database to measure (default: DATABASE_URL)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", action="store_true", help="migrate and run seed_large first")
    args = parser.parse_args()
    _setup(args.db_url)
    logging.disable(logging.INFO)
    from django.template import Template
    from django.test.utils import _TestState

    Template._render = _TestState.saved_data.template_render  # as bench/pages.py: no context recording

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from reporting.measures import Scope, measures_for
    from workload.models import CaseloadSnapshot, ServiceArea, Team, Worker
    from workload.workdays import add_months

    if connection.vendor != "postgresql":
        print("The floor is PostgreSQL SQL: pass --db-url postgres://…", file=sys.stderr)
        return 2
    if args.seed:
        call_command("migrate", verbosity=0)
        call_command("seed_large", teams=100, workers=1200, children=30000, months=36)
    if not Team.objects.exists():
        print("This database is empty: run with --seed (or `python manage.py seed_large`) first.", file=sys.stderr)
        return 2
    day = CaseloadSnapshot.objects.filter(kind="month_end").order_by("-taken_on").values_list("taken_on", flat=True)[0]
    month = day.replace(day=1)
    print(f"Database: PostgreSQL; {Team.objects.count()} teams, {Worker.objects.count()} workers, "
          f"{CaseloadSnapshot.objects.count()} snapshot rows; month {month:%b %Y} (snapshot {day}); "
          f"median of {args.repeat} after 2 warm-ups")

    twelve = [add_months(month, -k) for k in range(11, -1, -1)]  # what a dashboard's trends ask for
    days = sorted(CaseloadSnapshot.objects.filter(kind="month_end", taken_on__gte=twelve[0], taken_on__lte=day)
                  .order_by().values_list("taken_on", flat=True).distinct())

    def floor(sql=FLOOR_SQL):
        with connection.cursor() as cursor:
            cursor.execute(sql, {"day": day, "days": days, "excluded": list(NOT_IN_POPULATION)})
            return cursor.fetchall()

    def floor_time(sql):
        times = []
        for n in range(args.repeat + 2):
            started = time.perf_counter()
            rows = floor(sql)
            if n >= 2:
                times.append((time.perf_counter() - started) * 1000)
        return median(times), rows

    floor_ms, rows = floor_time(FLOOR_SQL)
    total = rows[-1]
    print(f"floor: one SQL query, {len(rows) - 1} team rows + the authority row (average {total[7]} per FTE): "
          f"{floor_ms:.1f} ms")
    floor12_ms, rows12 = floor_time(FLOOR_12_SQL)
    print(f"12-month floor: the same over {len(days)} month-end snapshots in one statement, {len(rows12)} rows: "
          f"{floor12_ms:.1f} ms")

    users = get_user_model().objects
    smt = users.filter(groups__name="smt").order_by("pk").first()
    area = ServiceArea.objects.order_by("pk").first()
    figures = []
    ms, queries, _ = _timed(lambda: measures_for(Scope("authority", None, "Authority"), [month]), args.repeat)
    figures.append(("measures_for(authority, 1 month)", ms, queries, None))
    ms, queries, _ = _timed(lambda: measures_for(Scope("authority", None, "Authority"),
                                                 [month.replace(year=month.year - 1)] + [month]), args.repeat)
    figures.append(("measures_for(authority, 2 months)", ms, queries, None))
    ms, queries, _ = _timed(lambda: measures_for(Scope("authority", None, "Authority"), twelve), args.repeat)
    figures.append(("measures_for(authority, 12 months)", ms, queries, None))
    for label, user, url in (("authority page (SMT)", smt, f"/dashboards/?month={month:%Y-%m}"),
                             (f"service page ({area.name})", area.head_of_service,
                              f"/dashboards/service/{area.pk}/?month={month:%Y-%m}")):
        client = Client()
        client.force_login(user)
        ms, queries, response = _timed(lambda url=url, client=client: client.get(url), args.repeat)
        assert response.status_code == 200, (url, response.status_code)
        figures.append((label, ms, queries, len(response.content)))
    print(f"{'what':<40} {'median ms':>10} {'× floor':>8} {'× 12-mo':>8} {'queries':>8} {'KB':>7}")
    for label, ms, queries, size in figures:
        kb = f"{size / 1024:7.1f}" if size else "      –"
        twelve_ratio = f"{ms / floor12_ms:8.1f}" if "12 months" in label or "page" in label else "       –"
        print(f"{label:<40} {ms:10.1f} {ms / floor_ms:8.1f} {twelve_ratio} {queries:8d} {kb}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_DEBUG", "false")
    raise SystemExit(main())
