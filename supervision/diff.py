"""What a revision changed, field by field and line by line, in the words the page shows (pure)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from supervision.models import EntryLine, ProformaEntry
from supervision.rules import plain as _plain


@dataclass
class FieldChange:
    label: str
    old: Any
    new: Any


@dataclass
class LineChange:
    reference: str
    kind: str  # "added", "removed", "changed"
    changes: list[FieldChange]


@dataclass
class EntryDiff:
    old_revision: int
    fields: list[FieldChange]
    lines: list[LineChange]

    @property
    def is_empty(self) -> bool:
        return not self.fields and not self.lines


DIFF_FIELDS = (
    "position", "is_agency", "wte", "grade", "date_of_score", "personal", "extra_duty_hours", "extra_duty_explanation",
    "extras", "case_points", "personal_points", "extra_points", "total_points", "band_label", "children_count",
    "family_groups", "workload_manageable", "workload_comment", "workload_context", "workload_action",
    "deviation_reason", "over_max_reason", "over_max_until", "over_max_review_on", "demanding_until",
    "high_priorities", "over_capacity_reason", "remedial_action", "completed_in_absence",
)


LINE_DIFF_FIELDS = ("children", "category", "factors", "co_worked", "co_work_share", "not_allocated", "points")


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, list | tuple):
        return sorted(value)
    return value


def _show(value: Any) -> str:
    """A diff value as the page shows it: exact numbers without trailing zeros, lists joined, Yes/No."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return f"{value:%-d %b %Y}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def entry_diff(*, old: ProformaEntry, old_lines: Sequence[EntryLine], new: ProformaEntry,
               new_lines: Sequence[EntryLine]) -> EntryDiff:
    """What a revision changed: fields, then lines matched by case (or by reference for manual lines)."""
    fields = [
        FieldChange(ProformaEntry._meta.get_field(name).verbose_name.capitalize() if name != "band_label" else "Band",
                    _show(getattr(old, name)), _show(getattr(new, name)))
        for name in DIFF_FIELDS
        if _norm(getattr(old, name)) != _norm(getattr(new, name))
    ]

    def key(line: EntryLine) -> Any:
        return ("case", line.case_id) if line.case_id else ("ref", line.reference)

    before = {key(line): line for line in old_lines}
    after = {key(line): line for line in new_lines}
    changes = []
    for k, line in after.items():
        previous = before.get(k)
        if previous is None:
            changes.append(LineChange(line.reference, "added", []))
            continue
        diffs = [
            FieldChange(name.replace("_", " "), _show(getattr(previous, name)), _show(getattr(line, name)))
            for name in LINE_DIFF_FIELDS
            if _norm(getattr(previous, name)) != _norm(getattr(line, name))
        ]
        if diffs:
            changes.append(LineChange(line.reference, "changed", diffs))
    changes.extend(LineChange(line.reference, "removed", []) for k, line in before.items() if k not in after)
    return EntryDiff(old_revision=old.revision, fields=fields, lines=changes)
