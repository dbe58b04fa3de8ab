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


# ------------------------------------------------------------------------------------------- absurd input
# In-process (call_command), so the timing measures the parse and checks, not Django's start-up.

NOTTS_MONTH = '{{"scheme": "nottinghamshire-wlm-2016", "team_type": "assessment", "worker": {worker}, "cases": {cases}}}'


def score_in_process(stdin: str | bytes) -> tuple[int, str, float]:
    """(exit status, stdout, seconds) of `manage.py score` run in this process."""
    import io
    import time

    from django.core.management import CommandError, call_command

    raw = stdin.encode("utf-8", "surrogatepass") if isinstance(stdin, str) else stdin
    stream, out = io.TextIOWrapper(io.BytesIO(raw)), io.StringIO()
    started = time.perf_counter()
    try:
        call_command("score", stdin=stream, stdout=out)
        status = 0
    except CommandError as exc:
        status = exc.returncode
    return status, out.getvalue(), time.perf_counter() - started


@pytest.mark.django_db
@pytest.mark.parametrize(("worker", "cases", "field", "message"), [
    ('{"wte": 1e999999999}', "[]", "worker.wte",
     "WTE must be more than 0 and at most 1 (1 = five days a week), with at most 30 decimal places, not 1e999999999."),
    ('{"wte": 1e-999999999}', "[]", "worker.wte",
     "WTE must be more than 0 and at most 1 (1 = five days a week), with at most 30 decimal places, not 1e-999999999."),
    ('{"wte": 0.' + "0" * 5000 + "1}", "[]", "worker.wte",
     "WTE must be more than 0 and at most 1 (1 = five days a week), with at most 30 decimal places, not "
     + "0." + "0" * 37 + "…."),
    ('{"wte": 1}', '[{"children": ' + str(10**30) + ', "category": "s47_icpc"}]', "cases[0].children",
     "children must be a whole number of at least 1 and at most 999, not 1000000000000000000000000000000."),
    ('{"wte": 1}', '[{"children": ' + "9" * 5000 + ', "category": "s47_icpc"}]', "cases[0].children",
     "children must be a whole number of at least 1 and at most 999, not " + "9" * 39 + "…."),
    ('{"wte": 1}', '[{"children": 1000, "category": "s47_icpc"}]', "cases[0].children",
     "children must be a whole number of at least 1 and at most 999, not 1000."),
    ('{"wte": 1, "extra_duty_hours": 1e99999999}', "[]", "worker.extra_duty_hours",
     "Extra-duty hours must be at most 744 (a 31-day month of 24-hour days), with at most 30 decimal places, "
     "not 1e99999999."),
    ('{"wte": 1, "extra_duty_hours": 744.5}', "[]", "worker.extra_duty_hours",
     "Extra-duty hours must be at most 744 (a 31-day month of 24-hour days), not 744.5."),
    ('{"wte": 1, "extra_duty_hours": -1e99999999}', "[]", "worker.extra_duty_hours",
     "Extra-duty hours cannot be negative (-1e99999999)."),
    ('{"wte": 1}', '[{"children": 1, "category": "cin_stable", "co_worked": true, "co_work_share": 1e-99999}]',
     "cases[0].co_work_share",
     "The co-working share must be more than 0 and at most 1, with at most 30 decimal places, not 1e-99999."),
])
def test_absurd_numbers_are_errors_at_their_field_at_once(worker, cases, field, message):
    status, out, seconds = score_in_process(NOTTS_MONTH.format(worker=worker, cases=cases))
    assert (status, json.loads(out)) == (1, {"error": {"field": field, "message": message}})
    assert seconds < 2


@pytest.mark.django_db
def test_the_most_extra_duty_hours_a_month_holds_are_scored():
    status, out, _ = score_in_process(NOTTS_MONTH.format(worker='{"wte": 1, "extra_duty_hours": 744}', cases="[]"))
    assert (status, json.loads(out)["extra_points"]) == (0, 372)


@pytest.mark.django_db
@pytest.mark.parametrize(("stdin", "field", "message"), [
    ('{"scheme": "\\ud800"}', "scheme", "The scheme '\\ud800' is not valid Unicode text (it holds an unpaired surrogate)."),
    ('{"scheme": "nottinghamshire-wlm-2016", "team_type": "assess\\udfff"}', "team_type",
     "The team type 'assess\\udfff' is not valid Unicode text (it holds an unpaired surrogate)."),
    (NOTTS_MONTH.format(worker='{"wte": 1}', cases='[{"children": 1, "category": "s47_icpc", "factors": ["\\ud83d"]}]'),
     "cases[0].factors[0]", "The factor '\\ud83d' is not valid Unicode text (it holds an unpaired surrogate)."),
    ('{"scheme": "x\\u0000"}', "scheme", "'x\x00' is not a known scheme."),
])
def test_lone_surrogates_and_nuls_are_errors_at_their_field(stdin, field, message):
    status, out, seconds = score_in_process(stdin)
    assert (status, json.loads(out)) == (1, {"error": {"field": field, "message": message}})
    assert out.isascii() and seconds < 2


@pytest.mark.django_db
def test_a_paired_surrogate_escape_is_a_character_like_any_other():
    status, out, _ = score_in_process('{"scheme": "\\ud83d\\ude00"}')
    assert (status, json.loads(out)) == (1, {"error": {"field": "scheme", "message": "'😀' is not a known scheme."}})


@pytest.mark.parametrize("stdin", [b'{"scheme": "\xff"}', b'{"scheme": "\xed\xa0\x80"}', b"\xc3"])
def test_bytes_that_are_not_utf8_are_invalid_json(stdin):
    result = run_score_bytes(stdin)
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr.startswith(b"CommandError: stdin is not valid JSON: it is not UTF-8 text (byte 0x")
    assert b"Traceback" not in result.stderr


def run_score_bytes(stdin: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "score"], input=stdin, capture_output=True, cwd=REPO,
                          timeout=120, check=False)


def test_absurd_input_in_a_real_process_exits_1_with_the_error_objects():
    stdin = "[" + ", ".join([
        NOTTS_MONTH.format(worker='{"wte": 1e999999999}', cases="[]"),
        NOTTS_MONTH.format(worker='{"wte": 1}', cases=f'[{{"children": {10**30}, "category": "s47_icpc"}}]'),
        '{"scheme": "\\ud800"}',
        NOTTS_MONTH.format(worker='{"wte": 1}', cases='[{"children": 4, "category": "s47_icpc"}]'),
    ]) + "]"
    result = run_score(stdin)
    out = json.loads(result.stdout)
    assert result.returncode == 1
    assert [o.get("error", {}).get("field") for o in out] == ["worker.wte", "cases[0].children", "scheme", None]
    assert out[3]["total_points"] == 21
