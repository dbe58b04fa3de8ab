"""Benchmark the team month view, the entry page and an entry save on a database seeded at scale.

    .venv/bin/python manage.py seed_large                       # once: 100 teams, 1,200 workers, 36 months
    .venv/bin/python bench/month_view.py [--db-url URL] [--repeat 15] [--month 2025-07]

Without --db-url it uses DATABASE_URL (or the demo SQLite file, like manage.py). It requests the pages through
Django's test Client as a team manager of the team with the most workers and of the team with the fewest,
and reports the median time, the query count and the time per worker row, so the ratio shows that a page
for a big team does not cost more per row (a fixed number of queries whatever the team size). The entry
save calls supervision.services.entry_update with the entry's own content, inside a transaction that is
rolled back, so the database is left as it was. Nothing here asserts a time: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _setup(db_url: str | None) -> None:
    """Production-like: DEBUG off (cached templates, no query log), static files from the finders."""
    if db_url:
        os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()  # the test Client's "testserver" host, and email kept in memory
    storages = {**settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    override_settings(STORAGES=storages).enable()  # no collectstatic manifest needed


def _timed(call, repeat: int) -> tuple[float, int, object]:
    """Median milliseconds over `repeat` calls (after two warm-ups) and the queries of one call."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        call()
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        result = call()
    count = len(queries.captured_queries)  # now: each request resets the connection's query log
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), count, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="database to measure (default: DATABASE_URL or the demo SQLite file)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--month", help="YYYY-MM (default: the latest month with pro-formas)")
    parser.add_argument("--merge", type=int, default=9,
                        help="also measure the largest team with the workers and pro-formas of the next N teams "
                             "moved into it, inside a transaction that is rolled back (default 9)")
    args = parser.parse_args()
    _setup(args.db_url)

    from django.db import connection, transaction
    from django.db.models import Count, Q
    from django.test import Client
    from django.urls import reverse

    from supervision.models import EntryStatus, ProformaEntry
    from supervision.services import entry_update
    from workload.models import Team, Worker

    latest = ProformaEntry.objects.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        print("No pro-formas in this database: run `python manage.py seed_large` first.", file=sys.stderr)
        return 2
    month = date.fromisoformat(f"{args.month}-01") if args.month else latest
    teams = list(
        Team.objects.annotate(n=Count("entries", filter=Q(entries__month=month, entries__is_current=True)))
        .filter(n__gt=0, managers__isnull=False).distinct().order_by("-n", "pk")
    )
    if not teams:
        print(f"No team has pro-formas for {month:%B %Y}.", file=sys.stderr)
        return 2
    big, small = teams[0], teams[-1]
    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']}); "
          f"{Team.objects.count()} teams, {ProformaEntry.objects.count()} pro-formas; month {month:%b %Y}")

    rows = {}
    for label, team in (("largest", big), ("smallest", small)):
        client = Client()
        client.force_login(team.managers.order_by("pk").first())
        url = reverse("supervision:team-month", args=[team.pk, month.year, month.month])
        ms, queries, response = _timed(lambda url=url, client=client: client.get(url), args.repeat)
        assert response.status_code == 200, response.status_code
        workers = response.content.decode().count('data-testid="worker-row-')
        rows[label] = (team, workers, ms, queries)
        print(f"month view, {label} team {team.code:<8} {workers:4d} workers: median {ms:7.1f} ms, "
              f"{queries} queries, {ms / max(workers, 1):6.2f} ms per worker row")
    if args.merge:
        class Rollback(Exception):
            pass

        others = [team.pk for team in teams[1:args.merge + 1]]
        try:
            with transaction.atomic():
                Worker.objects.filter(team__in=others).update(team=big)
                ProformaEntry.objects.filter(team__in=others, month=month).update(team=big)
                client = Client()
                client.force_login(big.managers.order_by("pk").first())
                url = reverse("supervision:team-month", args=[big.pk, month.year, month.month])
                ms, queries, response = _timed(lambda: client.get(url), args.repeat)
                workers = response.content.decode().count('data-testid="worker-row-')
                rows["merged"] = (big, workers, ms, queries)
                print(f"month view, {len(others) + 1} teams merged {workers:4d} workers: median {ms:7.1f} ms, "
                      f"{queries} queries, {ms / max(workers, 1):6.2f} ms per worker row (rolled back)")
                raise Rollback
        except Rollback:
            pass
    if "merged" in rows:
        rows["largest"] = rows["merged"]
    (_t, big_n, big_ms, big_q), (_s, small_n, small_ms, small_q) = rows["largest"], rows["smallest"]
    print(f"  queries biggest/smallest: {big_q}/{small_q} (fixed: {'yes' if big_q == small_q else 'NO'}); "
          f"time ratio {big_ms / small_ms:.2f} for {big_n / max(small_n, 1):.1f}× the rows; per-row ratio "
          f"{(big_ms / max(big_n, 1)) / (small_ms / max(small_n, 1)):.2f}")

    entry = (
        ProformaEntry.objects.current().filter(team=big, month=month)
        .annotate(n_lines=Count("lines")).order_by("-n_lines", "pk").first()
    )
    manager = big.managers.order_by("pk").first()
    client = Client()
    client.force_login(manager)
    url = reverse("supervision:entry-detail", args=[entry.pk])
    ms, queries, response = _timed(lambda: client.get(url), args.repeat)
    assert response.status_code == 200, response.status_code
    print(f"entry page, {entry.n_lines} lines ({entry.get_status_display().lower()}): median {ms:7.1f} ms, "
          f"{queries} queries")

    # An entry save needs an editable entry: use the same one, made a draft inside the rolled-back block.
    lines = [
        {"case_id": li.case_id, "reference": li.reference, "children": li.children, "category": li.category,
         "factors": list(li.factors), "co_worked": li.co_worked, "co_work_share": li.co_work_share,
         "not_allocated": li.not_allocated}
        for li in entry.lines.order_by("position", "pk")
    ]

    class Rollback(Exception):
        pass

    def save():
        try:
            with transaction.atomic():
                ProformaEntry.objects.filter(pk=entry.pk).update(status=EntryStatus.DRAFT, is_current=True)
                fresh = ProformaEntry.objects.select_related("team", "scheme_version").get(pk=entry.pk)
                saved = entry_update(entry=fresh, expected_lock_version=fresh.lock_version, updated_by=manager,
                                     fields={"workload_comment": fresh.workload_comment}, lines=lines)
                raise Rollback(saved.total_points)
        except Rollback as done:
            return done.args[0]

    ms, queries, total = _timed(save, args.repeat)
    print(f"entry save (entry_update, {len(lines)} lines, re-scored, rolled back): median {ms:7.1f} ms, "
          f"{queries} queries (incl. the 3 of the setup), total {total} points")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
