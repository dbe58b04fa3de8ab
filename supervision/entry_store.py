"""How an entry's content is claimed, scored and stored: shared by the prefill (supervision.prefill) and the
editing workflow (supervision.services), so a started entry and a saved one are stored the same way."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone

from supervision.entry_scoring import entry_score, scheme_tables, stored
from supervision.models import (
    EntryLine,
    EntryStatus,
    ProformaEntry,
)
from supervision.rules import (
    line_counts,
)
from workload.access import can_manage_team
from workload.models import Team
from workload.scoring.engine import Score
from workload.scoring.validate import ScoringInputError

EDITABLE_STATUSES = (EntryStatus.DRAFT, EntryStatus.DISPUTED)


class EntryConflict(ValidationError):
    """The save was based on an older version of the entry: someone else saved in between."""


class EntryScoringError(ValidationError):
    """The content cannot be scored under the entry's scheme; `field` is the engine's path
    ("cases[2].factors[0]", "worker.grade") so the page can show the message next to that field."""

    def __init__(self, error: ScoringInputError) -> None:
        super().__init__(error.message, code="scoring")
        self.field = error.field
        self.scoring_message = error.message


def conflict_message(entry: ProformaEntry) -> str:
    saved = timezone.localtime(entry.updated_at)
    return (f"Someone else saved this pro-forma at {saved:%H:%M}; your changes were not saved. "
            "Reload to see their version.")


def require_manager(user, team: Team) -> None:
    if not can_manage_team(user, team):
        raise PermissionDenied("Only a manager of this team can change its pro-formas.")


def claim(entry: ProformaEntry, expected_lock_version: int, *, statuses=EDITABLE_STATUSES) -> ProformaEntry:
    """Optimistic lock: bump lock_version only if it is still the version the form was built from.

    A conditional UPDATE, so of two concurrent saves from the same version exactly one matches a row
    (the second waits on the first's row lock, then finds the version moved on). Returns the row as it
    now stands; raises EntryConflict for a stale version, ValidationError for an entry not editable."""
    updated = ProformaEntry.objects.filter(
        pk=entry.pk, lock_version=expected_lock_version, is_current=True, status__in=statuses
    ).update(lock_version=F("lock_version") + 1, updated_at=timezone.now())
    fresh = ProformaEntry.objects.select_related("worker", "worker__user", "team", "scheme_version").get(pk=entry.pk)
    if updated:
        return fresh
    if not fresh.is_current:
        raise ValidationError("This revision has been superseded; open the current one.", code="superseded")
    if fresh.status not in statuses:
        if fresh.status == EntryStatus.COUNTERSIGNED:
            raise ValidationError(
                "A countersigned pro-forma cannot be changed. Start a revision to correct it.", code="immutable"
            )
        raise ValidationError(f"This pro-forma is {fresh.get_status_display().lower()} and cannot be changed now.",
                              code="state")
    raise EntryConflict(conflict_message(fresh), code="conflict")


def score_into(entry: ProformaEntry, lines: list[EntryLine]) -> Score:
    """Score the entry's content and store every figure on it and its lines (raises EntryScoringError)."""
    tables = scheme_tables(entry.scheme_version)
    try:
        score = entry_score(tables=tables, team_type=entry.team_type, fields=entry, lines=lines)
    except ScoringInputError as exc:
        raise EntryScoringError(exc) from exc
    entry.case_points = stored(score.case_points)
    entry.personal_points = stored(score.personal_points)
    entry.extra_points = stored(score.extra_points)
    entry.total_points = stored(score.total_points)
    entry.band, entry.band_label = score.band, score.band_label
    entry.band_thresholds = {key: format(stored(value).normalize(), "f") for key, value in score.band_thresholds.items()}
    entry.workload_weight = stored(score.workload_weight)
    entry.case_count = score.case_count
    entry.case_band = score.case_band or ""
    for line, case_score in zip(lines, score.cases, strict=True):
        line.points = stored(case_score.points)
    return score


def clear_score(entry: ProformaEntry, lines: list[EntryLine]) -> None:
    entry.case_points = entry.personal_points = entry.extra_points = entry.total_points = None
    entry.band = entry.band_label = entry.case_band = ""
    entry.band_thresholds = {}
    entry.workload_weight = entry.case_count = None
    for line in lines:
        line.points = None


def set_counts(entry: ProformaEntry, lines: list[EntryLine]) -> None:
    entry.children_count, entry.family_groups, _ = line_counts(lines)


def save_lines(entry: ProformaEntry, lines: list[EntryLine]) -> None:
    for position, line in enumerate(lines):
        line.entry = entry
        line.position = position
        # Field checks only: full_clean would query once per line for the case and once per check
        # constraint, and both are already guaranteed (cases are the team's, checked in _build_lines; the
        # database enforces children >= 1 too).
        line.clean_fields(exclude=["entry", "case"])
    EntryLine.objects.bulk_create(lines)
