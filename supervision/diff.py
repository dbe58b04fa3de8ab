"""What a revision changed, field by field and line by line, in the words the page shows (pure).

The fields compared are the declared list's shown fields (supervision.fields), the same the read-only view
shows and the signature covers, so a correction cannot change something the diff does not mention.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from supervision.display import field_value, line_value
from supervision.fields import LINE_FIELDS, SHOWN
from supervision.models import EntryLine, ProformaEntry

# Identity and signature fields differ between every two revisions by construction: not a correction.
NOT_COMPARED = {"submitted_by_id", "submitted_at", "worker_comment"}


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


def _norm(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, list | tuple):
        return sorted(value)
    return value


def entry_diff(*, old: ProformaEntry, old_lines: Sequence[EntryLine], new: ProformaEntry,
               new_lines: Sequence[EntryLine], tables=None) -> EntryDiff:
    """What a revision changed: fields, then lines matched by case (or by reference for manual lines)."""
    fields = [
        FieldChange(field.label, field_value(field, old, tables=tables), field_value(field, new, tables=tables))
        for field in SHOWN
        if field.name not in NOT_COMPARED and _norm(getattr(old, field.name)) != _norm(getattr(new, field.name))
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
            FieldChange(f.label, line_value(f, previous, tables=tables, team_type=old.team_type),
                        line_value(f, line, tables=tables, team_type=new.team_type))
            for f in LINE_FIELDS
            if f.name != "reference" and _norm(getattr(previous, f.name)) != _norm(getattr(line, f.name))
        ]
        if diffs:
            changes.append(LineChange(line.reference, "changed", diffs))
    changes.extend(LineChange(line.reference, "removed", []) for k, line in before.items() if k not in after)
    return EntryDiff(old_revision=old.revision, fields=fields, lines=changes)
