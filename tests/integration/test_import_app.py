"""Imports in the app: upload -> match columns -> preview -> confirm, through the pages, with the record kept.

The files are generated here (the formats of reporting/imports/formats.py); the checks and the apply are the
import core's, so these tests assert what the app adds: who may, what is stored, what is shown, what waits for
the confirm, and the task path with its progress."""
from __future__ import annotations

import hashlib
import zipfile
from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from reporting import import_tasks
from reporting.import_services import STILL_ERRORS
from reporting.models import ColumnMapping, ImportBatch, ImportFile, ImportState
from supervision.prefill import entry_start
from tests.conftest import user_with_role
from tests.factories import TeamFactory
from workload.models import Allocation, Case, Team, Worker
from workload.roles import Role

pytestmark = pytest.mark.django_db

TEAMS = (
    "code,name,service_area,team_type,preset,scheme,scheme_team_type,from\n"
    "DA1,Duty and Assessment 1,North,duty_and_assessment,BARNET_2019,nottinghamshire-wlm-2016,assessment,2024-01\n"
)
WORKERS = (
    "id,first_name,surname,position,employment_type,wte,grade,asye_start,asye_completed,case_holding,supervisor,login,"
    "team,start,end\n"
    "W1,Ann,Lee,social_worker,permanent,1,,,,yes,,,DA1,2024-01-01,\n"
    "W2,Ben,Roe,asye,agency,0.6,,2025-01-06,,yes,W1,,DA1,2025-01-06,\n"
)
# The same workers as a Mosaic export names them: other headings, other order, a column we do not read.
MOSAIC_WORKERS = (
    "Staff ID,Forename,Family name,Job role,Contract,FTE,Team code,Team start,Team end,Office\n"
    "W1,Ann,Lee,social_worker,permanent,1,DA1,2024-01-01,,Mansfield\n"
    "W2,Ben,Roe,asye,agency,0.6,DA1,2025-01-06,,Mansfield\n"
)
MOSAIC_MATCH = {"id": "Staff ID", "first_name": "Forename", "surname": "Family name", "position": "Job role",
                "employment_type": "Contract", "wte": "FTE", "team": "Team code", "start": "Team start",
                "end": "Team end"}
CASES = (
    "reference,team,children,category,factors,opened,closed\n"
    "C1,DA1,2,cin_stable,,2025-02-01,\n"
    "C2,DA1,1,cin_stable,,2025-03-01,2025-06-30\n"
    "C3,DA1,3,cp_stable,,2025-04-01,\n"
)
ALLOCATIONS = (
    "case,worker,role,from,to,co_work_share\n"
    "C1,W1,allocated,2025-02-01,,\n"
    "C1,W2,co_worker,2025-02-10,,\n"
    "C2,W2,allocated,2025-03-01,2025-06-30,\n"
    "C3,W1,allocated,2025-04-01,,\n"
)
BASE = {"teams.csv": TEAMS, "workers.csv": WORKERS, "cases.csv": CASES, "allocations.csv": ALLOCATIONS}
CREATED = {"teams": 1, "workers": 2, "cases": 3, "allocations": 4}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def admin_user():
    return user_with_role(Role.ADMINISTRATOR, username="ada.admin", first_name="Ada", last_name="Admin")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def uploads(files: dict[str, str | bytes]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text) for name, text in files.items()]


def upload(client, files: dict[str, str | bytes], source: str = ""):
    return client.post(reverse("imports:batch-upload"), {"files": uploads(files), "source": source})


def counts(created: dict[str, int]) -> dict[str, dict[str, int]]:
    return {kind: {"created": n, "changed": 0, "closed": 0, "unchanged": 0} for kind, n in created.items()}


def field_errors(response, name: str) -> list[str]:
    return response.context["form"].errors.get(name, [])


# ------------------------------------------------------------------------------------------------ access


def test_imports_are_for_administrators_only(client, admin_user, team):
    batch = ImportBatch.objects.create(created_by=admin_user)
    pages = [reverse("imports:batch-list"), reverse("imports:batch-upload"),
             reverse("imports:batch-detail", args=[batch.pk]), reverse("imports:batch-mapping", args=[batch.pk]),
             reverse("imports:batch-progress", args=[batch.pk])]

    assert [client.get(url).status_code for url in pages] == [302] * 5  # not signed in: to the login page
    for role in (Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.SMT, Role.SOCIAL_WORKER):
        client.force_login(user_with_role(role))
        assert [client.get(url).status_code for url in pages] == [403] * 5, role
        assert client.post(reverse("imports:batch-confirm", args=[batch.pk])).status_code == 403
    client.force_login(admin_user)
    assert [client.get(url).status_code for url in pages[:3]] == [200, 200, 200]
    assert client.get(reverse("imports:batch-detail", args=[batch.pk + 1])).status_code == 404


