"""Per-row checks: each cell against its column's type, then the rules across rows and files.

Every message is plain English and names the value; a row, a column and a file go with it (RowError)."""
from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from reporting.imports.formats import BOOL, CHOICE, DATE, DECIMAL, INT, MONTH, TEXT
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


class _Bad(ValueError):
    """A cell's value does not fit its column; the message says why."""


def _converter(column, today: date):
    """The function that turns one cell's text into its value, or raises _Bad with the message."""
    if column.type == TEXT:
        limit = None if column.name == "overrides" else 200

        def text(value: str):
            if limit and len(value) > limit:
                raise _Bad(TOO_LONG.format(value=value[:40] + "…", limit=limit))
            return value
        return text
    if column.type in (DATE, MONTH):
        parse, message = (parse_month, NOT_A_MONTH) if column.type == MONTH else (parse_date, NOT_A_DATE)

        def day(value: str):
            try:
                parsed = date.fromisoformat(value) if column.type == DATE and len(value) == 10 else parse(value)
            except ValueError:
                try:
                    parsed = parse(value)
                except ValueError:
                    raise _Bad(message.format(value=value)) from None
            if column.past and parsed > today:
                raise _Bad(FUTURE.format(value=parsed.strftime("%d %b %Y")))
            return parsed
        return day
    if column.type == INT:
        def whole(value: str):
            try:
                number = int(value.replace(",", ""))
            except ValueError:
                raise _Bad(NOT_WHOLE.format(value=value)) from None
            if number < 0:
                raise _Bad(NEGATIVE.format(value=value))
            return number
        return whole
    if column.type == DECIMAL:
        def decimal(value: str):
            try:
                number = Decimal(value)
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                raise _Bad(NOT_DECIMAL.format(value=value)) from None
            if number < 0:
                raise _Bad(NEGATIVE.format(value=value))
            if column.name == "wte" and not (Decimal(0) < number <= Decimal(1)):
                raise _Bad(WTE_RANGE.format(value=value))
            return number
        return decimal
    if column.type == BOOL:
        def yes_no(value: str):
            lowered = value.lower()
            if lowered in ("yes", "y", "true", "1"):
                return True
            if lowered in ("no", "n", "false", "0"):
                return False
            raise _Bad(NOT_YES_NO.format(value=value))
        return yes_no
    if column.type == CHOICE:
        choices = frozenset(column.choices)

        def choice(value: str):
            if value in choices:
                return value
            normal = value.lower().replace(" ", "_").replace("-", "_")
            if normal not in choices:
                raise _Bad(NOT_CHOICE.format(value=value, choices=", ".join(column.choices)))
            return normal
        return choice
    raise ValueError(f"Unknown column type {column.type}")


def _fast_column(column, texts: list[str], today: date) -> list | None:
    """The whole column's values in one pass of built-in conversions, or None when any cell is empty or might
    be refused (the caller then goes cell by cell for the messages). Accepts exactly what `_converter` accepts."""
    if "" in texts:
        if column.required:
            return None  # cell by cell, for "a value is required"
        filled = [t for t in texts if t]
        values = _fast_column(column, filled, today) if filled else []
        if values is None:
            return None
        given = iter(values)
        return [next(given) if t else None for t in texts]
    kind = column.type
    if kind == TEXT:
        limit = None if column.name == "overrides" else 200
        return texts if limit is None or max(map(len, texts), default=0) <= limit else None
    if kind == CHOICE:
        return texts if set(texts) <= set(column.choices) else None
    try:
        if kind == DATE:
            if set(map(len, texts)) != {10}:
                return None  # DD/MM/YYYY and the rest: cell by cell (ten characters: ISO first, as there)
            values = list(map(date.fromisoformat, texts))
            return None if column.past and values and max(values) > today else values
        if kind == INT:
            values = list(map(int, texts))
            return None if values and min(values) < 0 else values
        if kind == DECIMAL:
            values = list(map(Decimal, texts))
            if not all(map(Decimal.is_finite, values)) or (values and min(values) < 0):
                return None
            if column.name == "wte" and values and not (Decimal(0) < min(values) and max(values) <= Decimal(1)):
                return None
            return values
    except (ValueError, ArithmeticError):  # InvalidOperation is an ArithmeticError
        return None
    return None  # months and yes/no: few rows, cell by cell


def typed_rows(parsed: ParsedFile, *, today: date) -> tuple[list[Row], list[RowError]]:
    """Each row's cells in Python types; a repeated key is an error on the later row.

    Column by column: a column whose every cell converts with the built-in conversions (dates, numbers, codes)
    is converted in one pass; a column with an empty or doubtful cell goes cell by cell for the messages. The
    errors come out row by row, each row's in column order, as a row-by-row loop would give them."""
    fmt = parsed.format
    name = parsed.name
    raw_rows, numbers = parsed.rows, parsed.line_numbers
    if len(raw_rows) != len(numbers):
        raise ValueError("each row needs its row number")
    names = [c.name for c in fmt.columns]
    row_errors: dict[int, list[RowError]] = defaultdict(list)  # by row index, in column order
    columns: list[list] = []
    for column in fmt.columns:
        try:
            texts = list(map(itemgetter(column.name), raw_rows))
        except KeyError:  # a column the file does not have
            texts = [r.get(column.name, "") for r in raw_rows]
        values = _fast_column(column, texts, today)
        if values is None:
            values = []
            convert = _converter(column, today)
            for i, text in enumerate(texts):
                if text == "":
                    values.append(None)
                    if column.required:
                        row_errors[i].append(RowError(name, numbers[i], column.name, REQUIRED))
                    continue
                try:
                    values.append(convert(text))
                except _Bad as bad:
                    values.append(None)
                    row_errors[i].append(RowError(name, numbers[i], column.name, str(bad)))
        columns.append(values)
    key_at = [names.index(k) for k in fmt.key]
    required_key_at = [names.index(k) for k in fmt.key if fmt.column(k).required]
    what = "the " + " and ".join(fmt.key)
    errors: list[RowError] = []
    keys = list(zip(*[columns[j] for j in key_at], strict=True))
    if not row_errors and len(set(keys)) == len(keys):  # the usual file: every row good, no key repeated
        return [Row(number, dict(zip(names, values, strict=True)))
                for number, values in zip(numbers, zip(*columns, strict=True), strict=True)], errors
    rows: list[Row] = []
    first_of_key: dict[tuple, int] = {}
    for i, (number, values, key) in enumerate(zip(numbers, zip(*columns, strict=True), keys, strict=True)):
        found = row_errors.get(i)
        if found:
            errors.extend(found)
        if not found or all(values[j] is not None for j in required_key_at):
            if key in first_of_key:
                errors.append(RowError(name, number, fmt.key[0], DUPLICATE.format(what=what, row=first_of_key[key])))
                continue
            first_of_key[key] = number
        if not found:
            rows.append(Row(number, dict(zip(names, values, strict=True))))
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
