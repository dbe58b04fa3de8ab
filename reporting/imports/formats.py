"""The one declared list of import/export files and their columns.

The readers (header checks), the validation (types, required), the exporter (column order), docs/import.md
and the app's mapping step all read FORMATS, so a column cannot be exported without being importable."""
from __future__ import annotations

from dataclasses import dataclass

from reporting.models import IMPORTED_MEASURES
from supervision.models import SessionKind
from workload.models import AbsenceType, AllocationRole, EmploymentType, Position, SnapshotKind

TEXT, INT, DECIMAL, DATE, MONTH, BOOL, CHOICE = "text", "whole number", "decimal", "date", "month", "yes/no", "choice"


@dataclass(frozen=True)
class Column:
    name: str  # header in the file
    type: str  # one of the constants above
    required: bool
    help: str  # what people read in docs/import.md and on the mapping page
    choices: tuple[str, ...] = ()
    past: bool = False  # a date after today is refused (records of what happened)


@dataclass(frozen=True)
class FileFormat:
    kind: str
    filename: str  # stem of the file, e.g. "teams" for teams.csv / teams.xlsx
    label: str
    key: tuple[str, ...]  # the columns that identify a row; a repeat is a duplicate
    help: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


# The allowed values are the models' own choices, so a value the app can store is always importable and one it
# cannot is always refused (the files carry codes; docs/import.md lists them).
POSITIONS = tuple(Position.values)
EMPLOYMENT_TYPES = tuple(EmploymentType.values)
ROLES = tuple(AllocationRole.values)
ABSENCE_KINDS = tuple(AbsenceType.values)
SNAPSHOT_KINDS = tuple(SnapshotKind.values)
SESSION_KINDS = tuple(SessionKind.values)
AGGREGATE_MEASURES = tuple(m.value for m in IMPORTED_MEASURES)