# ------------------------------------------------------------------------------------------------ upload


def test_a_file_that_is_not_csv_or_xlsx_is_refused_beside_the_field(admin_client):
    response = upload(admin_client, {"cases.pdf": b"%PDF-1.7 ...", "teams.csv": TEAMS})
    assert response.status_code == 400
    assert field_errors(response, "files") == [
        "cases.pdf is not a CSV or Excel (.xlsx) file. Save it as CSV or .xlsx and upload it again."]
    assert 'id="error-summary"' in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_a_file_whose_content_is_not_its_kind_is_refused(admin_client):
    response = upload(admin_client, {"cases.xlsx": CASES, "teams.csv": b"\x89PNG\r\n\x1a\n\x00\x00"})
    assert response.status_code == 400
    assert field_errors(response, "files") == [
        "cases.xlsx is not an Excel (.xlsx) file, whatever its name says. Export it again as CSV or .xlsx.",
        "teams.csv is not a CSV file, whatever its name says. Export it again as CSV or .xlsx."]
    assert ImportBatch.objects.count() == 0


def test_a_file_over_the_size_setting_is_refused(admin_client, settings):
    settings.CASEWEIGHT_IMPORT_MAX_BYTES = 100
    response = upload(admin_client, {"cases.csv": CASES})
    assert len(CASES.encode()) == 163
    assert response.status_code == 400
    assert field_errors(response, "files") == [
        "cases.csv is 163\xa0bytes; the largest file accepted is 100\xa0bytes. Split it, or export fewer years at "
        "a time."]
    assert upload(admin_client, {}).status_code == 400
    assert ImportBatch.objects.count() == 0


def test_upload_stores_the_files_with_checksums_and_changes_nothing_until_confirmed(admin_client, admin_user):
    response = upload(admin_client, BASE)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:batch-detail", args=[batch.pk])
    assert (batch.state, batch.created_by, batch.rows, batch.error_count) == (ImportState.READY, admin_user, 10, 0)
    assert batch.counts == counts(CREATED)
    stored = {f.name: f for f in batch.files.all()}
    for name, text in BASE.items():
        data = text.encode()
        assert (stored[name].size, stored[name].sha256) == (len(data), hashlib.sha256(data).hexdigest())
        with stored[name].file.open("rb") as handle:
            assert handle.read() == data
    assert {f.kind: f.counts["created"] for f in stored.values()} == CREATED
    assert (Team.objects.filter(code="DA1").count(), Worker.objects.count(), Case.objects.count()) == (0, 0, 0)

    page = admin_client.get(response["Location"]).content.decode()
    assert "Nothing has changed yet." in page
    assert 'id="confirm-button">Apply the changes' in page  # enabled
    assert hashlib.sha256(CASES.encode()).hexdigest() in page


def test_an_unreadable_file_goes_to_the_preview_with_the_reason(admin_client):
    response = upload(admin_client, {"teams.csv": TEAMS, "cases.csv": CASES.encode("utf-16")})
    batch = ImportBatch.objects.get()
    assert (response["Location"], batch.state) == (reverse("imports:batch-detail", args=[batch.pk]),
                                                   ImportState.INVALID)
    assert batch.errors == [{"file": "cases.csv", "row": 0, "column": "", "message": (
        "This file is saved as UTF-16 ('Unicode text'). Save it as 'CSV UTF-8' and try again.")}]
    page = admin_client.get(response["Location"]).content.decode()
    assert "<td>cases.csv</td><td>whole file</td><td>—</td>" in page


def test_a_damaged_excel_file_goes_to_the_preview_with_the_reason(admin_client):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # a zip archive, but not a workbook (a renamed .docx, say)
        archive.writestr("word/document.xml", "<document/>")
    upload(admin_client, {"teams.xlsx": buffer.getvalue()})
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.rows, batch.files.get().headers) == (ImportState.INVALID, 0, [])
    assert batch.errors == [{"file": "teams.xlsx", "row": 0, "column": "", "message": (
        "This Excel file could not be opened; it may be damaged or password-protected.")}]


# --------------------------------------------------------------------------------------- column matching


