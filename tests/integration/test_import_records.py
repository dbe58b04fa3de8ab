"""Teams over time, the dated files (absences, snapshots, sessions, figures), Excel and a column mapping."""
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reporting.imports import apply_import, export_all, plan_import, read_upload
from reporting.models import ImportedAggregate
from supervision.models import EntryStatus, ProformaEntry, SupervisionSession
from tests.factories import UserFactory
from tests.import_samples import TEAMS, TODAY, files
from workload.models import (
    Absence,
    CaseloadPreset,
    CaseloadSnapshot,
    SchemeVersion,
    SnapshotSource,
    TeamPolicy,
    TeamScheme,
    TeamSnapshot,
    Worker,
)

pytestmark = pytest.mark.django_db

DATED = {
    "absences.csv": "worker,kind,start,expected_return,actual_return\nW1,sickness,2025-05-01,2025-05-20,\n",
    "worker_snapshots.csv": "worker,team,date,kind,wte,allocated_children\nW1,DA1,2025-07-31,month_end,1,12\n",
    "team_snapshots.csv": "team,date,kind,unallocated_children,establishment_fte,vacant_fte,agency_fte\n"
                          "DA1,2025-07-31,month_end,3,6.5,1,0.5\n",
    "sessions.csv": "worker,supervisor,date,kind,held,next_due\nW2,tess,2025-07-14,worker,yes,2025-08-14\n",
    "aggregates.csv": "team,month,measure,numerator,denominator\nDA1,2025-07,M13,18,20\n",
}


def test_dated_files_create_then_close_and_change():
    tess = UserFactory(username="tess")
    apply_import(plan_import(files(**DATED), today=TODAY), user=tess)
    assert list(Absence.objects.values_list("worker__source_id", "kind", "start", "expected_return", "actual_return")) == [
        ("W1", "sickness", date(2025, 5, 1), date(2025, 5, 20), None)]
    assert list(CaseloadSnapshot.objects.values_list(
        "worker__source_id", "team__code", "taken_on", "kind", "source", "wte", "allocated_children", "family_groups")) == [
        ("W1", "DA1", date(2025, 7, 31), "month_end", SnapshotSource.IMPORT, Decimal("1.00"), 12, 0)]
    assert list(TeamSnapshot.objects.values_list(
        "team__code", "unallocated_children", "establishment_fte", "vacant_fte", "agency_fte")) == [
        ("DA1", 3, Decimal("6.50"), Decimal("1.00"), Decimal("0.50"))]
    assert list(SupervisionSession.objects.values_list("worker__source_id", "supervisor", "held_on", "held", "next_due")) == [
        ("W2", tess.pk, date(2025, 7, 14), True, date(2025, 8, 14))]
    assert list(ImportedAggregate.objects.values_list("team__code", "month", "measure", "numerator", "denominator",
                                                      "entered_by")) == [
        ("DA1", date(2025, 7, 1), "M13", 18, 20, tess.pk)]

    changed = {**DATED,
               "absences.csv": DATED["absences.csv"].replace("2025-05-20,\n", "2025-05-20,2025-05-22\n"),
               "aggregates.csv": DATED["aggregates.csv"].replace("18,20", "19,20")}
    plan = plan_import(files(**changed), today=TODAY)
    assert {f.kind: f.counts for f in plan.files if f.kind in ("absences", "aggregates", "sessions")} == {
        "absences": {"created": 0, "changed": 0, "closed": 1, "unchanged": 0},
        "sessions": {"created": 0, "changed": 0, "closed": 0, "unchanged": 1},
        "aggregates": {"created": 0, "changed": 1, "closed": 0, "unchanged": 0},
    }
    apply_import(plan)
    assert Absence.objects.get().actual_return == date(2025, 5, 22)
    assert ImportedAggregate.objects.get().numerator == 19


def test_dated_files_bad_rows():
    bad = {
        "absences.csv": "worker,kind,start,expected_return,actual_return\nW1,holiday,2025-05-01,,\n"
                        "W1,sickness,2025-06-01,,2025-05-01\n",
        "sessions.csv": "worker,supervisor,date,kind,held,next_due\nW2,nobody,2025-07-14,worker,maybe,\n"
                        "W2,nobody,2025-07-15,worker,yes,\n",
        "aggregates.csv": "team,month,measure,numerator,denominator\nDA1,2025-07,M13,21,20\nDA1,2025-07-04,M12,1,2\n",
    }
    assert [str(e) for e in plan_import(files(**bad), today=TODAY).errors] == [
        "absences.csv:2:kind: 'holiday' is not one of: annual_leave, planned, sickness, other.",
        "absences.csv:3:actual_return: The return, 01 May 2025, is before the start of the absence, 01 Jun 2025.",
        "aggregates.csv:2:numerator: The numerator, 21, is more than the denominator, 20.",
        "aggregates.csv:3:month: '2025-07-04' is not a month; write it as YYYY-MM.",
        "sessions.csv:2:held: 'maybe' is not yes or no.",
        "sessions.csv:3:supervisor: There is no Caseweight login with the username 'nobody'.",
    ]


