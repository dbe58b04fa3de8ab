"""Benchmark the pages whose lists grow with the authority, on a database seeded at seed_large size.

    .venv/bin/python bench/pages.py [--db-url URL] [--repeat 15] [--seed]

Without --db-url it uses DATABASE_URL (or the demo SQLite file, like manage.py); an existing seeded database
is reused. --seed first migrates and runs `seed_large --teams 100 --workers 1200 --children 30000 --months 36`
(about a minute on SQLite). Each page is requested through Django's test Client as the demo's SMT user and
administrator; the script prints the median time, the response size and the query count, and the ratio of
the time to a floor: a trivial view behind the same middleware, session and navigation (the bare base
template), so the ratio says what the page itself costs. Nothing here asserts a time: it prints figures.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from month_view import _setup, _timed  # noqa: E402  (same settings and timing as the month view bench)

urlpatterns: list = []  # filled in main(): this module is the URLconf, so the floor view has a URL


def _floor_view(request):
    from django.shortcuts import render

    return render(request, "base.html", {})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="database to measure (default: DATABASE_URL or the demo SQLite file)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", action="store_true", help="migrate and run seed_large first")
    args = parser.parse_args()
    _setup(args.db_url)
    logging.disable(logging.INFO)  # django-axes logs every forced login
    from django.template import Template
    from django.test.utils import _TestState

    # the test environment wraps every template render to record its context for assertions (a copy per
    # template: a crispy form field renders several); production does not, so neither does this bench
    Template._render = _TestState.saved_data.template_render

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import path

    import config.urls
    from workload.models import Team, Worker

    if args.seed:
        call_command("migrate", verbosity=0)
        call_command("seed_large", teams=100, workers=1200, children=30000, months=36)
    if not Team.objects.exists():
        print("This database is empty: run with --seed (or `python manage.py seed_large`) first.", file=sys.stderr)
        return 2
    urlpatterns[:] = [path("bench-floor/", _floor_view), *config.urls.urlpatterns]
    override_settings(ROOT_URLCONF=__name__ if __name__ != "__main__" else "__main__").enable()
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']}); {Team.objects.count()} teams, "
          f"{Worker.objects.count()} workers; median of {args.repeat} requests after 2 warm-ups")

    users = get_user_model().objects
    people = {"SMT": users.filter(groups__name="smt").order_by("pk").first(),
              "admin": users.filter(is_superuser=True).order_by("pk").first()}
    pages = [("floor (trivial view)", "/bench-floor/", ("SMT", "admin")),
             ("supervision sessions", "/supervision/sessions/", ("SMT", "admin")),
             ("home", "/", ("SMT", "admin")),
             ("team list", "/workload/teams/", ("SMT", "admin"))]
    floors: dict[str, float] = {}
    print(f"{'page':<22} {'as':<6} {'median ms':>10} {'× floor':>8} {'KB':>7} {'queries':>8}")
    for label, url, who in pages:
        for name in who:
            client = Client()
            client.force_login(people[name])
            ms, queries, response = _timed(lambda url=url, client=client: client.get(url), args.repeat)
            assert response.status_code == 200, (url, response.status_code)
            floors.setdefault(name, ms)
            print(f"{label:<22} {name:<6} {ms:10.1f} {ms / floors[name]:8.1f} {len(response.content) / 1024:7.1f} "
                  f"{queries:8d}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_DEBUG", "false")
    raise SystemExit(main())
