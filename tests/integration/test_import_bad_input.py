"""Bad input: per-row errors (file, row, column, message), the whole import refused, nothing written."""

import pytest
from django.core.management import call_command

from reporting.imports import apply_import, plan_import, read_upload
from reporting.imports.apply import PLAN_HAS_ERRORS
from reporting.imports.readers import RowError
from tests.import_samples import ALLOCATIONS, CASES, TEAMS, TODAY, WORKERS, files
from workload.models import Allocation, Case, Team, Worker

pytestmark = pytest.mark.django_db


def errors_of(**overrides) -> list[str]:
    return [str(e) for e in plan_import(files(**overrides), today=TODAY).errors]


def test_malformed_and_future_dates():
    cases = CASES + "C3,DA1,1,cin_stable,,31/02/2025,\nC4,DA1,1,cin_stable,,2025-09-01,\nC5,DA1,1,cin_stable,,yesterday,\n"
    assert errors_of(**{"cases.csv": cases}) == [
        "cases.csv:4:opened: '31/02/2025' is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY).",
        "cases.csv:5:opened: 01 Sep 2025 is in the future; only past dates can be imported here.",
        "cases.csv:6:opened: 'yesterday' is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY).",
    ]


def test_wte_out_of_range_and_required_values():
    workers = WORKERS + "W3,Cat,Day,social_worker,permanent,1.2,,,,,,,DA1,2025-01-01,\n" \
                        "W4,Dan,Eve,social_worker,permanent,0,,,,,,,DA1,2025-01-01,\n" \
                        "W5,,Fox,social_worker,permanent,1,,,,,,,DA1,2025-01-01,\n"
    assert errors_of(**{"workers.csv": workers}) == [
        "workers.csv:4:wte: A WTE of 1.2 is out of range; it must be more than 0 and at most 1.",
        "workers.csv:5:wte: A WTE of 0 is out of range; it must be more than 0 and at most 1.",
        "workers.csv:6:first_name: A value is required.",
    ]


def test_duplicate_ids():
    cases = CASES + "C1,DA1,1,cin_stable,,2025-02-01,\n"
    workers = WORKERS + "W1,Ann,Lee,social_worker,permanent,1,,,,yes,,,DA1,2024-01-01,\n"
    assert errors_of(**{"cases.csv": cases, "workers.csv": workers}) == [
        "cases.csv:4:reference: This row repeats the reference of row 2.",
        "workers.csv:4:id: This row repeats the id and start of row 2.",
    ]


def test_unknown_team_worker_and_category():
    cases = CASES + "C3,NOPE,1,cin_stable,,2025-02-01,\nC4,DA1,1,not_a_category,,2025-02-01,\n"
    allocations = ALLOCATIONS + "C2,W9,co_worker,2025-03-01,2025-06-30,\nC9,W1,allocated,2025-03-01,,\n"
    assert errors_of(**{"cases.csv": cases, "allocations.csv": allocations}) == [
        "allocations.csv:5:worker: There is no worker with the id 'W9' in this file set or in Caseweight.",
        "allocations.csv:6:case: There is no case with the reference 'C9' in this file set or in Caseweight.",
        "cases.csv:4:team: There is no team with the code 'NOPE' in this file set or in Caseweight.",
        "cases.csv:5:category: 'not_a_category' is not a category of the weighting scheme team DA1 uses.",
    ]


def test_worker_in_two_teams_at_once():
    teams = TEAMS + "DA2,Duty and Assessment 2,North,duty_and_assessment,BARNET_2019,nottinghamshire-wlm-2016,assessment,2024-01\n"
    workers = WORKERS + "W1,Ann,Lee,social_worker,permanent,1,,,,yes,,,DA2,2025-03-01,\n"
    assert errors_of(**{"teams.csv": teams, "workers.csv": workers}) == [
        "workers.csv:4:start: Ann Lee would be in two teams at once: this membership overlaps the membership of "
        "DA1 from 01 Jan 2024 (row 2).",
    ]


def test_worker_in_two_teams_against_the_database():
    apply_import(plan_import(files(), today=TODAY))
    teams = TEAMS + "DA2,Duty and Assessment 2,North,duty_and_assessment,BARNET_2019,nottinghamshire-wlm-2016,assessment,2024-01\n"
    workers = WORKERS.replace("DA1,2024-01-01,", "DA2,2024-06-01,")  # W1's DA1 membership stays in Caseweight
    assert errors_of(**{"teams.csv": teams, "workers.csv": workers}) == [
        "workers.csv:2:start: Ann Lee would be in two teams at once: this membership overlaps DA1 from 01 Jan 2024.",
    ]


