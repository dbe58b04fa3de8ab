"""The authority's data written in exactly the import formats (formats.FORMATS), one file per kind.

What export writes, import reads back unchanged: ids are the workers' source ids (or CW-<pk> for workers
Caseweight created itself), dates ISO, decimals as stored, yes/no for flags."""
from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model

from reporting.imports.formats import FORMATS, FileFormat
from reporting.models import ImportedAggregate
from supervision.models import SupervisionSession
from workload.models import (
    Absence,
    Allocation,
    Case,
    CaseloadSnapshot,
    Membership,
    Team,
    TeamPolicy,
    TeamScheme,
    TeamSnapshot,
    Worker,
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _worker_refs() -> dict[int, str]:
    return {pk: source_id or f"CW-{pk}" for pk, source_id in Worker.objects.values_list("pk", "source_id")}


def _teams() -> Iterable[dict]:
    """One row per team and date from which its scheme or its policy changed: the state in force from then."""
    schemes: dict[int, list] = {}
    for a in TeamScheme.objects.select_related("scheme_version").order_by("team", "valid_from"):
        schemes.setdefault(a.team_id, []).append(a)
    policies: dict[int, list] = {}
    for a in TeamPolicy.objects.select_related("preset").order_by("team", "valid_from"):
        policies.setdefault(a.team_id, []).append(a)
    for team in Team.objects.select_related("service_area").order_by("code"):
        team_schemes, team_policies = schemes.get(team.pk, []), policies.get(team.pk, [])
        if not team_schemes or not team_policies:
            continue  # a team with no scheme or no policy cannot be described in this format
        starts = sorted({a.valid_from for a in team_schemes} | {a.valid_from for a in team_policies})
        for start in starts:
            scheme = next((a for a in reversed(team_schemes) if a.valid_from <= start), team_schemes[0])
            policy = next((a for a in reversed(team_policies) if a.valid_from <= start), team_policies[0])
            yield {
                "code": team.code, "name": team.name, "service_area": team.service_area.name,
                "team_type": policy.team_type, "preset": policy.preset.code, "scheme": scheme.scheme_version.slug,
                "scheme_team_type": scheme.team_type, "from": start.strftime("%Y-%m"),
                "overrides": json.dumps(policy.overrides, sort_keys=True) if policy.overrides else "",
            }


def _workers() -> Iterable[dict]:
    refs = _worker_refs()
    logins = dict(get_user_model().objects.filter(worker__isnull=False).values_list("worker__pk", "username"))
    workers = {w.pk: w for w in Worker.objects.all()}
    for m in Membership.objects.select_related("team").order_by("worker__surname", "worker", "start"):
        w = workers[m.worker_id]
        yield {
            "id": refs[w.pk], "first_name": w.first_name, "surname": w.surname, "position": w.position,
            "employment_type": w.employment_type, "wte": w.wte, "grade": w.grade, "asye_start": w.asye_start,
            "asye_completed": w.asye_completed, "case_holding": w.case_holding,
            "supervisor": refs.get(w.supervisor_id), "login": logins.get(w.pk), "team": m.team.code,
            "start": m.start, "end": m.end,
        }


def _cases() -> Iterable[dict]:
    for c in Case.objects.select_related("team").order_by("reference"):
        yield {"reference": c.reference, "team": c.team.code, "children": c.children, "category": c.category,
               "factors": ";".join(c.factors or []), "opened": c.opened, "closed": c.closed}


def _allocations() -> Iterable[dict]:
    refs = _worker_refs()
    for case_ref, worker_id, role, start, end, share in Allocation.objects.order_by(
        "case__reference", "start", "worker"
    ).values_list("case__reference", "worker_id", "role", "start", "end", "co_work_share"):
        yield {"case": case_ref, "worker": refs[worker_id], "role": role, "from": start, "to": end,
               "co_work_share": share}


def _absences() -> Iterable[dict]:
    refs = _worker_refs()
    for a in Absence.objects.order_by("worker", "start"):
        yield {"worker": refs[a.worker_id], "kind": a.kind, "start": a.start, "expected_return": a.expected_return,
               "actual_return": a.actual_return}


def _worker_snapshots() -> Iterable[dict]:
    refs = _worker_refs()
    codes = dict(Team.objects.values_list("pk", "code"))
    for s in CaseloadSnapshot.objects.order_by("taken_on", "worker").iterator(chunk_size=5000):
        yield {"worker": refs[s.worker_id], "team": codes[s.team_id], "date": s.taken_on, "kind": s.kind, "wte": s.wte,
               "allocated_children": s.allocated_children, "family_groups": s.family_groups,
               "coworked_children": s.coworked_children, "awaiting_allocation_children": s.awaiting_allocation_children}


def _team_snapshots() -> Iterable[dict]:
    codes = dict(Team.objects.values_list("pk", "code"))
    for s in TeamSnapshot.objects.order_by("taken_on", "team__code"):
        yield {"team": codes[s.team_id], "date": s.taken_on, "kind": s.kind,
               "unallocated_children": s.unallocated_children, "establishment_fte": s.establishment_fte,
               "vacant_fte": s.vacant_fte, "agency_fte": s.agency_fte}


def _sessions() -> Iterable[dict]:
    refs = _worker_refs()
    names = dict(get_user_model().objects.values_list("pk", "username"))
    seen = set()
    for s in SupervisionSession.objects.order_by("held_on", "worker", "kind", "pk"):
        key = (s.worker_id, s.held_on, s.kind)
        if key in seen:  # one session per worker, day and kind in the format; a second the same day is not exported
            continue
        seen.add(key)
        yield {"worker": refs[s.worker_id], "supervisor": names[s.supervisor_id], "date": s.held_on, "kind": s.kind,
               "held": s.held, "next_due": s.next_due}


def _aggregates() -> Iterable[dict]:
    for a in ImportedAggregate.objects.select_related("team").order_by("month", "team__code", "measure"):
        yield {"team": a.team.code, "month": a.month.strftime("%Y-%m"), "measure": a.measure,
               "numerator": a.numerator, "denominator": a.denominator}


ROWS = {
    "teams": _teams, "workers": _workers, "cases": _cases, "allocations": _allocations, "absences": _absences,
    "worker_snapshots": _worker_snapshots, "team_snapshots": _team_snapshots, "sessions": _sessions,
    "aggregates": _aggregates,
}


def export_rows(fmt: FileFormat) -> Iterable[list[str]]:
    for row in ROWS[fmt.kind]():
        yield [_text(row.get(name)) for name in fmt.names]


def export_all(directory: Path, *, fmt: str = "csv") -> list[Path]:
    """Write one file per kind into `directory` (csv: UTF-8, comma-separated; xlsx: one sheet)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file_format in FORMATS:
        path = directory / f"{file_format.filename}.{fmt}"
        if fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(file_format.names)
                writer.writerows(export_rows(file_format))
        elif fmt == "xlsx":
            from openpyxl import Workbook  # heavy import; only for Excel exports

            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet(file_format.label[:31])
            sheet.append(list(file_format.names))
            for row in export_rows(file_format):
                sheet.append(row)
            workbook.save(path)
        else:
            raise ValueError(f"Unknown export format '{fmt}': use csv or xlsx.")
        written.append(path)
    return written


def export_example(directory: Path, *, team_code: str, rows: int = 6) -> list[Path]:
    """A few rows per file for one team, with their references kept whole (the cases' allocations, the
    allocations' workers): the example files of docs/import.md, generated from the demo."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    picked: dict[str, list[dict]] = {}
    picked["teams"] = [r for r in _teams() if r["code"] == team_code][:rows]
    team_cases = {r["reference"]: r for r in _cases() if r["team"] == team_code}
    allocations = [r for r in _allocations() if r["case"] in team_cases]
    by_case: dict[str, list[dict]] = {}
    for r in allocations:
        by_case.setdefault(r["case"], []).append(r)
    # a co-worked case first, then one case per worker, so the example shows several people
    order = sorted(by_case, key=lambda ref: (len(by_case[ref]) < 2, ref))
    refs, seen = [], set()
    for ref in order:
        workers_here = {r["worker"] for r in by_case[ref]}
        if len(refs) < rows and (not refs or not workers_here <= seen):
            refs.append(ref)
            seen |= workers_here
    picked["cases"] = [team_cases[ref] for ref in sorted(refs)]
    picked["allocations"] = [r for r in allocations if r["case"] in set(refs)]
    workers = {r["worker"] for r in picked["allocations"]}
    all_workers = list(_workers())
    supervisors = {r["supervisor"] for r in all_workers if r["id"] in workers and r["supervisor"]}
    # only the memberships of this team: the example's teams file holds no other team
    picked["workers"] = [r for r in all_workers if r["id"] in workers | supervisors and r["team"] == team_code]
    people = {r["id"] for r in picked["workers"]}
    for row in picked["workers"]:
        if row["supervisor"] not in people:
            row["supervisor"] = None
    picked["absences"] = [r for r in _absences() if r["worker"] in people][:rows]
    picked["worker_snapshots"] = [r for r in _worker_snapshots() if r["worker"] in people and r["team"] == team_code][-rows:]
    picked["team_snapshots"] = [r for r in _team_snapshots() if r["team"] == team_code][-rows:]
    picked["sessions"] = [r for r in _sessions() if r["worker"] in people][-rows:]
    picked["aggregates"] = [r for r in _aggregates() if r["team"] == team_code][-4:]
    written = []
    for file_format in FORMATS:
        path = directory / f"{file_format.filename}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(file_format.names)
            writer.writerows([_text(r.get(n)) for n in file_format.names] for r in picked[file_format.kind])
        written.append(path)
    return written
