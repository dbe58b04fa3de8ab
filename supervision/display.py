"""A pro-forma's values in the words people read, driven by the declared field list (supervision.fields).

The read-only view, the revision diff and the audit trail show values through `show_value`, so a code
never reaches a person: categories, factors, personal elements, grades and positions by their labels.
Pure apart from reading the related objects the selector already joined (worker, team, submitter).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from supervision.fields import LINE_FIELDS, SECTIONS, SHOWN, EntryField, LineField
from supervision.rules import plain
from workload.models import Position


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: list[Row]


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def show_value(kind: str, value: Any, *, tables=None, team_type: str = "", entry=None) -> str:
    """One value as the page shows it. `tables` gives scheme labels for codes."""
    if kind in ("bool",):
        return "Yes" if value else "No"
    if kind == "yesno":
        return "–" if value is None else ("Yes" if value else "No")
    if _blank(value):
        return "–"
    if kind == "date" and isinstance(value, date):
        return f"{value:%-d %b %Y}"
    if kind == "datetime" and isinstance(value, datetime):
        return f"{timezone.localtime(value):%-d %b %Y %H:%M}"
    if kind == "month" and isinstance(value, date):
        return f"{value:%B %Y}"
    if kind in ("decimal", "hours", "wte"):
        text = plain(Decimal(value))
        return f"{text} hours" if kind == "hours" else text
    if kind == "position":
        return Position(value).label if value in Position.values else str(value)
    if kind == "grade":
        return (tables.grades.get(value) if tables else None) or str(value)
    if kind == "codes:personal":
        names = {code: lab for code, (lab, _points) in tables.personal_elements.items()} if tables else {}
        return "; ".join(names.get(code, code) for code in value)
    if kind == "codes:extras":
        names = {code: extra.label for code, extra in tables.extras.items()} if tables else {}
        return "; ".join(names.get(code, code) for code in value)
    if kind == "code:category":
        return (dict(tables.categories_for(team_type)).get(value) if tables else None) or str(value)
    if kind == "codes:factors":
        return "; ".join((tables.factor_specs[c].label if tables and c in tables.factor_specs else c) for c in value)
    if kind == "thresholds" and isinstance(value, Mapping):
        names = dict(tables.threshold_keys) if tables else {}
        return "; ".join(f"{names.get(k, k.replace('_', ' ')).capitalize()} {plain(Decimal(str(v)))}"
                         for k, v in value.items())
    if kind == "team_type":
        return (tables.team_types.get(value) if tables else None) or str(value)
    if entry is not None and kind in ("worker", "team", "scheme", "user"):
        related = {"worker": "worker", "team": "team", "scheme": "scheme_version", "user": "submitted_by"}[kind]
        obj = getattr(entry, related, None)
        if kind == "worker":
            return obj.full_name
        if kind == "team":
            return obj.name
        if kind == "scheme":
            return obj.label
        return (obj.get_full_name() or obj.username) if obj else "–"
    return str(value)


def field_value(field: EntryField, entry, *, tables) -> str:
    return show_value(field.kind, getattr(entry, field.name), tables=tables, team_type=entry.team_type, entry=entry)


def line_value(field: LineField, line, *, tables, team_type: str) -> str:
    return show_value(field.kind, getattr(line, field.name), tables=tables, team_type=team_type)


def entry_sections(entry, *, tables) -> list[Section]:
    """The read-only pro-forma, section by section, every shown field of the declared list in order."""
    sections: dict[str, list[Row]] = {key: [] for key in SECTIONS}
    for field in SHOWN:
        value = getattr(entry, field.name)
        if field.hide_blank and _blank(value):
            continue
        if field.name == "extra_duty_hours" and not value:
            continue
        sections[field.section].append(Row(field.name, field.label, field_value(field, entry, tables=tables)))
    return [Section(key, SECTIONS[key], rows) for key, rows in sections.items() if rows]


def line_columns() -> tuple[LineField, ...]:
    return LINE_FIELDS


def line_rows(lines: Sequence[Any], *, tables, team_type: str) -> list[list[str]]:
    return [[line_value(f, line, tables=tables, team_type=team_type) for f in LINE_FIELDS] for line in lines]
