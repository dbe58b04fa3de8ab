"""python manage.py import_data DIR [--dry-run]: import whichever of the documented files DIR holds."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.imports import apply_import, plan_import, read_upload
from reporting.imports.formats import FORMATS


class Command(BaseCommand):
    help = "Import teams, workers, cases, allocations, snapshots, sessions and figures from CSV or XLSX files."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and print what would change; write nothing.")
        parser.add_argument("--today", help="Treat this date (YYYY-MM-DD) as today, for dates in the future.")

    def handle(self, *args, directory: Path, dry_run: bool, today: str | None, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        stems = {f.filename for f in FORMATS}
        paths = sorted(p for p in directory.iterdir() if p.is_file() and p.stem in stems)
        if not paths:
            raise CommandError(f"{directory} holds none of: " + ", ".join(f"{s}.csv" for s in sorted(stems)))
        day = timezone.localdate()
        if today:
            from datetime import date

            day = date.fromisoformat(today)
        parsed = [read_upload(p.name, p.read_bytes()) for p in paths]
        plan = plan_import(parsed, today=day)
        for notice in plan.notices:
            self.stderr.write(f"note: {notice}")
        if plan.errors:
            for error in plan.errors:
                self.stderr.write(str(error))
            count = len(plan.errors)
            self.stderr.write(f"{count} error{'' if count == 1 else 's'}; nothing was imported.")
            raise SystemExit(1)
        if not dry_run:
            apply_import(plan)
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"{'Dry run: nothing written. ' if dry_run else ''}Rows that {verb}:")
        for f in plan.files:
            self.stdout.write(f"{f.name}: {f.created} created, {f.changed} changed, {f.closed} closed, {f.unchanged} unchanged")
