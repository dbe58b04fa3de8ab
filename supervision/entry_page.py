"""What the entry page and its countersign page show, assembled in one place from one selector call.

Views bind an EntryEditor (or not), call a service, then hand the entry and the editor here: the score they
show is the editor's live preview when one was posted, else the stored entry's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from supervision.audit import audit_rows
from supervision.diff import FieldChange, LineChange, entry_diff
from supervision.entry_editor import EntryEditor
from supervision.fields import BY_NAME
from supervision.forms import ReviseForm
from supervision.models import EntryStatus, ProformaEntry
from supervision.selectors import EntryPageData, entry_page_data
from workload.access import can_manage_team
from workload.capabilities import can
from workload.workdays import add_months

# Differ between any two months by construction: not a change the worker needs to check.
_MONTHLY = {BY_NAME[name].label for name in ("month", "date_of_score") if name in BY_NAME}
# Already in the summary's first line (total, and the band it was).
_HEADLINE = {BY_NAME[name].label for name in ("total_points", "band_label") if name in BY_NAME}


@dataclass
class ChangeSummary:
    """What changed since the version the worker last saw: last month, the countersigned revision this one
    corrects, or the version they disputed."""

    heading: str
    total_before: Decimal | None = None
    band_before: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    lines: list[LineChange] = field(default_factory=list)
    changed_labels: list[str] = field(default_factory=list)  # since a dispute: what was edited, by label

    @property
    def is_empty(self) -> bool:
        return not (self.fields or self.lines or self.changed_labels)


def _since_dispute(page: EntryPageData) -> ChangeSummary | None:
    """The manager's edits after the latest dispute, from the audit trail (the disputed content itself is
    not kept apart from it): which fields and whether the lines changed, and the total that was disputed."""
    dispute = page.disputes[0] if page.disputes else None
    if dispute is None:
        return None
    before = [e for e in page.audit_events if e.at <= dispute.raised_at and e.action == "entry.submitted"]
    after = [e for e in page.audit_events if e.at > dispute.raised_at and e.action == "entry.updated"]
    labels: list[str] = []
    for event in after:
        for name in event.data.get("fields", []):
            label = BY_NAME[name].label if name in BY_NAME else name.replace("_", " ").capitalize()
            if label not in labels:
                labels.append(label)
        if event.data.get("lines_changed") and "Case lines" not in labels:
            labels.append("Case lines")
    total = Decimal(before[-1].data["total_points"]) if before and "total_points" in before[-1].data else None
    return ChangeSummary(heading=f"Since you disputed it on {timezone.localtime(dispute.raised_at):%-d %b %Y}", total_before=total,
                         changed_labels=labels)


def change_summary(entry: ProformaEntry, page: EntryPageData) -> ChangeSummary | None:
    """What the worker should check first: changes since the disputed version, else since the countersigned
    revision this one corrects, else since last month's pro-forma (none for a first month)."""
    since_dispute = _since_dispute(page)
    if since_dispute is not None:
        return since_dispute
    if page.diff is not None:
        old = next((r for r in page.revisions if r.revision == page.diff.old_revision), None)
        return ChangeSummary(heading=f"Since revision {page.diff.old_revision} (countersigned)",
                             total_before=old.total_points if old else None,
                             band_before=old.band_label if old else "",
                             fields=[c for c in page.diff.fields if c.label not in _HEADLINE],
                             lines=page.diff.lines)
    # one read of last month's current entry and its lines (the page data covers this month only)
    last = (ProformaEntry.objects.current().filter(worker_id=entry.worker_id, month=add_months(entry.month, -1))
            .prefetch_related("lines").first())
    if last is None:
        return None
    if (last.scheme_version_id, last.team_type) != (entry.scheme_version_id, entry.team_type):
        return ChangeSummary(heading=f"Since {last.month:%B %Y}: a different weighting scheme, so the figures "
                                     "are not comparable", total_before=last.total_points, band_before=last.band_label)
    diff = entry_diff(old=last, old_lines=sorted(last.lines.all(), key=lambda line: (line.position, line.pk)),
                      new=entry, new_lines=page.lines, tables=page.tables)
    return ChangeSummary(heading=f"Since last month ({last.month:%B %Y})", total_before=last.total_points,
                         band_before=last.band_label, fields=[c for c in diff.fields if c.label not in _MONTHLY | _HEADLINE],
                         lines=diff.lines)


