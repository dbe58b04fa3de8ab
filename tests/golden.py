"""The golden cases: the scheme specification's public examples (input, expected result or error field).

They are copied into the repository, tests/data/golden/public.json, so that a fresh clone tests itself. The
specification keeps its own copy outside the repository; tests/unit/test_scoring_golden.py compares the two
when that copy is present, and every other test reads only the one in the repository.
"""

import json
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "data" / "golden" / "public.json"

# The specification fixes only the field of an error (its wording is free); these messages are ours, asserted
# exactly so that a message that stops naming the bad value is noticed.
ERROR_MESSAGES = {
    "not-p15": "A worker can have at most 2 personal elements; 3 are listed (nqsw_asye, asye_mentor, "
    "onsite_supervisor).",
    "not-p16": "'s7_report_open_case' is not applicable to team type 'through_care_court'.",
    "not-p17": "A case can have at most 2 additional factors; this one has 3 (interpreter, adult_of_concern, "
    "mappa_attendance).",
    "swi-p06": "'lac_complex' cannot be used on a 'cp' case; it is for lac cases only.",
    "rbw-p06": "'supervised_contact' cannot be used on a 'cp' case; it is for cic cases only.",
    "war-p06": "'travel_over_1h' cannot be used on a 'cin' case; it is for child_no_statutory_plan, cic, cp, "
    "fostering_household, fostering_household_in_assessment, private_fostering cases only.",
    "war-p07": "'to_be_closed' replaces all other points of the case, so it cannot be combined with "
    "'newly_allocated'.",
    "cnt-p06": "Scheme 'caseload-count-v1' takes no additional factors: it counts children only; remove "
    "'interpreter'.",
    "cnt-p07": "WTE must be more than 0 and at most 1 (1 = five days a week), not 0.",
}


def load_golden(path: Path = GOLDEN) -> list[dict]:
    """The cases with every JSON number read as an exact Decimal (or int)."""
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def expected_output(case: dict) -> dict:
    """What scoring the case's input must print: the expected result, or the error with our exact message."""
    expected = case["expected"]
    if "error" in expected:
        return {"error": {"field": expected["error"]["field"], "message": ERROR_MESSAGES[case["id"]]}}
    return expected
