"""Round trip: a generated authority exported, the database wiped, the files imported: every measure for the
authority, each service area and each team, every month, is the same; a second import changes nothing.

Pro-formas and escalations are Caseweight's own signed records, not case-management data, so they are not in the
files: the authority's measures are compared with those records set aside (docs/import.md, "Round trip")."""
from dataclasses import asdict
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from reporting.imports import apply_import, export_all, plan_import, read_upload
from reporting.imports.formats import FORMATS
from reporting.measures import measures_for, parse_scope
from reporting.models import Escalation, EscalationEvent
from supervision.models import AuditEvent, Countersignature, Dispute, EntryLine, ProformaEntry
from workload.models import ServiceArea, Team
from workload.workdays import month_end

pytestmark = pytest.mark.django_db

SIGNED_RECORDS = (EscalationEvent, Escalation, AuditEvent, Countersignature, Dispute, "supervision.WorkloadConcern",
                  "supervision.TeamMonth", EntryLine, ProformaEntry)
# Child-first: everything the files describe. Users (logins) stay: they are accounts, not imported.
IMPORTED = ("supervision.SupervisionSession", "workload.CaseloadSnapshot", "workload.TeamSnapshot", "workload.Allocation",
            "workload.Case", "workload.Absence", "workload.CapacityReduction", "workload.EstablishmentPost",
            "workload.Membership", "workload.Worker", "workload.TeamPolicy", "workload.TeamScheme",
            "reporting.ImportedAggregate", "workload.Team_managers", "workload.Team", "workload.ServiceArea")


def delete_all(names) -> None:
    models = [apps.get_model(m) if isinstance(m, str) else m for m in names]
    gone = set(models)
    for model in apps.get_models(include_auto_created=True):  # rows elsewhere that point at what goes
        if model not in gone and model._meta.app_label in ("reporting", "supervision", "workload") and any(
            f.concrete and f.is_relation and f.related_model in gone for f in model._meta.get_fields()
        ):
            model.objects.all().delete()
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608


def all_measures(months) -> dict:
    """Every measure of every scope and month, keyed by scope text; scope objects (with ids) become their text."""
    scopes = ["authority"] + [f"service:{n}" for n in ServiceArea.objects.values_list("name", flat=True)] + [
        f"team:{c}" for c in Team.objects.values_list("code", flat=True)]
    out = {}
    for text in scopes:
        values = measures_for(parse_scope(text), months)
        out[text] = [{**asdict(v), "scope": text} for v in values]
    return out


def test_export_wipe_import_gives_the_same_measures(tmp_path):
    call_command("seed_large", teams=4, workers=30, children=600, months=6, stdout=StringIO())
    latest = max(ProformaEntry.objects.values_list("month", flat=True))
    # complete months only: in the current month a worker with no snapshot yet is counted from their
    # countersigned pro-forma (REPORTS 1.1 fallback), so removing the signed records would move M01 too
    months = [date(latest.year - (latest.month <= i), (latest.month - i - 1) % 12 + 1, 1) for i in range(1, 8)]
    today = month_end(latest)
    with_signed = all_measures(months)
    delete_all(SIGNED_RECORDS)
    before = all_measures(months)
    changed = sorted({a["measure"] for s in before for a, b in zip(before[s], with_signed[s], strict=True) if a != b})
    statuses = [v["status"] for s in before.values() for v in s]
    assert statuses.count("ok") > len(statuses) // 2  # figures, not a sea of "no data"
    # the pro-forma measures, and open escalations (records of action, not imported; the demo opens some)
    assert changed == ["M18", "M19", "M20", "M22"]

    paths = export_all(tmp_path)
    assert [p.name for p in paths] == [f"{f.filename}.csv" for f in FORMATS]
    delete_all(IMPORTED)
    assert Team.objects.count() == 0
    files = [read_upload(p.name, p.read_bytes()) for p in paths]
    plan = plan_import(files, today=today)
    assert plan.errors == []
    apply_import(plan)
    assert all_measures(months) == before

    again = plan_import([read_upload(p.name, p.read_bytes()) for p in paths], today=today)
    assert [(f.created, f.changed, f.closed) for f in again.files] == [(0, 0, 0)] * len(FORMATS)
    assert sum(f.unchanged for f in again.files) == sum(len(p.read_text().splitlines()) - 1 for p in paths)
    rows = {m: sorted(apps.get_model(m).objects.values_list()) for m in IMPORTED if m != "workload.Team_managers"}
    apply_import(again)
    assert {m: sorted(apps.get_model(m).objects.values_list()) for m in rows} == rows
