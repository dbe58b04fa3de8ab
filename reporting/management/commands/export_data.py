"""python manage.py export_data DIR [--format csv|xlsx]: the authority's data in the import formats."""
from pathlib import Path

from django.core.management.base import BaseCommand

from reporting.imports import export_all


class Command(BaseCommand):
    help = "Write teams, workers, cases, allocations, snapshots, sessions and figures in the import formats."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")

    def handle(self, *args, directory: Path, format: str, **options):
        for path in export_all(directory, fmt=format):
            self.stdout.write(str(path))
