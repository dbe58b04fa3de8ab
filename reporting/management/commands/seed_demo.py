"""Seed the demo authority: 8 teams on four weighting schemes, ~45 workers and 12 months of history."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from reporting.demo.generator import demo_layout, generate, generated_data_exists, wipe
from reporting.demo.logins import DEMO_PASSWORD, format_logins, login_notes, login_rows
from reporting.demo.state import authority_name


class Command(BaseCommand):
    help = (
        "Create the demo authority (teams, workers, cases, 12 months of countersigned pro-formas, snapshots) "
        "and print its logins. Does nothing but print the logins if data already exists, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete all teams, workers, cases and pro-formas (and the users holding a role) first.",
        )
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (default 2025).")

    def handle(self, *args, reset: bool = False, seed: int = 2025, **options) -> None:
        out = self.stdout.write
        if reset:
            wipe()
            out("Deleted the existing teams, workers, cases, pro-formas and role users.")
        elif generated_data_exists():
            out("Demo data already exists; nothing changed (use --reset to start again).\n")
            out(format_logins(login_rows(), DEMO_PASSWORD, login_notes()))
            return
        started = time.perf_counter()
        out(f"Seeding {authority_name()}:")
        result = generate(layout=demo_layout(), months=12, seed=seed, say=out)
        out(
            f"Done in {time.perf_counter() - started:.1f} s: "
            + ", ".join(f"{n} {name}" for name, n in result.counts.items())
        )
        out("")
        out(format_logins(login_rows(), DEMO_PASSWORD, login_notes()))
