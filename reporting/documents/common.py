"""What every report document shares: a measure as a printed cell (RAG in words as well as colour, the two
"–" states with their note letters, blank for not started; REPORTS 1.3, 1.4), the note legend under a table,
picking a measure out of a list, and the policy in force per team (one query)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings

from reporting.measures.values import EMPTY, NO_DATA, NOT_STARTED, STATUS_NOTES, MeasureValue, q
from workload.models import TeamPolicy

DASH = "–"
NOTE_LETTERS = {EMPTY: "a", NO_DATA: "b"}  # fixed letters, so a reader learns them once across reports
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}
BASIS_WORDS = {
    "fte": "per full-time equivalent (FTE)", "headcount": "per worker (headcount)",
    "pro_rata": "pro rata to each worker's WTE", "raw": "as raw counts", "mixed": "mixed across teams",
}


def authority_name() -> str:
    return settings.CASEWEIGHT_AUTHORITY_NAME


@dataclass(frozen=True)
class Cell:
    """One printed figure. `rag` is the colour class; `rag_word` prints it, so the colour is never alone."""

    text: str
    rag: str = ""
    note: str = ""  # a note letter explained under the table

    @property
    def rag_word(self) -> str:
        return RAG_WORDS.get(self.rag, "")

    @property
    def blank(self) -> bool:
        return self.text == ""


@dataclass
class Notes:
    """The note letters a table used, for the legend printed under it."""

    used: set[str] = field(default_factory=set)

    def mark(self, status: str) -> str:
        self.used.add(status)
        return NOTE_LETTERS.get(status, "")

    def legend(self) -> list[tuple[str, str]]:
        out = [(f"{DASH} {NOTE_LETTERS[s]}", STATUS_NOTES[s]) for s in (EMPTY, NO_DATA) if s in self.used]
        if NOT_STARTED in self.used:
            out.append(("blank", "Not started: before this row's first month"))
        return out


def cell(value: MeasureValue | None, notes: Notes, *, text: str | None = None, rag: bool = True) -> Cell:
    """A measure as printed: its display (or `text`), its RAG, or the empty state with its note letter."""
    if value is None:
        return Cell(DASH, note=notes.mark(NO_DATA))
    if value.status == NOT_STARTED:
        notes.mark(NOT_STARTED)
        return Cell("")
    if value.status in NOTE_LETTERS:
        return Cell(DASH, note=notes.mark(value.status))
    return Cell(value.display if text is None else text, rag=value.rag if rag else "")


def pick(values: Iterable[MeasureValue], measure: str, threshold: int | Decimal | None = None) -> MeasureValue | None:
    """The value of one measure (and N, for counts) out of a values_for list."""
    for value in values:
        if value.measure == measure and (threshold is None or value.threshold == Decimal(threshold)):
            return value
    return None


def picks(values: Iterable[MeasureValue], measure: str) -> list[MeasureValue]:
    return [v for v in values if v.measure == measure]


def count_text(value: MeasureValue | None) -> str:
    """A count without its percentage ("3"), for narrow columns."""
    if value is None or value.value is None:
        return DASH
    return str(int(value.value))


def number(value: Decimal | int | None, dp: int = 1) -> str:
    """A figure to dp places; a whole number (a count's target of 0, a target of 16) without decimals."""
    if value is None:
        return DASH
    value = Decimal(value)
    if dp == 1 and value == value.to_integral_value():
        return str(int(value))
    return str(q(value, dp))


def policies_on(team_ids: list[int], month: date) -> dict[int, TeamPolicy]:
    """The caseload policy in force for each team in the month (one query)."""
    out: dict[int, TeamPolicy] = {}
    for policy in TeamPolicy.objects.filter(team_id__in=team_ids, valid_from__lte=month).select_related(
        "preset"
    ).order_by("team_id", "-valid_from"):
        out.setdefault(policy.team_id, policy)
    return out


def policy_summary(policies: Iterable[TeamPolicy]) -> list[str]:
    """One line per preset in force: its label and how it averages and counts (the weekly report header)."""
    lines = {}
    for policy in policies:
        s = policy.settings()
        lines.setdefault(policy.preset_id, (
            f"{policy.preset.label}: averages {BASIS_WORDS.get(s.get('average_basis', 'fte'))}, "
            f"'more than N' counted {BASIS_WORDS.get(s.get('threshold_basis', 'pro_rata'))}"
        ))
    return sorted(lines.values())


def team_type_label(policy: TeamPolicy | None) -> str:
    if policy is None:
        return DASH
    return policy.preset.team_type(policy.team_type).get("label") or policy.team_type.replace("_", " ").capitalize()


def team_maximum(policy: TeamPolicy | None) -> int | None:
    if policy is None:
        return None
    value = policy.settings().get("max")
    return None if value is None else int(value)