def code_labels(tables, team_type: str) -> dict[str, dict[str, str]]:
    """Scheme codes -> labels, so the score explanation shows words, not codes."""
    return {
        "personal": {code: label for code, (label, _points) in tables.personal_elements.items()},
        "extras": {code: extra.label for code, extra in tables.extras.items()},
        "categories": dict(tables.categories_for(team_type)),
        "factors": {code: factor.label for code, factor in tables.factor_specs.items()},
        "grades": dict(tables.grades),
    }


def score_lines(score, refs: list[str]) -> list[tuple[str, object]]:
    """Each scored line with its reference, for the explanation."""
    if score is None:
        return []
    return [(refs[i] if i < len(refs) and refs[i] else f"Line {i + 1}", case) for i, case in enumerate(score.cases)]


def _shared(user, entry: ProformaEntry, page: EntryPageData, score) -> dict[str, Any]:
    """What both the entry page and the countersign page show."""
    return {
        "entry": entry, "page": page, "tables": page.tables,
        "labels": code_labels(page.tables, entry.team_type),
        "audit": audit_rows(page.audit_events),
        "hours_per_week": entry.wte * settings.CASEWEIGHT_FULLTIME_HOURS,
        "score": score,
    }


def entry_page_context(*, user, entry: ProformaEntry, editor: EntryEditor | None = None,
                       **extra: Any) -> dict[str, Any]:
    """The entry page: the read-only pro-forma or, for its manager while it is editable, the editor with the
    live score of what was posted."""
    page = entry_page_data(entry=entry)
    can_manage = can_manage_team(user, entry.team)
    editable = entry.is_editable and can_manage
    if editable and editor is None:
        editor = EntryEditor.unbound(entry=entry, lines=page.lines, triggers=page.triggers)
    preview = editor.preview if editor is not None else None
    score = preview.score if preview else page.score
    is_worker = entry.worker.user_id is not None and entry.worker.user_id == user.pk
    if preview is not None:
        refs, row_points = editor.references(), editor.row_points(score)
    else:
        refs = [line.reference for line in page.lines]
        unchanged = editor is not None and not editor.is_bound and len(editor.formset.forms) == len(page.lines)
        row_points = {i: line.points for i, line in enumerate(page.lines)} if unchanged else {}
    return {
        **_shared(user, entry, page, score),
        "score_error": None if preview else page.score_error,
        "panel": preview.panel if preview else page.panel,
        "triggers": preview.triggers if preview else page.triggers,
        "editable": editable, "can_manage": can_manage,
        "entry_form": editor.form if editor else None, "formset": editor.formset if editor else None,
        # managers, heads of service and SMT reach an entry through its team; a worker only their own record
        "can_see_team": can(user, "team.view"),
        "is_worker": is_worker, "score_lines": score_lines(score, refs), "row_points": row_points,
        "can_sign": is_worker and entry.is_current and entry.status == EntryStatus.SUBMITTED,
        "can_revise": can_manage and entry.is_current and entry.status == EntryStatus.COUNTERSIGNED,
        "revise_form": extra.pop("revise_form", None) or ReviseForm(),
        "live_errors": None,  # a full page shows its errors server-side, next to each field
        "error_summary": editor.summary() if editor is not None else [],
        "warnings": editor.warnings(preview.panel if preview else page.panel) if editable and editor else [],
        **extra,
    }


def countersign_page_context(*, user, entry: ProformaEntry, form, dispute_form) -> dict[str, Any]:
    """The worker's page: the pro-forma as submitted, its score, and the sign and dispute forms."""
    page = entry_page_data(entry=entry)
    return {
        **_shared(user, entry, page, page.score),
        "changes": change_summary(entry, page),
        "panel": page.panel, "triggers": page.triggers, "form": form, "dispute_form": dispute_form,
        "score_lines": score_lines(page.score, [line.reference for line in page.lines]),
        "can_sign": entry.is_current and entry.status == EntryStatus.SUBMITTED,
    }


def live_score_context(*, entry: ProformaEntry, editor: EntryEditor) -> dict[str, Any]:
    """The htmx score panel for the form as it stands (nothing saved)."""
    preview = editor.preview
    context = {
        "entry": entry, "score": preview.score if preview else None, "panel": preview.panel if preview else None,
        "triggers": preview.triggers if preview else frozenset(), "live": True,
        "live_errors": editor.error_map(), "form_problems": editor.problems(), "tables": editor.tables,
        "warnings": editor.warnings(preview.panel if preview else None),
    }
    if preview is not None:
        context["score_lines"] = score_lines(preview.score, editor.references())
        points = editor.row_points(preview.score)
        context["row_points_oob"] = [(i, points.get(i)) for i in range(len(editor.formset.forms))]
    return context
