"""An entry's fields and lines as the scoring engine's input, and figures as the database stores them.

Pure (no queries): the live preview, the save, the submit and the entry page build the engine's input the
same way, so the score a manager watches is the score that is stored and signed.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from workload.scoring.engine import Score, score_month
from workload.scoring.inputs import CaseInput, MonthInput, WorkerInput
from workload.scoring.validate import validate_month

THOUSANDTH = Decimal("0.001")


# Scheme versions are never edited (workload.models.SchemeVersion), so their indexed tables are built once
# per process rather than once per request; the slug check guards against a reused primary key.
def scheme_tables(version):
    """The version's SchemeTables (cached for the process by SchemeVersion.tables)."""
    return version.tables()


def entry_month_input(*, tables, team_type: str, fields: Any, lines: Sequence[Any]) -> MonthInput:
    """The scoring input for an entry's fields and lines (model instances or cleaned form data).

    Only what the scheme accepts is passed: the form shows no other field, and a worker record's grade on a
    Nottinghamshire team must not become a scoring error."""

    def get(obj: Any, name: str, default: Any = None) -> Any:
        value = obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)
        return default if value is None else value

    co_share = tables.accepts_co_work_share
    return MonthInput(
        scheme=tables.slug,
        team_type=team_type,
        worker=WorkerInput(
            wte=get(fields, "wte"),
            grade=(get(fields, "grade") or None) if tables.accepts_grade else None,
            personal=tuple(get(fields, "personal", ())) if tables.accepts_personal else (),
            extra_duty_hours=get(fields, "extra_duty_hours", Decimal(0)) if tables.accepts_extra_duty_hours else Decimal(0),
            extras=tuple(get(fields, "extras", ())) if tables.accepts_extras else (),
        ),
        cases=tuple(
            CaseInput(
                children=get(line, "children"),
                category=get(line, "category", ""),
                factors=tuple(get(line, "factors", ())),
                co_worked=bool(get(line, "co_worked", False)),
                co_work_share=get(line, "co_work_share") if co_share and get(line, "co_worked", False) else None,
                reference=get(line, "reference", ""),
            )
            for line in lines
        ),
    )


def entry_score(*, tables, team_type: str, fields: Any, lines: Sequence[Any]) -> Score:
    """Validate and score; raises ScoringInputError (with the spec path in .field) for bad input."""
    month = entry_month_input(tables=tables, team_type=team_type, fields=fields, lines=lines)
    validate_month(month, tables)
    return score_month(month=month, tables=tables)


def stored(value: Decimal | int | None) -> Decimal | None:
    """A figure as the database keeps it (3 decimal places), so a hash of the saved row matches the
    hash computed before saving. Scores only exceed 3 places with an odd co-working share."""
    if value is None:
        return None
    return Decimal(value).quantize(THOUSANDTH, rounding=ROUND_HALF_UP)
