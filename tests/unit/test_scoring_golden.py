"""Every golden case (tests/golden.py) through parse_month + score_month, compared exactly."""

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from tests.golden import ERROR_MESSAGES, GOLDEN, REPO, expected_output, load_golden
from workload.scoring import ScoringInputError, builtin_tables, dumps, parse_month, score_month, score_to_json

CASES = load_golden()
# The specification's own copy, beside a checkout (or where CASEWEIGHT_GOLDEN says): read by one test only.
SPEC_GOLDEN = Path(os.environ.get("CASEWEIGHT_GOLDEN") or REPO.parent / "shared" / "domain" / "golden" / "public.json")


def score_text(obj: object) -> str:
    """The JSON text the score command prints for one input (dumps refuses floats: numbers stay exact)."""
    try:
        month, tables = parse_month(obj, tables_for=builtin_tables)
    except ScoringInputError as exc:
        return dumps({"error": {"field": exc.field, "message": exc.message}})
    return dumps(score_to_json(score_month(month=month, tables=tables), scheme_slug=month.scheme))


@pytest.mark.parametrize("case", [pytest.param(case, id=case["id"]) for case in CASES])
def test_golden_case(case):
    text = score_text(case["input"])
    expected = expected_output(case)

    assert json.loads(text, parse_float=Decimal) == expected  # Decimal == Decimal is numeric: 21 == 21.0
    # The printed text too: the spec's key order and plain numbers ("52.6", never "5.26E+1" or "52.60").
    assert text == dumps(expected)


def test_the_golden_file_holds_the_public_cases_of_every_scheme():
    """A guard on the copy itself: an emptied or truncated file would let the test above pass vacuously."""
    assert (len(CASES), len({case["id"] for case in CASES})) == (57, 57)
    assert sorted({case["input"]["scheme"] for case in CASES}) == [
        "caseload-count-v1", "nottinghamshire-wlm-2016", "rbwm-cws-v1", "swindon-cws-v1", "warrington-wms-2014",
    ]
    assert sorted(case["id"] for case in CASES if "error" in case["expected"]) == sorted(ERROR_MESSAGES)


@pytest.mark.skipif(not SPEC_GOLDEN.is_file(), reason=f"the specification's golden file is not here ({SPEC_GOLDEN})")
def test_the_in_repo_copy_matches_the_specification():
    assert load_golden(GOLDEN) == load_golden(SPEC_GOLDEN), (
        f"tests/data/golden/public.json differs from {SPEC_GOLDEN}: copy the specification's file over it"
    )
