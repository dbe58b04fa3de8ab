"""Typed scoring input: one worker's month under one scheme version (SCHEMES.md section 8.1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class CaseInput:
    """One line of the recording sheet: `children` children (or young people, carers, households)."""

    children: int
    category: str
    factors: tuple[str, ...] = ()
    co_worked: bool = False
    co_work_share: Decimal | None = None
    reference: str = ""  # the caller's own label for the line; never scored


@dataclass(frozen=True, slots=True)
class WorkerInput:
    wte: Decimal
    grade: str | None = None
    personal: tuple[str, ...] = ()
    extra_duty_hours: Decimal = Decimal(0)
    extras: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MonthInput:
    scheme: str
    team_type: str
    worker: WorkerInput
    cases: tuple[CaseInput, ...]
