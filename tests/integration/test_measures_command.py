"""`manage.py measures`: the worked example as JSON and CSV; bad arguments exit 1 naming the argument."""
import csv
import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.worked_example import build

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("measures", *args, stdout=out)
    return out.getvalue()


def test_json_rows_for_da1_and_the_authority_match_the_worked_example():
    build()
    rows = {(r["measure"], r["threshold"]): r for r in json.loads(run("--scope", "team:DA1", "--month", "2025-01"))}
    assert {k: rows[k]["display"] for k in [("M01", ""), ("M02", ""), ("M03", ""), ("M04", "22"), ("M04", "25"),
                                            ("M05", "12"), ("M06", "12"), ("M07", ""), ("M10", ""), ("M17", ""),
                                            ("M19", "")]} == {
        ("M01", ""): "18.9", ("M02", ""): "+2.9 (+18 %)", ("M03", ""): "6 – 29", ("M04", "22"): "3 (50 %); 2 without pro rata",
        ("M04", "25"): "1 (17 %)", ("M05", "12"): "1 (50 %)", ("M06", "12"): "50 %", ("M07", ""): "10.6 / 46 %",
        ("M10", ""): "83 %", ("M17", ""): "1", ("M19", ""): "67 %",
    }
    assert rows["M01", ""] == {
        "scope": "team:DA1", "month": "2025-01", "measure": "M01", "label": "Average caseload",
        "value": "18.88888888888888888888888889", "display": "18.9", "status": "ok", "rag": "red", "target": "16",
        "threshold": "", "basis": "fte",
    }
    assert (rows["M15", ""]["display"], rows["M16", ""]["display"], rows["M18", ""]["display"]) == (
        "5; 3 held by absent workers", "2.00 vacant, 1.00 covered by agency staff",
        "2 awaiting agreement; 1 over the maximum too long")
    assert rows["M20", ""]["display"] == "Below sustainable 0, Sustainable 2, Demanding 0, High 2, Not scored 2"
    authority = {(r["measure"], r["threshold"]): r for r in json.loads(run("--scope", "authority", "--month", "2025-01"))}
    assert (authority["M01", ""]["display"], authority["M01", ""]["rag"]) == ("16.4", "amber")
    assert authority["M01", ""]["target"].startswith("15.642857")
    assert (authority["M04", "22"]["display"], authority["M04", "22"]["rag"]) == ("3 (33 %); 2 without pro rata", "red")


def test_csv_has_one_row_per_month_and_measure_with_status_for_empty_cells():
    build()
    rows = list(csv.DictReader(StringIO(run("--scope", "service:Children's Social Care", "--month", "2025-01",
                                            "--months", "2", "--format", "csv"))))
    december = {r["measure"]: r for r in rows if r["month"] == "2024-12"}
    january = {r["measure"]: r for r in rows if r["month"] == "2025-01"}
    # December has only weekly snapshots: the last one (Fri 27 Dec) is the month's figure, DA1 only (IP1 has
    # none): W2 held 20 and W3 13 then, W7 already long absent: (16+20+13+13+6+29) ÷ 5.4 = 17.96
    assert (december["M01"]["display"], december["M01"]["status"]) == ("18.0", "ok")
    assert (january["M11"]["value"], january["M11"]["status"], january["M11"]["display"]) == ("", "no_data", "–")
    assert january["M01"]["display"] == "16.4"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "team:NOPE", "--month", "2025-01"], "--scope: There is no team with the code 'NOPE'."),
        (["--scope", "service:Nowhere", "--month", "2025-01"], "--scope: There is no service area called 'Nowhere'."),
        (["--scope", "county", "--month", "2025-01"], "--scope: Scope 'county' is not one of"),
        (["--scope", "authority", "--month", "2025-13"], "--month '2025-13' is not a month in the form YYYY-MM"),
        (["--scope", "authority", "--month", "Jan-25"], "--month 'Jan-25' is not a month in the form YYYY-MM"),
        (["--scope", "authority", "--month", "2025-01", "--months", "0"], "--months 0 is out of range"),
        (["--scope", "authority", "--month", "2025-01", "--months", "1000"], "--months 1000 is out of range"),
    ],
)
def test_bad_arguments_name_the_argument(args, message):
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert str(raised.value).startswith(message)


def test_bad_argument_exits_1_from_the_shell():
    done = subprocess.run([sys.executable, "manage.py", "measures", "--scope", "authority", "--month", "25-01"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "--month '25-01' is not a month in the form YYYY-MM" in done.stderr
