"""The fingerprint of what a worker signs: a SHA-256 over the entry's scored content in canonical JSON.

Kept in one place so the workflow, the demo seeder and any later verification hash the same fields.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

ENTRY_FIELDS = (
    "worker_id", "team_id", "month", "revision", "scheme_version_id", "team_type", "position", "wte", "grade",
    "personal", "extra_duty_hours", "extras", "case_points", "personal_points", "extra_points", "total_points",
    "band", "workload_weight", "case_count", "case_band", "children_count", "family_groups",
    "workload_manageable", "workload_comment", "workload_context", "workload_action", "deviation_reason",
    "demanding_until", "high_priorities", "over_capacity_reason", "over_max_reason", "over_max_until",
    "over_max_review_on", "remedial_action",
)
LINE_FIELDS = ("reference", "children", "category", "factors", "co_worked", "co_work_share", "not_allocated", "points")


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def content_hash(entry: Any, lines: Iterable[Any]) -> str:
    """Hash the entry's fields and its lines (in order). Works on model instances or plain mappings."""

    def get(obj: Any, name: str) -> Any:
        return obj[name] if isinstance(obj, Mapping) else getattr(obj, name)

    payload = {
        "entry": {name: _canonical(get(entry, name)) for name in ENTRY_FIELDS},
        "lines": [{name: _canonical(get(line, name)) for name in LINE_FIELDS} for line in lines],
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
