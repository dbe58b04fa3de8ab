"""Per-row checks: each cell against its column's type, then the rules across rows and files.

Every message is plain English and names the value; a row, a column and a file go with it (RowError)."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from reporting.imports.formats import BOOL, CHOICE, DATE, DECIMAL, INT, MONTH, TEXT, FileFormat
from reporting.imports.readers import ParsedFile, RowError

REQUIRED = "A value is required."
NOT_A_DATE = "'{value}' is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY)."
NOT_A_MONTH = "'{value}' is not a month; write it as YYYY-MM."
FUTURE = "{value} is in the future; only past dates can be imported here."
NOT_WHOLE = "'{value}' is not a whole number."
NEGATIVE = "'{value}' cannot be negative."
NOT_DECIMAL = "'{value}' is not a number."
NOT_YES_NO = "'{value}' is not yes or no."
NOT_CHOICE = "'{value}' is not one of: {choices}."
WTE_RANGE = "A WTE of {value} is out of range; it must be more than 0 and at most 1."
DUPLICATE = "This row repeats {what} of row {row}."
TOO_LONG = "'{value}' is longer than {limit} characters."

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass
class Row:
    """One row's values in Python types, with its row number in the file."""

    number: int
    values: dict


def parse_date(text: str) -> date:
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return date(year, month, day)
    return date.fromisoformat(text[:10]) if len(text) in (10, 19) or "T" in text else date.fromisoformat(text)


def parse_month(text: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return date(int(text[:4]), int(text[5:]), 1)
    day = parse_date(text)
    if day.day != 1:
        raise ValueError
    return day


def _coerce(fmt: FileFormat, name: str, raw: dict[str, str], number: int, today: date, errors: list[RowError]):
    values: dict = {}
    for column in fmt.columns:
        text = raw.get(column.name, "")
        if text == "":
            if column.required:
                errors.append(RowError(name, number, column.name, REQUIRED))
            values[column.name] = None
            continue

        def bad(message: str, _column=column) -> None:
            errors.append(RowError(name, number, _column.name, message))

        value = None
        if column.type == TEXT:
            value = text
            if len(text) > 200 and column.name != "overrides":
                bad(TOO_LONG.format(value=text[:40] + "…", limit=200))
                value = None
        elif column.type in (DATE, MONTH):
            try:
                value = parse_month(text) if column.type == MONTH else parse_date(text)
            except ValueError:
                bad((NOT_A_MONTH if column.type == MONTH else NOT_A_DATE).format(value=text))
            else:
                if column.past and value > today:
                    bad(FUTURE.format(value=value.strftime("%d %b %Y")))
                    value = None
        elif column.type == INT:
            try:
                value = int(text.replace(",", ""))
            except ValueError:
                bad(NOT_WHOLE.format(value=text))
            else:
                if value < 0:
                    bad(NEGATIVE.format(value=text))
                    value = None
        elif column.type == DECIMAL:
            try:
                value = Decimal(text)
                if not value.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                bad(NOT_DECIMAL.format(value=text))
                value = None
            else:
                if value < 0:
                    bad(NEGATIVE.format(value=text))
                    value = None
                elif column.name == "wte" and not (Decimal(0) < value <= Decimal(1)):
                    bad(WTE_RANGE.format(value=text))
                    value = None
        elif column.type == BOOL:
            lowered = text.lower()
            if lowered in ("yes", "y", "true", "1"):
                value = True
            elif lowered in ("no", "n", "false", "0"):
                value = False
            else:
                bad(NOT_YES_NO.format(value=text))
        elif column.type == CHOICE:
            value = text if text in column.choices else text.lower().replace(" ", "_").replace("-", "_")
            if value not in column.choices:
                bad(NOT_CHOICE.format(value=text, choices=", ".join(column.choices)))
                value = None
        values[column.name] = value
    return values


def typed_rows(parsed: ParsedFile, *, today: date) -> tuple[list[Row], list[RowError]]:
    """Each row's cells in Python types; a repeated key is an error on the later row."""
    fmt = parsed.format
    errors: list[RowError] = []
    rows: list[Row] = []
    first_of_key: dict[tuple, int] = {}
    for raw, number in zip(parsed.rows, parsed.line_numbers, strict=True):
        before = len(errors)
        values = _coerce(fmt, parsed.name, raw, number, today, errors)
        key = tuple(values.get(k) for k in fmt.key)
        if all(values.get(k) is not None or not fmt.column(k).required for k in fmt.key):
            if key in first_of_key:
                what = "the " + " and ".join(fmt.key) if len(fmt.key) > 1 else f"the {fmt.key[0]}"
                errors.append(RowError(parsed.name, number, fmt.key[0], DUPLICATE.format(what=what, row=first_of_key[key])))
                continue
            first_of_key[key] = number
        if len(errors) == before:
            rows.append(Row(number, values))
    return rows, errors


def overrides_value(text: str | None) -> dict | None:
    """The overrides column: a JSON object, or None if it is not one."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def overlapping(spans: list[tuple[date, date | None, object]]) -> list[tuple[object, object]]:
    """Pairs of spans (start, end or open, tag) that share a day, each reported once (the later against the earlier)."""
    ordered = sorted(spans, key=lambda s: s[0])
    clashes = []
    for i, (_start, end, tag) in enumerate(ordered):
        for other_start, _other_end, other_tag in ordered[i + 1:]:
            if other_start > (end or date.max):
                break
            clashes.append((other_tag, tag))
    return clashes


def max_concurrent(spans: list[tuple[date, date | None, object]]) -> list[object]:
    """Tags of spans that start while two others are still running (a third worker on a case)."""
    events = sorted(spans, key=lambda s: s[0])
    running: list[tuple[date, object]] = []
    over = []
    for start, end, tag in events:
        running = [(e, t) for e, t in running if e >= start]
        if len(running) >= 2:
            over.append(tag)
        running.append((end or date.max, tag))
    return over


def group_by(rows: list[Row], column: str) -> dict:
    grouped: dict = defaultdict(list)
    for row in rows:
        grouped[row.values[column]].append(row)
    return grouped
