"""python manage.py export_data DIR [--format csv|xlsx]: the authority's data in the import formats."""
from pathlib import Path

from django.core.management.base import BaseCommand

from reporting.imports import export_all
from reporting.imports.export import export_example


class Command(BaseCommand):
    help = "Write teams, workers, cases, allocations, snapshots, sessions and figures in the import formats."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--example-team", help="Only a few rows for this team code: the files of docs/import-examples/.")

    def handle(self, *args, directory: Path, format: str, example_team: str | None, **options):
        if example_team:
            paths = export_example(directory, team_code=example_team)
        else:
            paths = export_all(directory, fmt=format)
        for path in paths:
            self.stdout.write(str(path))