def test_third_worker_on_a_case():
    workers = WORKERS + "W3,Cat,Day,social_worker,permanent,1,,,,,,,DA1,2025-01-01,\n"
    allocations = ALLOCATIONS + "C1,W3,co_worker,2025-04-01,,\n"
    assert errors_of(**{"workers.csv": workers, "allocations.csv": allocations}) == [
        "allocations.csv:5:worker: Case C1 would have a third worker at once from 01 Apr 2025; a case has at most two.",
    ]


def test_allocation_outside_its_case_dates():
    allocations = (
        "case,worker,role,from,to,co_work_share\n"
        "C1,W1,allocated,2025-01-15,,\n"
        "C2,W2,allocated,2025-03-01,2025-07-31,\n"
        "C2,W1,co_worker,2025-07-01,2025-07-10,\n"
        "C2,W1,co_worker,2025-03-01,,\n"
    )
    assert errors_of(**{"allocations.csv": allocations}) == [
        "allocations.csv:2:from: The allocation starts on 15 Jan 2025, before case C1 opened on 01 Feb 2025.",
        "allocations.csv:3:to: The allocation ends on 31 Jul 2025, after case C2 closed on 30 Jun 2025.",
        "allocations.csv:4:from: The allocation starts on 01 Jul 2025, after case C2 closed on 30 Jun 2025.",
        "allocations.csv:5:to: The allocation is still open, after case C2 closed on 30 Jun 2025.",
    ]


def test_whole_import_refused_and_nothing_written(tmp_path, capsys):
    """Three good files and one bad row: apply refuses the plan, the command exits 1, no table has a row."""
    allocations = ALLOCATIONS + "C1,W9,co_worker,2025-02-10,,\n"
    plan = plan_import(files(**{"allocations.csv": allocations}), today=TODAY)
    assert [f.created for f in plan.files] == [1, 2, 2, 3]  # the good rows are planned, but not applied
    with pytest.raises(ValueError, match=PLAN_HAS_ERRORS):
        apply_import(plan)
    for name, text in {"teams.csv": TEAMS, "workers.csv": WORKERS, "cases.csv": CASES, "allocations.csv": allocations}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "cases.pdf").write_bytes(b"%PDF")  # named like one of ours but not CSV/XLSX: refused, said why
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_data", str(tmp_path), "--today", TODAY.isoformat())
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        "allocations.csv:5:worker: There is no worker with the id 'W9' in this file set or in Caseweight.",
        "cases.pdf:0:: This file is not a CSV or Excel (.xlsx) file. Save it as CSV (UTF-8) or .xlsx and try again.",
        "2 errors; nothing was imported.",
    ]
    assert (Team.objects.count(), Worker.objects.count(), Case.objects.count(), Allocation.objects.count()) == (0, 0, 0, 0)


def test_bad_file_in_the_set_refuses_the_rest():
    parsed = files() + [read_upload("absences.xlsx", b"garbage")]
    plan = plan_import(parsed, today=TODAY)
    assert plan.errors == [RowError("absences.xlsx", 0, "", "This Excel file could not be opened; it may be damaged or "
                                    "password-protected.")]
    with pytest.raises(ValueError):
        apply_import(plan)
    assert Team.objects.count() == 0


def test_dry_run_writes_nothing(tmp_path, capsys):
    for name, text in {"teams.csv": TEAMS, "workers.csv": WORKERS, "cases.csv": CASES, "allocations.csv": ALLOCATIONS}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    call_command("import_data", str(tmp_path), "--dry-run", "--today", TODAY.isoformat())
    assert capsys.readouterr().out.splitlines() == [
        "Dry run: nothing written. Rows that would be:",
        "teams.csv: 1 created, 0 changed, 0 closed, 0 unchanged",
        "workers.csv: 2 created, 0 changed, 0 closed, 0 unchanged",
        "cases.csv: 2 created, 0 changed, 0 closed, 0 unchanged",
        "allocations.csv: 3 created, 0 changed, 0 closed, 0 unchanged",
    ]
    assert Team.objects.count() == 0
