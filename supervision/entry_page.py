"""What the entry page and its countersign page show, assembled in one place from one selector call.

Views bind an EntryEditor (or not), call a service, then hand the entry and the editor here: the score they
show is the editor's live preview when one was posted, else the stored entry's.
"""
from __future__ import annotations

from typing import Any

from django.conf import settings

from supervision.audit import action_label
from supervision.entry_editor import EntryEditor
from supervision.forms import ReviseForm
from supervision.models import EntryStatus, ProformaEntry
from supervision.selectors import EntryPageData, entry_page_data
from workload.access import can_manage_team
from workload.capabilities import can


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
        "audit": [(event, action_label(event.action)) for event in page.audit_events],
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
