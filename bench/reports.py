"""Benchmark the emailed reports: every team's quarterly return and the weekly SMT report, built as PDFs by
two Celery worker processes on Redis, against rendering the same HTML without the PDF step.

    .venv/bin/python bench/reports.py --db-url postgres://… --broker-url redis://… [--seed] [--teams 100]
                                      [--quarter 2026-Q3] [--week 2026-W47]

Needs PostgreSQL (two processes write at once; SQLite would serialise them) and Redis, e.g. the ones
`scripts/test.sh` starts. --seed migrates and runs `seed_large` (--teams sets its size: 100 teams with 12
workers each is the full size). The quarter and week default to those of the latest snapshot. The script
starts one `celery worker --concurrency 2` (two processes) with this database and broker, deletes earlier
runs of the same quarter and week (this is a bench database), queues one run per active team and times
until every run is done, then the weekly report; then renders the same documents' HTML in this process.
It prints wall time, the mean build time per document inside the workers (the run's started to finished),
the HTML-only time per document, and their ratios. PDFs go to a temporary media directory; nothing is
emailed. Nothing here asserts a time: it prints figures.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup(db_url: str, broker_url: str, media: str) -> dict:
    env = {**os.environ, "DATABASE_URL": db_url, "CELERY_BROKER_URL": broker_url, "DJANGO_MEDIA_ROOT": media,
           "DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret"),
           "DJANGO_SETTINGS_MODULE": "config.settings", "CELERY_TASK_ALWAYS_EAGER": "false"}
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {**settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    override_settings(STORAGES=storages).enable()  # no collectstatic manifest needed
    return env


def _start_worker(env: dict) -> subprocess.Popen:
    from config.celery import app

    # this script again, as `--worker`: the same settings (static files from the finders) in the workers
    worker = subprocess.Popen([sys.executable, __file__, "--worker", f"bench-reports-{os.getpid()}@%h"],
                              cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return worker
    worker.terminate()
    raise SystemExit("The Celery worker did not answer within 60 s.")


def _wait(run_ids: list[int], timeout: float) -> float:
    from reporting.models import ReportRun

    start, deadline = time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        finished = ReportRun.objects.filter(pk__in=run_ids, status__in=("done", "failed")).count()
        if finished == len(run_ids):
            return time.monotonic() - start
        time.sleep(0.2)
    raise SystemExit(f"Not all {len(run_ids)} runs finished within {timeout:.0f} s.")


def _build(kind: str, period: str, teams: list, timeout: float) -> tuple[float, list[float], int]:
    """Queue one run per team (or one authority run) and wait; wall seconds, per-run seconds, failures."""
    from reporting.models import ReportRun
    from reporting.report_tasks import report_run_generate

    ReportRun.objects.filter(kind=kind, period_key=period).delete()
    runs = [ReportRun.objects.create(kind=kind, period_key=period, team=team) for team in teams]
    queued = time.monotonic()
    for run in runs:
        report_run_generate.delay(run_id=run.pk, send=False)
    _wait([r.pk for r in runs], timeout)
    wall = time.monotonic() - queued
    done = ReportRun.objects.filter(pk__in=[r.pk for r in runs])
    per_run = [(r.finished_at - r.started_at).total_seconds() for r in done if r.finished_at and r.started_at]
    return wall, per_run, done.filter(status="failed").count()


def _html_only(kind: str, period: str, teams: list) -> list[float]:
    from reporting.render import render_html

    times = []
    for team in teams:
        start = time.perf_counter()
        render_html(kind, period, team)
        times.append(time.perf_counter() - start)
    return times


def _worker(hostname: str) -> int:
    """The two worker processes: Celery's prefork pool with two children, started from these settings."""
    _setup(os.environ["DATABASE_URL"], os.environ["CELERY_BROKER_URL"], os.environ["DJANGO_MEDIA_ROOT"])
    from config.celery import app

    app.worker_main(["worker", "--concurrency", "2", "--pool", "prefork", "--loglevel", "WARNING",
                     "--hostname", hostname, "--without-mingle", "--without-gossip"])
    return 0


def main() -> int:
    if sys.argv[1:2] == ["--worker"]:
        return _worker(sys.argv[2])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default=os.environ.get("DATABASE_URL"), required="DATABASE_URL" not in os.environ)
    parser.add_argument("--broker-url", default=os.environ.get("CELERY_BROKER_URL"),
                        required="CELERY_BROKER_URL" not in os.environ)
    parser.add_argument("--seed", action="store_true", help="migrate and run seed_large first")
    parser.add_argument("--teams", type=int, default=100, help="seed_large size with --seed (12 workers a team)")
    parser.add_argument("--quarter", help="default: the quarter of the latest snapshot")
    parser.add_argument("--week", help="default: the week of the latest snapshot")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    media = tempfile.mkdtemp(prefix="bench-reports-")
    env = _setup(args.db_url, args.broker_url, media)

    from django.core.management import call_command
    from django.utils import timezone

    from reporting.models import ReportKind
    from reporting.periods import Period
    from workload.models import Team, Worker
    from workload.selectors import latest_snapshot_date

    if args.seed:
        call_command("migrate", verbosity=0)
        call_command("seed_large", teams=args.teams, workers=12 * args.teams, children=300 * args.teams,
                     months=36)
    teams = list(Team.objects.active().select_related("service_area").order_by("service_area__name", "name"))
    if not teams:
        print("This database is empty: run with --seed first.", file=sys.stderr)
        return 2
    latest = latest_snapshot_date(on_or_before=timezone.localdate())
    quarter = args.quarter or Period.quarter_of(latest).key
    week = args.week or Period.week(latest).key
    print(f"{len(teams)} teams, {Worker.objects.count()} workers; quarter {quarter}, week {week}; "
          f"two worker processes (celery --concurrency 2); PDFs in {media}")

    worker = _start_worker(env)
    try:
        q_wall, q_runs, q_failed = _build(ReportKind.QUARTERLY_RETURN, quarter, teams, args.timeout)
        w_wall, w_runs, w_failed = _build(ReportKind.SMT_WEEKLY, week, [None], args.timeout)
    finally:
        worker.terminate()  # the worker this script started, by its own handle
        worker.wait(timeout=60)
    q_html = _html_only(ReportKind.QUARTERLY_RETURN, quarter, teams)
    w_html = _html_only(ReportKind.SMT_WEEKLY, week, [None])

    print(f"{'document':<28} {'count':>5} {'wall s':>8} {'mean PDF s':>11} {'mean HTML s':>12} {'PDF ÷ HTML':>11} "
          f"{'failed':>6}")
    for label, count, wall, runs, html, failed in (
            ("quarterly team returns", len(teams), q_wall, q_runs, q_html, q_failed),
            ("weekly SMT report", 1, w_wall, w_runs, w_html, w_failed)):
        pdf_mean, html_mean = statistics.mean(runs), statistics.mean(html)
        print(f"{label:<28} {count:5d} {wall:8.1f} {pdf_mean:11.2f} {html_mean:12.3f} {pdf_mean / html_mean:11.1f} "
              f"{failed:6d}")
    print(f"HTML only, all {len(teams)} returns in one process: {sum(q_html):.1f} s "
          f"(wall with two workers ÷ HTML-only total: {q_wall / sum(q_html):.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
