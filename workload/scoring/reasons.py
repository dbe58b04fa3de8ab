"""The explanation of a score: one `Reason` per figure that went into it."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Reason(NamedTuple):
    """One line of an explanation: what it is, the points it adds (negative for caps and co-working),
    and where the figure comes from. A tuple, so building thousands of them stays cheap."""

    label: str
    points: Decimal
    detail: str


class CaseScore(NamedTuple):
    """One case line's points (after co-working) and the reasons, which sum to exactly those points."""

    points: Decimal
    reasons: tuple[Reason, ...]
