"""Seed a large generated authority (default: 100 teams, 1,200 workers, 30,000 children, 36 months) to
measure pages, reports and queries at scale. Uses the same generator as seed_demo."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from reporting.demo.generator import generate, generated_data_exists, large_layout, wipe
from reporting.demo.logins import DEMO_PASSWORD, format_logins, login_rows


class Command(BaseCommand):
    help = (
        "Create a large generated authority with the seed_demo generator and print how long each phase took."
    )

    def add_arguments(self, parser):
        parser.add_argument("--teams", type=int, default=100)
        parser.add_argument("--workers", type=int, default=1200)
        parser.add_argument(
            "--children",
            type=int,
            default=30000,
            help="Children over all generated cases (family groups of 1-5), approximately.",
        )
        parser.add_argument("--months", type=int, default=36, help="Months of history, ending this month.")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete existing teams, workers, cases, pro-formas and role users first.",
        )

    def handle(
        self,
        *args,
        teams: int,
        workers: int,
        children: int,
        months: int,
        seed: int,
        batch_size: int,
        reset: bool,
        **options,
    ) -> None:
        if teams < 1 or workers < teams or months < 1 or children < 1:
            raise CommandError("Need --teams ≥ 1, --workers ≥ --teams, --months ≥ 1 and --children ≥ 1.")
        out = self.stdout.write
        started = time.perf_counter()
        if generated_data_exists():
            if not reset:
                raise CommandError("Teams or workers already exist. Run with --reset to delete them first.")
            wipe()
            out(f"  {'wipe existing data':<28} {time.perf_counter() - started:7.1f} s")
        out(f"Seeding {teams} teams, {workers} workers, ~{children} children, {months} months:")
        result = generate(
            layout=large_layout(teams=teams, workers=workers, seed=seed),
            months=months,
            children=children,
            seed=seed,
            batch_size=batch_size,
            say=out,
        )
        total = time.perf_counter() - started
        out(f"  {'total':<28} {total:7.1f} s")
        out("")
        out(f"Children over all cases: {result.children}")
        out("Scored months by band: " + ", ".join(f"{band} {n}" for band, n in sorted(result.bands.items())))
        out("Rows: " + ", ".join(f"{name} {n}" for name, n in result.counts.items()))
        rows = login_rows()
        out("")
        out(f"{len(rows)} logins; the first few:")
        out(format_logins(rows[:12], DEMO_PASSWORD))
