"""The one declared list of what a pro-forma shows, edits, signs and compares.

The entry form, the content hash a signature covers, the revision diff, the read-only view and the audit
trail's field names all read ENTRY_FIELDS and LINE_FIELDS, so a field cannot be shown without being signed.

Signatures are versioned: `signed_since` says from which hash version a field is covered. Version 1 is the
list the first release hashed (it left out fields the worker reads); version 2 covers everything shown.
A field added later gets `signed_since=CURRENT_HASH_VERSION + 1` and the version is bumped, so every
signature already given still verifies under the version stored with it (tests pin a hash per version).
"""
from __future__ import annotations

from dataclasses import dataclass

CURRENT_HASH_VERSION = 2


@dataclass(frozen=True)
class EntryField:
    name: str  # ProformaEntry attribute (an id for a foreign key)
    label: str  # what people read: forms, read-only view, diffs, audit trail, PDFs
    section: str  # "" for the record's identity (shown in the page header)
    kind: str  # how it is shown: text, bool, yesno, date, datetime, decimal, hours, codes, position, grade,...
    editable: bool = False  # a team manager edits it on the entry form
    signed_since: int | None = 1  # first hash version covering it; None: not covered (say why)
    shown: bool = True  # on the read-only view (and so in the diff)
    hide_blank: bool = False  # the read-only view leaves the row out when the value is empty


SECTIONS = {
    "worker": "1. Worker",
    "supervision": "2. Supervision",
    "personal": "3. Personal capacity",
    "score": "5. Totals",
    "comments": "7. Workload comments",
    "reasons": "8. Policy reasons",
    "signatures": "9–11. Comments and signatures",
}

F = EntryField
ENTRY_FIELDS: tuple[EntryField, ...] = (
    # The record's identity: whose month under which scheme. Shown in the page header.
    F("worker_id", "Worker", "", "worker"),
    F("team_id", "Team", "", "team"),
    F("month", "Reporting month", "", "month"),
    F("revision", "Revision", "", "int"),
    F("scheme_version_id", "Weighting scheme", "", "scheme"),
    F("team_type", "Team type", "", "team_type"),
    F("revision_reason", "Reason for the correction", "", "text", signed_since=2, hide_blank=True),
    # 1. Worker
    F("position", "Position held", "worker", "position", editable=True),
    F("is_agency", "Agency / locum worker", "worker", "bool", editable=True, signed_since=2),
    F("wte", "WTE", "worker", "wte", editable=True),
    F("grade", "Grade", "worker", "grade", editable=True, hide_blank=True),
    # 2. Supervision
    F("date_of_score", "Date of score (the supervision date)", "supervision", "date", editable=True,
      signed_since=2),
    F("completed_in_absence", "Completed in the worker's absence", "supervision", "bool", editable=True,
      signed_since=2),
    # 3. Personal capacity
    F("personal", "Personal elements", "personal", "codes:personal", editable=True),
    F("extra_duty_hours", "Extra duties: hours this month", "personal", "hours", editable=True),
    F("extra_duty_explanation", "Explanation of the extra duties", "personal", "text", editable=True,
      signed_since=2, hide_blank=True),
    F("extras", "Extra responsibilities", "personal", "codes:extras", editable=True),
    # 5. Totals, as stored at submission (re-weighting never moves an agreed month)
    F("case_points", "Case responsibility points", "score", "decimal"),
    F("personal_points", "Personal capacity points", "score", "decimal"),
    F("extra_points", "Extra duty and responsibility points", "score", "decimal"),
    F("total_points", "Total points", "score", "decimal"),
    F("band", "Band", "score", "code", shown=False),  # shown through band_label
    F("band_label", "Band", "score", "text", signed_since=2),
    F("band_thresholds", "Band thresholds (scaled by WTE)", "score", "thresholds", signed_since=2),
    F("workload_weight", "Workload weight", "score", "decimal", hide_blank=True),
    F("case_count", "Case count", "score", "int", hide_blank=True),
    F("case_band", "Case count band", "score", "code", shown=False),
    F("children_count", "Children", "score", "int"),
    F("family_groups", "Family groups", "score", "int"),
    # 7. Workload comments
    F("workload_manageable", "Is the workload manageable in the hours worked, given the worker's skills and "
      "experience?", "comments", "yesno", editable=True),
    F("workload_comment", "Workload comments (please give detail)", "comments", "text", editable=True),
    F("workload_context", "Context of the workload", "comments", "text", editable=True, hide_blank=True),
    F("workload_action", "Action about future management of the workload", "comments", "text", editable=True,
      hide_blank=True),
    # 8. Policy reasons (each shown on the form only when the month triggers it)
    F("deviation_reason", "Reason for the deviation from the expected caseload (agreed in supervision)",
      "reasons", "text", editable=True, hide_blank=True),
    F("over_max_reason", "Reason for allocating while over the maximum", "reasons", "text", editable=True,
      hide_blank=True),
    F("over_max_until", "Time limit for holding more than the maximum", "reasons", "date", editable=True,
      hide_blank=True),
    F("over_max_review_on", "Review date", "reasons", "date", editable=True, hide_blank=True),
    F("demanding_until", "Demanding band: the worker may hold this level until", "reasons", "date",
      editable=True, hide_blank=True),
    F("high_priorities", "High band: agreed priorities and how the workload will be managed", "reasons", "text",
      editable=True, hide_blank=True),
    F("over_capacity_reason", "Over capacity: this month's reason", "reasons", "text", editable=True,
      hide_blank=True),
    F("remedial_action", "Over capacity two months running: remedial action", "reasons", "text", editable=True,
      hide_blank=True),
    # 9-11. The manager's signature is part of what the worker signs.
    F("submitted_by_id", "Signed team manager", "signatures", "user", signed_since=2),
    F("submitted_at", "Date completed", "signatures", "datetime", signed_since=2),
    # Written by the worker as they sign, after the content is fixed: it cannot be inside the hash it is
    # signed with. The countersignature's audit event records it with the signature.
    F("worker_comment", "Worker comments", "signatures", "text", signed_since=None),
)
del F


