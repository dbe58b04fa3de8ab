"""Score a month without saving anything: a manager comparing schemes, an authority choosing one.

The same pure engine as the pro-forma; this module only turns form data into a MonthInput and puts
the engine's field paths ("cases[2].factors") back onto the form field they name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from workload.scoring.engine import score_month
from workload.scoring.inputs import CaseInput, MonthInput, WorkerInput
from workload.scoring.validate import ScoringInputError, validate_month

# The page's own field names, the only ones a carried month is read from (index < 100; the formset's
# maximum is checked by the caller).
_CARRIED_KEY = re.compile(
    r"worker-(wte|grade|personal|extra_duty_hours|extras)\Z"
    r"|lines-([0-9]{1,2})-(reference|children|category|factors|co_worked|co_work_share)\Z"
)
_MULTIPLE = {"personal", "extras", "factors"}
_MAX_CARRIED_VALUE = 100  # characters; longer values are dropped, never shown back

_CASE_PATH = re.compile(r"^cases\[(\d+)\](?:\.(\w+))?")
_WORKER_PATH = re.compile(r"^worker\.(\w+)")


@dataclass(frozen=True)
class FieldError:
    """Where an engine error belongs on the page: a worker field, or a line's field (by form index)."""

    line: int | None
    field: str | None
    message: str


def carried_month(data, *, max_lines: int) -> tuple[dict, list[dict], list[tuple[str, str]]]:
    """A month posted to the page to pre-fill it (the pro-forma's "compare" button, or a change of scheme):
    (worker initial, line initials in order, the (name, value) pairs to carry on to the next scheme).

    Posted, never in the URL: lines carry case references and categories. Unknown names, indexes at or past
    max_lines, and values with a NUL or over 100 characters are ignored; codes the chosen scheme does not
    have are simply not pre-selected by the forms."""
    worker: dict = {}
    lines: dict[int, dict] = {}
    carried: list[tuple[str, str]] = []
    for key in data:
        match = _CARRIED_KEY.match(key)
        if match is None:
            continue
        index = int(match.group(2)) if match.group(2) else None
        if index is not None and index >= max_lines:
            continue
        name = match.group(1) or match.group(3)
        values = [v for v in data.getlist(key) if len(v) <= _MAX_CARRIED_VALUE and "\x00" not in v]
        if not values:
            continue
        carried += [(key, value) for value in values]
        target = worker if index is None else lines.setdefault(index, {})
        target[name] = values if name in _MULTIPLE else values[-1]
    return worker, [lines[i] for i in sorted(lines)], carried


def month_input_build(*, scheme_slug: str, team_type: str, worker: dict, lines: list[dict]) -> MonthInput:
    return MonthInput(
        scheme=scheme_slug,
        team_type=team_type,
        worker=WorkerInput(
            wte=worker["wte"],
            grade=worker.get("grade") or None,
            personal=tuple(worker.get("personal") or ()),
            extra_duty_hours=worker.get("extra_duty_hours") or Decimal(0),
            extras=tuple(worker.get("extras") or ()),
        ),
        cases=tuple(
            CaseInput(
                children=line["children"],
                category=line["category"],
                factors=tuple(line.get("factors") or ()),
                co_worked=bool(line.get("co_worked")),
                co_work_share=line.get("co_work_share") if line.get("co_worked") else None,
                reference=line.get("reference") or "",
            )
            for line in lines
        ),
    )


def what_if_score(*, month: MonthInput, tables, line_indexes: list[int] | None = None):
    """Validate and score. Returns (score, None) or (None, FieldError) placed on the form."""
    try:
        validate_month(month, tables)
    except ScoringInputError as exc:
        return None, field_error_for(exc, line_indexes=line_indexes)
    return score_month(month=month, tables=tables), None


def field_error_for(exc: ScoringInputError, *, line_indexes: list[int] | None = None) -> FieldError:
    """Map an engine path to a form position: cases[i] is the i-th filled line, not the i-th form."""
    match = _CASE_PATH.match(exc.field)
    if match:
        index = int(match.group(1))
        form_index = line_indexes[index] if line_indexes and index < len(line_indexes) else index
        return FieldError(line=form_index, field=match.group(2), message=exc.message)
    match = _WORKER_PATH.match(exc.field)
    if match:
        return FieldError(line=None, field=match.group(1), message=exc.message)
    return FieldError(line=None, field=None, message=exc.message)
