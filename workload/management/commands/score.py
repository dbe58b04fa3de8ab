"""`python manage.py score`: score JSON months from stdin (SCHEMES.md section 8).

One object in, one result object out; an array in, an array of the same length and order out. An invalid
element becomes {"error": {"field", "message"}} and the exit status is 1; invalid JSON writes nothing to
stdout, a message to stderr, and exits 1.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from workload.scoring import (
    SchemeTables,
    ScoringInputError,
    builtin_tables,
    dumps,
    error_to_json,
    parse_json_decimal,
    parse_json_int,
    parse_month,
    score_month,
    score_to_json,
)

# A slug the database could hold: SchemeVersion.slug is a SlugField(max_length=80). Anything else (a NUL,
# which PostgreSQL refuses in text, or 5,000 characters) is simply not a known scheme: no query is made.
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}\Z")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def read_json(text: str | bytes) -> Any:
    """Parse exactly: decimals as Decimal; NaN and Infinity (not JSON) are refused; numbers too long or too
    large to be any figure of a month become UnusableNumber (the element is then an error at its field),
    so neither int() of 5,000 digits nor printing 1e999999999 in plain notation ever happens.

    JSON text is UTF-8 (RFC 8259 8.1; UTF-16/32 are still recognised as json.loads does): bytes that do
    not decode are invalid JSON, reported with their position."""
    if isinstance(text, bytes):
        encoding = json.detect_encoding(text)
        try:
            text = text.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"it is not {encoding.upper().removesuffix('-SIG')} text "
                f"(byte 0x{exc.object[exc.start]:02x} at position {exc.start})"
            ) from None
    return json.loads(
        text, parse_float=parse_json_decimal, parse_int=parse_json_int, parse_constant=_reject_constant
    )


class SchemeLookup:
    """Scheme tables by slug for one run: the database's SchemeVersion first, else the shipped data."""

    def __init__(self) -> None:
        self._cache: dict[str, SchemeTables | None] = {}
        self._database = True

    def __call__(self, slug: str) -> SchemeTables | None:
        if slug not in self._cache:
            data = self._from_database(slug)
            self._cache[slug] = SchemeTables.from_data(data) if data is not None else builtin_tables(slug)
        return self._cache[slug]

    def _from_database(self, slug: str) -> dict | None:
        if not self._database or not _SLUG.match(slug):
            return None
        try:
            from workload.models import SchemeVersion

            return SchemeVersion.objects.filter(slug=slug).values_list("data", flat=True).first()
        except (ImportError, DatabaseError):
            # No model yet, or the database is not migrated / not reachable: the shipped data is the
            # same as what the data migration loads, so score from that rather than fail.
            self._database = False
            return None


def score_element(obj: Any, lookup: SchemeLookup) -> tuple[dict[str, Any], bool]:
    """(result object, valid?) for one input element."""
    try:
        month, tables = parse_month(obj, tables_for=lookup)
    except ScoringInputError as exc:
        return error_to_json(exc), False
    return score_to_json(score_month(month=month, tables=tables), scheme_slug=month.scheme), True


class Command(BaseCommand):
    help = "Score workload months read as JSON from stdin (one object or an array); write JSON to stdout."
    stealth_options = ("stdin",)
    # Scoring stdin needs no project-wide system checks; an unrelated check failure must not block it.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin
        raw = stream.buffer.read() if hasattr(stream, "buffer") else stream.read()
        try:
            data = read_json(raw)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise CommandError(f"stdin is not valid JSON: {exc}", returncode=1) from None
        lookup = SchemeLookup()
        if isinstance(data, list):
            results = [score_element(item, lookup) for item in data]
            self.stdout.write(dumps([result for result, _ in results]))
            invalid = sum(1 for _, ok in results if not ok)
        else:
            result, ok = score_element(data, lookup)
            self.stdout.write(dumps(result))
            invalid = 0 if ok else 1
        if invalid:
            self.stdout.flush()
            raise CommandError(
                f"{invalid} input{'s are' if invalid != 1 else ' is'} invalid; see the error objects on stdout.",
                returncode=1,
            )