@dataclass(frozen=True)
class LineField:
    name: str
    label: str
    kind: str
    signed_since: int | None = 1
    editable: bool = True


LINE_FIELDS: tuple[LineField, ...] = (
    LineField("reference", "Family / line reference", "text"),
    LineField("children", "Children", "int"),
    LineField("category", "Category", "code:category"),
    LineField("factors", "Additional factors", "codes:factors"),
    LineField("co_worked", "Co-worked", "bool"),
    LineField("co_work_share", "Share", "decimal"),
    LineField("not_allocated", "Not allocated (scored, not counted)", "bool"),
    LineField("points", "Points", "decimal", editable=False),
)

BY_NAME = {f.name: f for f in ENTRY_FIELDS}
LINE_BY_NAME = {f.name: f for f in LINE_FIELDS}
EDITABLE = tuple(f.name for f in ENTRY_FIELDS if f.editable)
LINE_EDITABLE = tuple(f.name for f in LINE_FIELDS if f.editable)
SHOWN = tuple(f for f in ENTRY_FIELDS if f.shown and f.section)
TEXT_FIELDS = tuple(f.name for f in ENTRY_FIELDS if f.editable and f.kind == "text")


def signed_fields(version: int) -> tuple[str, ...]:
    """The entry attributes hashed under a signature version."""
    return tuple(f.name for f in ENTRY_FIELDS if f.signed_since is not None and f.signed_since <= version)


def signed_line_fields(version: int) -> tuple[str, ...]:
    return tuple(f.name for f in LINE_FIELDS if f.signed_since is not None and f.signed_since <= version)


def label(name: str) -> str:
    """A field's label by attribute name, for audit trails and messages (the name itself if unknown)."""
    field = BY_NAME.get(name) or LINE_BY_NAME.get(name)
    return field.label if field else name.replace("_", " ").capitalize()
