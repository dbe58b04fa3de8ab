"""Warnings on the pro-forma while it is edited: values that are allowed but unusual, said before saving so
a slip is caught in the supervision, not after the worker has signed. Nothing here refuses a value (the
forms and the engine do that); a warning that asks for a reason disappears once the reason is given.

Pure: plain values in, messages out, so each threshold is unit-tested without a database.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# More children than this on one family-group line is possible but rare; usually a typing slip (12 for 2).
MANY_CHILDREN = 10
WEEKS_PER_MONTH = Decimal(52) / Decimal(12)


@dataclass(frozen=True)
class EntryWarning:
    anchor: str  # the id of the input it is about, for the link
    message: str


@dataclass(frozen=True)
class LineSeen:
    index: int  # the table row
    reference: str
    children: int | None


def _hours(value: Decimal) -> str:
    text = format(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")
    return text.removesuffix(".0")


def half_month_hours(*, wte: Decimal, fulltime_hours: Decimal) -> Decimal:
    """Half the hours a worker of this WTE is contracted for in an average month (52 weeks ÷ 12)."""
    return Decimal(wte) * Decimal(fulltime_hours) * WEEKS_PER_MONTH / 2


def entry_warnings(
    *,
    wte: Decimal | None,
    fulltime_hours: Decimal,
    extra_duty_hours: Decimal | None,
    extra_duty_explanation: str,
    lines: Sequence[LineSeen],
    is_asye: bool,
    children: int,
    expected_high: Decimal | None,
    deviation_reason: str,
) -> list[EntryWarning]:
    """The warnings for the values as they stand, in page order."""
    warnings: list[EntryWarning] = []
    if wte and extra_duty_hours and not extra_duty_explanation.strip():
        limit = half_month_hours(wte=wte, fulltime_hours=fulltime_hours)
        if extra_duty_hours > limit:
            warnings.append(EntryWarning(
                "id_extra_duty_hours",
                f"{_hours(extra_duty_hours)} hours of extra duties is more than half of this worker's contracted "
                f"hours in a month ({_hours(limit)} hours at WTE {wte}). Check the figure, and explain the "
                "duties."))
    for line in lines:
        if line.children is not None and line.children > MANY_CHILDREN:
            name = f"Line {line.index + 1}" + (f" ({line.reference})" if line.reference else "")
            warnings.append(EntryWarning(
                f"id_lines-{line.index}-children",
                f"{name} has {line.children} children. More than {MANY_CHILDREN} on one family "
                "group is unusual: check the number."))
    if is_asye and expected_high is not None and children > expected_high and not deviation_reason.strip():
        warnings.append(EntryWarning(
            "id_deviation_reason",
            f"This worker is in their first year in practice (ASYE): {children} children is more than their "
            f"protected caseload allows ({_hours(Decimal(expected_high))}). The policy asks for the reason in "
            "section 8."))
    return warnings