FORMATS: tuple[FileFormat, ...] = (
    FileFormat(
        "teams", "teams", "Teams", ("code", "from"),
        "One row per team, or one per team and date from which its policy or scheme changed.",
        (
            Column("code", TEXT, True, "Short team code used in reports, e.g. DA1. Identifies the team."),
            Column("name", TEXT, True, "Team name."),
            Column("service_area", TEXT, True, "Service area name; created if new."),
            Column("team_type", TEXT, True, "Team type of the caseload policy preset, e.g. duty_and_assessment."),
            Column("preset", TEXT, True, "Caseload policy preset code, e.g. BARNET_2019."),
            Column("scheme", TEXT, True, "Weighting scheme version, e.g. nottinghamshire-wlm-2016."),
            Column("scheme_team_type", TEXT, True, "Team type of the weighting scheme, e.g. assessment."),
            Column("from", MONTH, False, "First month this row applies to (YYYY-MM or a date on the 1st). "
                   "Empty: from the start of the records."),
            Column("overrides", TEXT, False, "Per-team policy overrides as JSON, e.g. {\"asye_limit_cases\": 12}."),
        ),
    ),
    FileFormat(
        "workers", "workers", "Workers and their team memberships", ("id", "start"),
        "One row per worker per team membership; the worker's details repeat on each of their rows.",
        (
            Column("id", TEXT, True, "The worker's id in the case-management system."),
            Column("first_name", TEXT, True, "First name."),
            Column("surname", TEXT, True, "Surname."),
            Column("position", CHOICE, True, "Position.", POSITIONS),
            Column("employment_type", CHOICE, True, "Permanent or agency / locum.", EMPLOYMENT_TYPES),
            Column("wte", DECIMAL, True, "Whole-time equivalent, more than 0 and at most 1, e.g. 0.6."),
            Column("grade", TEXT, False, "Scheme grade code, where the scheme has grades."),
            Column("asye_start", DATE, False, "ASYE start date, for newly qualified social workers.", past=True),
            Column("asye_completed", DATE, False, "Date the ASYE programme was completed.", past=True),
            Column("case_holding", BOOL, False, "yes or no; empty means yes."),
            Column("supervisor", TEXT, False, "The id of the worker who supervises this worker."),
            Column("login", TEXT, False, "Username of the worker's Caseweight login, if they have one."),
            Column("team", TEXT, True, "Team code of this membership."),
            Column("start", DATE, True, "First day in the team.", past=True),
            Column("end", DATE, False, "Last day in the team; empty while current."),
        ),
    ),
    FileFormat(
        "cases", "cases", "Cases", ("reference",),
        "One row per case (family group).",
        (
            Column("reference", TEXT, True, "Case reference in the case-management system."),
            Column("team", TEXT, True, "Team code of the team holding the case."),
            Column("children", INT, True, "Number of children, at least 1."),
            Column("category", TEXT, True, "Category code of the team's weighting scheme."),
            Column("factors", TEXT, False, "Complicating factor codes, separated by semicolons."),
            Column("opened", DATE, True, "Date the case opened.", past=True),
            Column("closed", DATE, False, "Date the case closed; empty while open.", past=True),
        ),
    ),
    FileFormat(
        "allocations", "allocations", "Allocations", ("case", "worker", "from"),
        "One row per worker's allocation to a case over dates. At most two workers hold a case at once.",
        (
            Column("case", TEXT, True, "Case reference."),
            Column("worker", TEXT, True, "Worker id."),
            Column("role", CHOICE, True, "Allocated worker, co-worker or awaiting allocation.", ROLES),
            Column("from", DATE, True, "First day of the allocation.", past=True),
            Column("to", DATE, False, "Last day of the allocation; empty while current."),
            Column("co_work_share", DECIMAL, False, "This worker's share when co-worked, if not the scheme's default."),
        ),
    ),
    FileFormat(
        "absences", "absences", "Absences", ("worker", "start"),
        "One row per absence; long absences decide who counts in the caseload figures.",
        (
            Column("worker", TEXT, True, "Worker id."),
            Column("kind", CHOICE, True, "Kind of absence.", ABSENCE_KINDS),
            Column("start", DATE, True, "First day of the absence."),
            Column("expected_return", DATE, False, "Expected return date."),
            Column("actual_return", DATE, False, "Actual return date; empty while absent.", past=True),
        ),
    ),
    FileFormat(
        "worker_snapshots", "worker_snapshots", "Caseload snapshots per worker", ("worker", "date"),
        "One row per worker per past snapshot date: the counts the caseload figures are built from.",
        (
            Column("worker", TEXT, True, "Worker id."),
            Column("team", TEXT, True, "Team code the worker was in on the date."),
            Column("date", DATE, True, "Snapshot date (in the past).", past=True),
            Column("kind", CHOICE, True, "Weekly or month end.", SNAPSHOT_KINDS),
            Column("wte", DECIMAL, True, "The worker's WTE on the date."),
            Column("allocated_children", INT, True, "Children allocated to the worker."),
            Column("family_groups", INT, False, "Family groups allocated."),
            Column("coworked_children", INT, False, "Children co-worked."),
            Column("awaiting_allocation_children", INT, False, "Children held awaiting allocation."),
        ),
    ),
    FileFormat(
        "team_snapshots", "team_snapshots", "Caseload snapshots per team", ("team", "date"),
        "One row per team per past snapshot date: unallocated children and the establishment.",
        (
            Column("team", TEXT, True, "Team code."),
            Column("date", DATE, True, "Snapshot date (in the past)."),
            Column("kind", CHOICE, True, "Weekly or month end.", SNAPSHOT_KINDS),
            Column("unallocated_children", INT, True, "Children not allocated to a worker."),
            Column("establishment_fte", DECIMAL, True, "Funded posts in full-time equivalents."),
            Column("vacant_fte", DECIMAL, True, "Vacant posts in full-time equivalents."),
            Column("agency_fte", DECIMAL, True, "Vacant posts covered by agency staff, in full-time equivalents."),
        ),
    ),
    FileFormat(
        "sessions", "sessions", "Supervision sessions", ("worker", "date", "kind"),
        "One row per supervision session, held or not. Notes are not imported.",
        (
            Column("worker", TEXT, True, "Id of the worker supervised."),
            Column("supervisor", TEXT, True, "Username of the supervisor's Caseweight login."),
            Column("date", DATE, True, "Date of the session (in the past).", past=True),
            Column("kind", CHOICE, True, "Worker supervision or case supervision.", SESSION_KINDS),
            Column("held", BOOL, False, "yes or no; empty means yes."),
            Column("next_due", DATE, False, "Date the next session is due."),
        ),
    ),
    FileFormat(
        "aggregates", "aggregates", "Child-level figures per team and month", ("team", "month", "measure"),
        "Numerator and denominator per team and month for the four figures counted child by child in the "
        "case-management system: "
        + ", ".join(f"{m.value} {m.label[:1].lower()}{m.label[1:]}" for m in IMPORTED_MEASURES) + ".",
        (
            Column("team", TEXT, True, "Team code."),
            Column("month", MONTH, True, "Month (YYYY-MM), in the past or the current month.", past=True),
            Column("measure", CHOICE, True,
                   f"Which figure: {', '.join(AGGREGATE_MEASURES[:-1])} or {AGGREGATE_MEASURES[-1]}.",
                   AGGREGATE_MEASURES),
            Column("numerator", INT, True, "Children within timescale (or supervised)."),
            Column("denominator", INT, True, "Children counted; at least the numerator."),
        ),
    ),
)

BY_KIND = {f.kind: f for f in FORMATS}
ORDER = tuple(f.kind for f in FORMATS)  # the order files are applied in: teams before the rows that name them


def format_for(kind: str) -> FileFormat:
    return BY_KIND[kind]


def formats_markdown() -> str:
    """The formats section of docs/import.md, written from FORMATS (a test keeps the two the same)."""
    out = []
    for fmt in FORMATS:
        out.append(f"### {fmt.label}: `{fmt.filename}.csv` or `{fmt.filename}.xlsx`\n")
        out.append(f"{fmt.help} A row is identified by {', '.join(f'`{k}`' for k in fmt.key)}.\n")
        out.append("| Column | Type | Required | What it holds |")
        out.append("|---|---|---|---|")
        for c in fmt.columns:
            kind = c.type + (": " + ", ".join(f"`{x}`" for x in c.choices) if c.choices else "")
            kind += "; not in the future" if c.past else ""
            out.append(f"| `{c.name}` | {kind} | {'yes' if c.required else 'no'} | {c.help} |")
        out.append("")
    return "\n".join(out)
