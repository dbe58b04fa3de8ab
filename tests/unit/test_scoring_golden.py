"""Every golden case of domain/golden/public.json through parse_month + score_month, compared exactly.

The file lives in the shared folder beside the repository (CASEWEIGHT_GOLDEN overrides the path). A
missing file fails the suite: a golden test that skips proves nothing.
"""

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from workload.scoring import ScoringInputError, builtin_tables, dumps, parse_month, score_month, score_to_json

GOLDEN = Path(
    os.environ.get("CASEWEIGHT_GOLDEN")
    or Path(__file__).resolve().parents[2].parent / "shared" / "domain" / "golden" / "public.json"
)


def _golden_cases() -> list:
    if not GOLDEN.is_file():
        return [pytest.param(None, id="golden-file-missing")]
    cases = json.loads(GOLDEN.read_text(encoding="utf-8"), parse_float=Decimal)
    return [pytest.param(case, id=case["id"]) for case in cases]


def score_as_json(obj: object) -> dict:
    """The result object the score command prints for one input, read back as exact JSON."""
    try:
        month, tables = parse_month(obj, tables_for=builtin_tables)
    except ScoringInputError as exc:
        return {"error": {"field": exc.field, "message": exc.message}}
    result = score_to_json(score_month(month=month, tables=tables), scheme_slug=month.scheme)
    return json.loads(dumps(result), parse_float=Decimal)


@pytest.mark.parametrize("case", _golden_cases())
def test_golden_case(case):
    if case is None:
        pytest.fail(f"golden cases not found at {GOLDEN}; set CASEWEIGHT_GOLDEN to the public.json path")
    got = score_as_json(case["input"])
    expected = case["expected"]
    if "error" in expected:
        assert "error" in got, f"expected an error at {expected['error']['field']}, got {got}"
        assert got["error"]["field"] == expected["error"]["field"], got["error"]["message"]
        assert got["error"]["message"]
    else:
        # Decimal == Decimal is numeric (21 == 21.0); a string or a float in the output would not match.
        assert got == expected
        assert all(not isinstance(v, float) for v in _numbers(got))


def _numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        yield value
