"""Print M01–M22 for a scope and month(s) as JSON or CSV (one row per scope, month and measure)."""
from __future__ import annotations

import csv
import json
import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from reporting.measures import measures_for, parse_scope
from workload.workdays import add_months

MAX_MONTHS = 36
FIELDS = ("scope", "month", "measure", "label", "value", "display", "status", "rag", "target", "threshold", "basis")


def parse_month(text: str) -> date:
    """ "YYYY-MM" -> the 1st of that month; ValueError naming the argument otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"--month '{text}' is not a month in the form YYYY-MM, e.g. 2025-01.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _text(value) -> str:
    return "" if value is None else str(value)


class Command(BaseCommand):
    help = "Print the head-of-service measures for a scope and month: value, display, status, RAG, target."

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="authority | service:<name> | team:<code>")
        parser.add_argument("--month", required=True, help="YYYY-MM: the (last) month")
        parser.add_argument("--months", type=int, default=1, help=f"how many months up to --month (1–{MAX_MONTHS})")
        parser.add_argument("--format", choices=("json", "csv"), default="json")

    def handle(self, *args, scope: str, month: str, months: int = 1, format: str = "json", **options) -> None:
        try:
            where = parse_scope(scope)
        except ValueError as exc:
            raise CommandError(f"--scope: {exc}") from exc
        try:
            last = parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not 1 <= months <= MAX_MONTHS:
            raise CommandError(f"--months {months} is out of range: give a number from 1 to {MAX_MONTHS}.")
        values = measures_for(where, [add_months(last, -k) for k in range(months - 1, -1, -1)])
        scope_key = scope.strip()
        rows = [
            {
                "scope": scope_key, "month": f"{v.month:%Y-%m}", "measure": v.measure, "label": v.label,
                "value": _text(v.value), "display": v.display, "status": v.status, "rag": v.rag,
                "target": _text(v.target), "threshold": _text(v.threshold), "basis": v.basis,
            }
            for v in values
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, indent=1, ensure_ascii=False))
        else:
            writer = csv.DictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
