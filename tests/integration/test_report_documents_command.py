"""build_reports: files written from the worked example; each bad argument exits 1 naming it."""
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import TeamFactory
from tests.worked_example import build

pytestmark = pytest.mark.django_db


def test_builds_the_return_pdf_and_csv_and_the_weekly_report(tmp_path):
    build()
    out = StringIO()
    call_command("build_reports", "--kind", "quarterly", "--period", "2025-Q1", "--team", "DA1",
                 "--out", str(tmp_path / "q"), stdout=out)
    assert out.getvalue().split() == [str(tmp_path / "q" / "quarterly-return-2025-Q1-DA1.pdf"),
                                      str(tmp_path / "q" / "quarterly-return-2025-Q1-DA1.csv")]
    assert (tmp_path / "q" / "quarterly-return-2025-Q1-DA1.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "q" / "quarterly-return-2025-Q1-DA1.csv").read_text().startswith("Date of score,")
    out = StringIO()
    call_command("build_reports", "--kind", "weekly", "--period", "2025-W05", "--out", str(tmp_path), stdout=out)
    assert out.getvalue().split() == [str(tmp_path / "smt-weekly-2025-W05.pdf")]


def test_quarterly_without_team_builds_every_active_team(tmp_path):
    build()
    out = StringIO()
    call_command("build_reports", "--kind", "quarterly", "--period", "2025-Q1", "--out", str(tmp_path), stdout=out)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "quarterly-return-2025-Q1-DA1.csv", "quarterly-return-2025-Q1-DA1.pdf",
        "quarterly-return-2025-Q1-IP1.csv", "quarterly-return-2025-Q1-IP1.pdf",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "quarterly", "--period", "2025-Q5"], "--period: '2025-Q5': a quarter is Q1, Q2, Q3 or Q4."),
    (["--kind", "weekly", "--period", "next week"], "--period: 'next week' is not a period."),
    (["--kind", "quarterly", "--period", "2099-Q1"],
     "--period: January to March 2099 (2099-Q1) has not started yet"),
    (["--kind", "weekly", "--period", "2025-Q1"],
     "--period: '2025-Q1' is a quarter, but this report needs a week (e.g. 2025-W41)."),
    (["--kind", "monthly", "--period", "2025-W05"],
     "--period: '2025-W05' is a week, but this report needs a month (e.g. 2025-11)."),
    (["--kind", "quarterly", "--period", "2025-Q1", "--team", "NOPE"],
     "--team: there is no team with the code 'NOPE'."),
    (["--kind", "committee", "--period", "2025-Q1"],
     "--period: The committee report for January to March 2025 (2025-Q1) uses complete months only: it can be "
     "built once the month-end snapshot of March 2025 exists."),
    (["--kind", "pack", "--period", "2025-Q1", "--team", "T1"],
     "--team: the quarterly authority pack covers the whole authority; --team is for --kind quarterly only."),
])
def test_bad_arguments_name_the_argument(tmp_path, args, message):
    TeamFactory(code="T1")
    with pytest.raises(CommandError) as error:
        call_command("build_reports", *args, "--out", str(tmp_path))
    assert str(error.value).startswith(message)
    assert list(tmp_path.iterdir()) == []


def test_bad_argument_exits_1_from_the_shell(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "build_reports", "--kind", "weekly", "--period", "2025-13", "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 1
    assert "--period: '2025-13': the month must be 01 to 12." in result.stderr
