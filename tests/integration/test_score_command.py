"""`python manage.py score` as a real subprocess: the golden cases in and out as JSON (SCHEMES.md 8.2, 8.3).

The subprocess uses the environment's settings and database; where the database has no SchemeVersion table
(not migrated) the command scores from the shipped data, which is what the data migration loads.
"""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.golden import expected_output, load_golden
from workload.scoring import dumps

REPO = Path(__file__).resolve().parents[2]


def run_score(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "score"],
        input=stdin.encode(),
        capture_output=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def golden() -> list[dict]:
    return load_golden()  # tests/data/golden/public.json


def dump_exact(value) -> str:
    """JSON text with the golden file's Decimals written back as the same exact numbers."""
    return dumps(value)


def assert_matches(got: dict, case: dict) -> None:
    """The result, or the error with its field and our exact message (tests/golden.py)."""
    assert got == expected_output(case), case["id"]


def test_all_golden_cases_as_one_array(golden):
    result = run_score(dump_exact([case["input"] for case in golden]))
    assert result.returncode == 1, result.stderr  # the golden file has invalid elements
    out = json.loads(result.stdout, parse_float=Decimal)
    assert len(out) == len(golden) == 57
    for got, case in zip(out, golden, strict=True):
        assert_matches(got, case)


def test_valid_elements_only_exit_zero(golden):
    valid = [case for case in golden if "error" not in case["expected"]]
    result = run_score(dump_exact([case["input"] for case in valid]))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout, parse_float=Decimal)
    assert len(valid) == 48
    assert out == [case["expected"] for case in valid]


@pytest.mark.parametrize(
    "case_id", ["not-p05", "swi-p10", "rbw-p07", "war-p05", "cnt-p02", "not-p16", "cnt-p07"]
)
def test_single_object_in_single_object_out(golden, case_id):
    (case,) = [c for c in golden if c["id"] == case_id]
    result = run_score(dump_exact(case["input"]))
    out = json.loads(result.stdout, parse_float=Decimal)
    assert_matches(out, case)  # one object in, one object out (not a one-element array)
    assert result.returncode == (1 if "error" in case["expected"] else 0), result.stderr


def test_numbers_are_written_as_plain_exact_decimals(golden):
    (case,) = [c for c in golden if c["id"] == "not-p05"]
    result = run_score(dump_exact(case["input"]))
    text = result.stdout.decode()
    assert '"case_points": 52.6' in text and '"cases": [15, 12, 14, 6, 5, 0.6]' in text
    assert '"band_thresholds": {"sustainable_min": 45, "sustainable_max": 57, "demanding_max": 66}' in text
    assert "E" not in text.replace("Error", "")  # no exponents


@pytest.mark.parametrize("stdin", ['{"scheme": ', "", "[1, 2", '{"worker": {"wte": NaN}}'])
def test_invalid_json_writes_nothing_to_stdout(stdin):
    result = run_score(stdin)
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"not valid JSON" in result.stderr
    assert b"Traceback" not in result.stderr


def test_non_object_elements_are_errors_at_dollar():
    result = run_score(
        '[42, "x", {"scheme": "caseload-count-v1", "team_type": "luton_iro", '
        '"worker": {"wte": 1}, "cases": [{"children": 50, "category": "cic"}]}]'
    )
    assert result.returncode == 1
    out = json.loads(result.stdout, parse_float=Decimal)
    assert [o.get("error", {}).get("field") for o in out] == ["$", "$", None]
    assert out[2]["band"] == "within_target"


@pytest.mark.django_db
def test_scheme_versions_in_the_database_come_first():
    from io import StringIO

    from django.core.management import call_command

    from workload.models import SchemeVersion
    from workload.scoring import builtin_scheme_data

    data = builtin_scheme_data()["nottinghamshire-wlm-2016"]
    data["thresholds"] = {"sustainable_min": 70, "sustainable_max": 90, "demanding_max": 100}
    version = SchemeVersion.objects.get(slug="nottinghamshire-wlm-2016")  # loaded by the data migration
    version.data = data
    version.save()
    out = StringIO()
    stdin = StringIO(
        '{"scheme": "nottinghamshire-wlm-2016", "team_type": "assessment", "worker": {"wte": 0.5}, '
        '"cases": [{"children": 4, "category": "s47_icpc"}]}'
    )
    call_command("score", stdin=stdin, stdout=out)
    result = json.loads(out.getvalue(), parse_float=Decimal)
    assert result["band_thresholds"] == {"sustainable_min": 35, "sustainable_max": 45, "demanding_max": 50}
    assert result["total_points"] == 21