def test_renamed_headers_are_matched_saved_and_offered_next_time(admin_client, admin_user):
    response = upload(admin_client, {**BASE, "workers.csv": MOSAIC_WORKERS}, source="Mosaic")
    batch = ImportBatch.objects.get()
    mapping_url = reverse("imports:batch-mapping", args=[batch.pk])
    assert (response.status_code, response["Location"], batch.state) == (302, mapping_url, ImportState.NEEDS_MAPPING)
    workers = batch.files.get(name="workers.csv")
    assert workers.headers == MOSAIC_WORKERS.splitlines()[0].split(",")

    page = admin_client.get(mapping_url)
    form = next(f for f in page.context["forms"] if f.file == workers)
    assert form["kind"].value() == "workers"
    assert form["id"].value() == "" and form["team"].value() == ""  # nothing of the same name to offer
    cases_form = next(f for f in page.context["forms"] if f.file.name == "cases.csv")
    assert cases_form["reference"].value() == "reference"  # same names are matched already

    post = {f"{f.file.pk}-{name}": f[name].value() or "" for f in page.context["forms"] for name in f.fields}
    post.update({f"{workers.pk}-{ours}": theirs for ours, theirs in MOSAIC_MATCH.items()}, save="on")
    response = admin_client.post(mapping_url, post)
    batch.refresh_from_db()
    assert (response.status_code, batch.state, batch.error_count) == (302, ImportState.READY, 0)
    assert batch.counts == counts(CREATED)
    saved = ColumnMapping.objects.get()
    assert (saved.source, saved.kind, saved.updated_by) == ("Mosaic", "workers", admin_user)
    assert saved.mapping == {theirs: ours for ours, theirs in MOSAIC_MATCH.items()}
    assert batch.notices == [{"file": "workers.csv", "row": 1, "column": "office",
                              "message": "The column 'office' is not one of ours and was ignored."}]
    assert "workers.csv: The column &#x27;office&#x27; is not one of ours and was ignored." in admin_client.get(
        reverse("imports:batch-detail", args=[batch.pk])).content.decode()

    admin_client.post(reverse("imports:batch-confirm", args=[batch.pk]))

    # next month's export from the same system goes straight to the preview (source names match in any case)
    response = upload(admin_client, {"workers.csv": MOSAIC_WORKERS}, source="mosaic")
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert (response["Location"], again.state) == (reverse("imports:batch-detail", args=[again.pk]), ImportState.READY)
    assert again.files.get().mapping == saved.mapping
    assert again.counts == {"workers": {"created": 0, "changed": 0, "closed": 0, "unchanged": 2}}


def test_a_needed_column_left_unmatched_is_an_error_beside_its_select(admin_client):
    upload(admin_client, {"workers.csv": MOSAIC_WORKERS}, source="Mosaic")
    batch = ImportBatch.objects.get()
    workers = batch.files.get()
    match = {**MOSAIC_MATCH, "wte": "", "surname": "Forename"}
    post = {f"{workers.pk}-kind": "workers", **{f"{workers.pk}-{ours}": theirs for ours, theirs in match.items()}}
    response = admin_client.post(reverse("imports:batch-mapping", args=[batch.pk]), post)
    assert response.status_code == 400
    form = response.context["forms"][0]
    assert form.errors == {
        "__all__": ["Each of your columns can supply only one of ours; chosen more than once: Forename."],
        "wte": ["Choose the column that holds wte: it is needed."],
    }
    workers.refresh_from_db()
    assert (workers.mapping, ColumnMapping.objects.count()) == ({}, 0)
    assert ImportBatch.objects.get().state == ImportState.NEEDS_MAPPING


def test_a_file_of_unknown_kind_is_given_one_then_matched(admin_client):
    upload(admin_client, {"staff_export.csv": MOSAIC_WORKERS})
    batch = ImportBatch.objects.get()
    file = batch.files.get()
    assert (file.kind, batch.state) == ("", ImportState.NEEDS_MAPPING)
    url = reverse("imports:batch-mapping", args=[batch.pk])
    response = admin_client.post(url, {f"{file.pk}-kind": "workers"})
    assert (response.status_code, response["Location"]) == (302, url)
    file.refresh_from_db()
    assert file.kind == "workers"
    response = admin_client.post(url, {f"{file.pk}-kind": "workers",
                                       **{f"{file.pk}-{ours}": theirs for ours, theirs in MOSAIC_MATCH.items()}})
    batch.refresh_from_db()
    # the workers' team is not in Caseweight and not in this file set: checked, and refused with the reason
    assert (response.status_code, batch.state) == (302, ImportState.INVALID)
    assert batch.errors[0] == {"file": "staff_export.csv", "row": 2, "column": "team",
                               "message": "There is no team with the code 'DA1' in this file set or in Caseweight."}