def test_team_history_and_countersigned_months():
    teams = TEAMS.replace(",from\n", ",from,overrides\n") + "DA1,Duty and Assessment 1,North,social_work,LUTON_WSX,nottinghamshire-wlm-2016," \
                    "district_cin_cp,2025-04,\"{\"\"asye_limit_cases\"\": 12}\"\n"
    plan = plan_import(files(**{"teams.csv": teams}), today=TODAY)
    assert plan.errors == []
    apply_import(plan)
    assert list(TeamScheme.objects.order_by("valid_from").values_list("team_type", "valid_from")) == [
        ("assessment", date(2024, 1, 1)), ("district_cin_cp", date(2025, 4, 1))]
    assert list(TeamPolicy.objects.order_by("valid_from").values_list("preset__code", "overrides")) == [
        ("BARNET_2019", {}), ("LUTON_WSX", {"asye_limit_cases": 12})]

    ann = Worker.objects.get(source_id="W1")
    ProformaEntry.objects.create(
        worker=ann, team=ann.team, month=date(2025, 6, 1), status=EntryStatus.COUNTERSIGNED, wte=ann.wte,
        scheme_version=SchemeVersion.objects.get(slug="nottinghamshire-wlm-2016"), team_type="district_cin_cp",
        position=ann.position, created_by=UserFactory())
    moved = teams.replace("district_cin_cp,2025-04", "assessment,2025-04")
    assert [str(e) for e in plan_import(files(**{"teams.csv": moved}), today=TODAY).errors] == [
        "teams.csv:3:from: Team DA1 has countersigned pro-formas up to June 2025; a scheme change must start after that.",
    ]
    bad = TEAMS.replace("BARNET_2019", "NOPE").replace("assessment,2024-01", "nothing,2024-01")
    assert [str(e) for e in plan_import(files(**{"teams.csv": bad}), today=TODAY).errors][:1] == [
        "teams.csv:2:preset: 'NOPE' is not a caseload policy preset; known presets: "
        + ", ".join(sorted(CaseloadPreset.objects.values_list("code", flat=True))) + ".",
    ]


def test_xlsx_export_reads_back_unchanged(tmp_path):
    UserFactory(username="tess")
    apply_import(plan_import(files(**{"sessions.csv": DATED["sessions.csv"]}), today=TODAY))
    paths = export_all(tmp_path, fmt="xlsx")
    sheet = load_workbook(BytesIO((tmp_path / "workers.xlsx").read_bytes()), read_only=True).worksheets[0]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][:3] == ["id", "first_name", "surname"]
    plan = plan_import([read_upload(p.name, p.read_bytes()) for p in paths], today=TODAY)
    assert plan.errors == []
    assert {f.kind: (f.created, f.changed, f.closed, f.unchanged) for f in plan.files if f.unchanged or f.created} == {
        "teams": (0, 0, 0, 1), "workers": (0, 0, 0, 2), "cases": (0, 0, 0, 2), "allocations": (0, 0, 0, 3),
        "sessions": (0, 0, 0, 1)}


def test_column_mapping_of_a_system_export():
    mosaic = ("Case ID,Team Code,No of children,Category,Start Date,End Date\n"
              "C1,DA1,2,cin_stable,01/02/2025,\nC2,DA1,1,cin_stable,01/03/2025,30/06/2025\n")
    mapping = {"Mosaic cases.csv": {"Case ID": "reference", "Team Code": "team", "No of children": "children",
                                    "Category": "category", "Start Date": "opened", "End Date": "closed"}}
    parsed = [p for p in files() if p.kind != "cases"] + [read_upload("Mosaic cases.csv", mosaic.encode(), mapping=mapping)]
    plan = plan_import(parsed, today=TODAY)
    assert plan.errors == []
    assert plan.file("cases").counts == {"created": 2, "changed": 0, "closed": 0, "unchanged": 0}
