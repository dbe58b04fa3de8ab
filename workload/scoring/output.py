"""The score command's JSON (SCHEMES.md 8.2, 8.3), with numbers written as exact plain decimals."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .decimals import plain
from .engine import Score
from .validate import ScoringInputError


def decimal_to_json_number(value: Decimal | int) -> str:
    """JSON number text for an exact value: `21`, `10.5`, `56.25`; never an exponent or trailing zeros."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"not an exact number: {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"JSON has no number for {value}")
    return plain(value)


def score_to_json(score: Score, *, scheme_slug: str) -> dict[str, Any]:
    """A result object in the spec's key order; numbers stay Decimal (write them with `dumps`)."""
    result: dict[str, Any] = {
        "scheme": scheme_slug,
        "case_points": score.case_points,
        "personal_points": score.personal_points,
        "extra_points": score.extra_points,
        "total_points": score.total_points,
        "band": score.band,
        "band_thresholds": dict(score.band_thresholds),
        "cases": [case.points for case in score.cases],
    }
    if score.workload_weight is not None:
        result["workload_weight"] = score.workload_weight
    if score.case_count is not None:
        result["case_count"] = score.case_count
        result["case_band"] = score.case_band
    return result


def error_to_json(error: ScoringInputError) -> dict[str, Any]:
    return {"error": {"field": error.field, "message": error.message}}


def dumps(value: Any) -> str:
    """JSON text like json.dumps, except that Decimals are written as exact plain numbers."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, int | Decimal):
        out.append(decimal_to_json_number(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(", ")
            out.append(json.dumps(str(key)))
            out.append(": ")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(", ")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON: {value!r}")
