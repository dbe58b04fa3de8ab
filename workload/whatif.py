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

_CASE_PATH = re.compile(r"^cases\[(\d+)\](?:\.(\w+))?")
_WORKER_PATH = re.compile(r"^worker\.(\w+)")


@dataclass(frozen=True)
class FieldError:
    """Where an engine error belongs on the page: a worker field, or a line's field (by form index)."""

    line: int | None
    field: str | None
    message: str


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