# ---------------------------------------------------------------------------------- preview and confirm


def test_errors_are_listed_by_row_and_column_and_confirm_is_disabled(admin_client):
    bad = ALLOCATIONS + "C3,W9,co_worker,2025-04-01,,\nC9,W1,allocated,2025-04-01,,\n"
    upload(admin_client, {**BASE, "allocations.csv": bad})
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.error_count) == (ImportState.INVALID, 2)
    assert batch.errors == [
        {"file": "allocations.csv", "row": 6, "column": "worker",
         "message": "There is no worker with the id 'W9' in this file set or in Caseweight."},
        {"file": "allocations.csv", "row": 7, "column": "case",
         "message": "There is no case with the reference 'C9' in this file set or in Caseweight."},
    ]
    page = admin_client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "2 errors to fix" in page
    assert "<td>allocations.csv</td><td>6</td><td>worker</td>" in page
    assert 'id="confirm-button" disabled' in page

    response = admin_client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    assert response.status_code == 409
    assert (Team.objects.filter(code="DA1").exists(), Allocation.objects.count()) == (False, 0)


def test_errors_are_paginated(admin_client):
    rows = "".join(f"X{n},DA1,none,cin_stable,,2025-02-01,\n" for n in range(60))
    upload(admin_client, {"teams.csv": TEAMS, "cases.csv": "reference,team,children,category,factors,opened,closed\n"
                          + rows})
    batch = ImportBatch.objects.get()
    assert batch.error_count == 60
    url = reverse("imports:batch-detail", args=[batch.pk])
    first, second = admin_client.get(url), admin_client.get(url + "?page=2")
    assert [len(first.context["errors_page"]), len(second.context["errors_page"])] == [50, 10]
    assert second.context["errors_page"][0]["row"] == 52
    assert admin_client.get(url + "?page=nine").context["errors_page"].number == 1


def test_confirm_applies_everything_and_records_who_and_what(admin_client, admin_user):
    upload(admin_client, BASE)
    batch = ImportBatch.objects.get()
    response = admin_client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert response.status_code == 302
    assert (batch.state, batch.applied_by, batch.progress) == (ImportState.APPLIED, admin_user, 100)
    assert batch.applied_at is not None
    assert batch.counts == counts(CREATED)
    assert sorted(Allocation.objects.values_list("case__reference", "worker__source_id", "role")) == [
        ("C1", "W1", "allocated"), ("C1", "W2", "co_worker"), ("C2", "W2", "allocated"), ("C3", "W1", "allocated")]
    assert admin_client.post(reverse("imports:batch-confirm", args=[batch.pk])).status_code == 409

    listing = admin_client.get(reverse("imports:batch-list")).content.decode()
    assert "Ada Admin" in listing and "teams.csv, workers.csv, cases.csv, allocations.csv" in listing
    detail = admin_client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert "What was applied" in detail and 'id="confirm-form"' not in detail

    # the same files again: every row unchanged, nothing written
    before = sorted(Allocation.objects.values_list())
    upload(admin_client, BASE)
    again = ImportBatch.objects.exclude(pk=batch.pk).get()
    assert again.counts == {kind: {"created": 0, "changed": 0, "closed": 0, "unchanged": n}
                            for kind, n in CREATED.items()}
    admin_client.post(reverse("imports:batch-confirm", args=[again.pk]))
    assert sorted(Allocation.objects.values_list()) == before


def test_confirm_plans_again_and_refuses_what_is_now_wrong(admin_client):
    """The preview is not a promise: records that moved since make the apply refuse, whole."""
    upload(admin_client, BASE)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportState.READY
    TeamFactory(code="OTHER", name="Duty and Assessment 1")  # someone adds a team of that name meanwhile
    response = admin_client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert (response.status_code, batch.state, batch.failure) == (302, ImportState.INVALID, STILL_ERRORS)
    assert batch.errors == [{"file": "teams.csv", "row": 2, "column": "name",
                             "message": "The team name 'Duty and Assessment 1' is already used by team OTHER."}]
    assert (batch.applied_at, batch.applied_by) == (None, None)
    assert (Team.objects.filter(code="DA1").exists(), Case.objects.count(), Allocation.objects.count()) == (False, 0, 0)


