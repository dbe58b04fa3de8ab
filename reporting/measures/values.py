"""The value object every measure returns, and the arithmetic rules of REPORTS 1.3 / 1.4 (rounding, empty
cells, RAG). Pure Python: the queries are in compute.py."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from reporting.measures.scope import Scope

OK, EMPTY, NO_DATA, NOT_STARTED = "ok", "empty_population", "no_data", "not_started"
DASH = "–"
# What the two "–" states say beside the cell (REPORTS 1.3 "Empty cells").
STATUS_NOTES = {EMPTY: "No case-holding staff", NO_DATA: "No data", NOT_STARTED: "Not started"}
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class MeasureValue:
    measure: str  # "M01"…; exports only, never on a page
    label: str  # MeasureCode label with N filled in
    scope: Scope
    month: date  # first day of the month
    snapshot_on: date | None  # the snapshot read (monthly rule of 1.1); None for calendar-month measures
    value: Decimal | None  # exact, before display rounding
    display: str
    status: str  # ok | empty_population | no_data | not_started
    rag: str = ""  # green | amber | red | ""
    target: Decimal | None = None
    threshold: Decimal | None = None  # N for count measures
    basis: str = ""  # pro_rata | raw | mixed (counts); fte | headcount (averages); "" otherwise
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    detail: dict = field(default_factory=dict)

    @property
    def note(self) -> str:
        return STATUS_NOTES.get(self.status, "")


def q(value: Decimal, dp: int) -> Decimal:
    """Half-up to dp places (REPORTS 1.3, REP-7)."""
    return value.quantize(Decimal(1).scaleb(-dp), rounding=ROUND_HALF_UP)


def fmt(value: Decimal, dp: int) -> str:
    return str(q(value, dp))


def percent(numerator, denominator) -> Decimal:
    return Decimal(numerator) * HUNDRED / Decimal(denominator)


def fmt_percent(value: Decimal) -> str:
    return f"{q(value, 0)} %"


def signed(value: Decimal, dp: int) -> str:
    text = fmt(value, dp)
    return f"+{text}" if q(value, dp) > 0 else text


# ---- RAG (REPORTS 1.4): the displayed (rounded) value against the unrounded bound ----------------------


def rag_average(displayed: Decimal, target: Decimal | None) -> str:
    if target is None:
        return ""
    if displayed <= target:
        return "green"
    return "amber" if displayed <= target * Decimal("1.10") else "red"


def rag_count(count: int, headcount: int) -> str:
    if count == 0:
        return "green"
    return "amber" if Decimal(count) <= Decimal(headcount) * Decimal("0.10") else "red"


def rag_percent_zero(displayed: Decimal) -> str:
    if displayed == 0:
        return "green"
    return "amber" if displayed <= 10 else "red"


def rag_percent_higher(displayed: Decimal, target: Decimal | None) -> str:
    if target is None:
        return ""
    if displayed >= target:
        return "green"
    return "amber" if displayed >= target - 10 else "red"