# ---------------------------------------------------------------------------------- large files: a task


def test_large_files_are_checked_and_applied_in_a_task_with_progress(admin_client, settings, eager_celery,
                                                                      django_capture_on_commit_callbacks):
    settings.CASEWEIGHT_IMPORT_TASK_ROWS = 3
    with django_capture_on_commit_callbacks(execute=False) as queued:
        upload(admin_client, BASE)
    batch = ImportBatch.objects.get()
    assert (batch.state, batch.progress, len(queued)) == (ImportState.PLANNING, 0, 1)
    progress_url = reverse("imports:batch-progress", args=[batch.pk])
    partial = admin_client.get(progress_url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 1s"' in partial.content.decode() and "Checking the files… 0%" in partial.content.decode()
    detail = admin_client.get(reverse("imports:batch-detail", args=[batch.pk])).content.decode()
    assert 'id="import-progress"' in detail

    queued[0]()  # the worker picks the task up
    batch.refresh_from_db()
    assert (batch.state, batch.progress, batch.counts) == (ImportState.READY, 100, counts(CREATED))
    done = admin_client.get(progress_url, HTTP_HX_REQUEST="true")
    assert done["HX-Redirect"] == reverse("imports:batch-detail", args=[batch.pk])

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED
    assert Allocation.objects.count() == 4


def test_the_tasks_can_run_twice(admin_client, settings, django_capture_on_commit_callbacks):
    settings.CASEWEIGHT_IMPORT_TASK_ROWS = 3
    upload(admin_client, BASE)
    batch = ImportBatch.objects.get()
    today = date.today().isoformat()
    import_tasks.import_batch_plan.run(batch_id=batch.pk, today=today)
    import_tasks.import_batch_plan.run(batch_id=batch.pk, today=today)
    batch.refresh_from_db()
    assert (batch.state, batch.counts) == (ImportState.READY, counts(CREATED))
    ImportBatch.objects.filter(pk=batch.pk).update(state=ImportState.APPLYING)
    import_tasks.import_batch_apply.run(batch_id=batch.pk, today=today)
    import_tasks.import_batch_apply.run(batch_id=batch.pk, today=today)
    batch.refresh_from_db()
    assert batch.state == ImportState.APPLIED
    assert (Case.objects.count(), Allocation.objects.count(), ImportFile.objects.count()) == (3, 4, 4)


# ------------------------------------------------------------------------------- the pro-forma prefill


def test_the_monthly_pro_forma_is_prefilled_from_imported_allocations(admin_client, admin_user):
    upload(admin_client, BASE)
    admin_client.post(reverse("imports:batch-confirm", args=[ImportBatch.objects.get().pk]))
    ann = Worker.objects.get(source_id="W1")
    entry = entry_start(worker=ann, month=date(2025, 8, 1), started_by=admin_user, today=date(2025, 8, 15))
    lines = entry.lines.order_by("position", "pk")
    assert [(line.reference, line.children, line.category, line.co_worked) for line in lines] == [
        ("C1", 2, "cin_stable", True),  # co-worked with Ben, as imported
        ("C3", 3, "cp_stable", False),
    ]
    assert [line.case.reference for line in lines] == ["C1", "C3"]


# ------------------------------------------------------------------------------------ more of the flow


def test_check_again_after_the_missing_records_were_imported(admin_client):
    upload(admin_client, {"cases.csv": CASES})
    cases = ImportBatch.objects.get()
    assert (cases.state, cases.error_count) == (ImportState.INVALID, 3)  # team DA1 unknown on each row
    upload(admin_client, {"teams.csv": TEAMS})
    teams = ImportBatch.objects.exclude(pk=cases.pk).get()
    admin_client.post(reverse("imports:batch-confirm", args=[teams.pk]))

    response = admin_client.post(reverse("imports:batch-check", args=[cases.pk]))
    cases.refresh_from_db()
    assert (response.status_code, cases.state, cases.error_count, cases.errors) == (302, ImportState.READY, 0, [])
    assert cases.counts == counts({"cases": 3})
    teams.refresh_from_db()
    assert admin_client.post(reverse("imports:batch-check", args=[teams.pk])).status_code == 409  # applied


def test_a_task_that_fails_records_why_and_stops_the_polling(admin_client, settings, monkeypatch):
    settings.CASEWEIGHT_IMPORT_TASK_ROWS = 3
    upload(admin_client, BASE)
    batch = ImportBatch.objects.get()

    def broken(*args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr("reporting.import_services.plan_import", broken)
    with pytest.raises(DatabaseError):
        import_tasks.import_batch_plan.run(batch_id=batch.pk, today="2025-08-15")
    batch.refresh_from_db()
    assert (batch.state, batch.failure) == (ImportState.FAILED, import_tasks.FAILED)
    progress = admin_client.get(reverse("imports:batch-progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert progress["HX-Redirect"] == reverse("imports:batch-detail", args=[batch.pk])
    assert import_tasks.FAILED in admin_client.get(progress["HX-Redirect"]).content.decode()


def xlsx(text: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for line in text.splitlines():
        book.active.append(line.split(","))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_file_with_other_headings_is_matched_like_a_csv(admin_client):
    upload(admin_client, {"teams.csv": TEAMS, "Mosaic workers.xlsx": xlsx(MOSAIC_WORKERS)})
    batch = ImportBatch.objects.get()
    workers = batch.files.get(name="Mosaic workers.xlsx")
    assert (batch.state, workers.kind, workers.headers) == (
        ImportState.NEEDS_MAPPING, "workers", MOSAIC_WORKERS.splitlines()[0].split(","))
    post = {f"{workers.pk}-kind": "workers", **{f"{workers.pk}-{ours}": theirs for ours, theirs in MOSAIC_MATCH.items()}}
    teams = batch.files.get(name="teams.csv")
    post.update({f"{teams.pk}-kind": "teams", **{f"{teams.pk}-{name}": name for name in TEAMS.split("\n")[0].split(",")}})
    admin_client.post(reverse("imports:batch-mapping", args=[batch.pk]), post)
    batch.refresh_from_db()
    assert (batch.state, batch.rows, batch.counts) == (ImportState.READY, 3, counts({"teams": 1, "workers": 2}))


def test_the_list_reads_a_fixed_number_of_queries(admin_client, admin_user, django_assert_num_queries):
    url = reverse("imports:batch-list")

    def add(n: int) -> None:
        for _ in range(n):
            batch = ImportBatch.objects.create(created_by=admin_user)
            ImportFile.objects.create(batch=batch, name="cases.csv", size=1, sha256="0" * 64)

    add(1)
    admin_client.get(url)  # the session's first save is not the page's
    with django_assert_num_queries(LIST_QUERIES):
        admin_client.get(url)
    add(30)
    with django_assert_num_queries(LIST_QUERIES):
        html = admin_client.get(url).content.decode()
    assert html.count('<tr data-testid="import-') == 25  # one page


# session, user, groups (capabilities), the page's count, the worker record (navigation), the waiting counts
# (one query), the page of batches with their people, their files in one more; the session's save and the
# request's savepoints (ATOMIC_REQUESTS) make up the rest
LIST_QUERIES = 13


def test_an_applied_import_cannot_be_matched_or_checked_again(admin_client):
    upload(admin_client, BASE)
    batch = ImportBatch.objects.get()
    admin_client.post(reverse("imports:batch-confirm", args=[batch.pk]))
    detail = reverse("imports:batch-detail", args=[batch.pk])
    mapping = reverse("imports:batch-mapping", args=[batch.pk])
    assert admin_client.get(mapping)["Location"] == detail
    assert admin_client.post(mapping, {})["Location"] == detail
    response = admin_client.post(reverse("imports:batch-check", args=[batch.pk]))
    assert response.status_code == 409
    assert [str(m) for m in response.context["messages"]] == [  # none was shown yet: no redirect was followed
        "Applied. The records now match the files.", "This import's columns can no longer be changed.",
        "This import's columns can no longer be changed.", "This import cannot be changed now: it is applied."]
    page = admin_client.get(detail).content.decode()
    assert 'id="check-form"' not in page and "Change how the columns are matched" not in page


def test_the_record_page_reads_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    upload(admin_client, {**BASE, "allocations.csv": ALLOCATIONS + "C3,W9,co_worker,2025-04-01,,\n"})
    batch = ImportBatch.objects.get()
    url = reverse("imports:batch-detail", args=[batch.pk])
    admin_client.get(url)
    with django_assert_num_queries(DETAIL_QUERIES):
        html = admin_client.get(url).content.decode()
    assert html.count('<tr data-testid="import-file-') == 4 and "1 error to fix" in html


# session, user, groups (capabilities), the batch with both people, its files, the worker record (navigation),
# the waiting counts; the session's save and the request's savepoints make up the rest
DETAIL_QUERIES = 12
