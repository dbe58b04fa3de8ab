"""Exact decimal helpers: the arithmetic context and plain-number text (SCHEMES.md section 2.1)."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact, Rounded

# Scoring only adds and multiplies, so with unbounded precision every result is exact; the traps turn any
# rounding that slipped in (a division, say) into an error instead of a silently wrong figure.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact, Rounded])

ZERO = Decimal(0)
HALF = Decimal("0.5")


def plain(value: Decimal | int) -> str:
    """The exact value in plain decimal notation: no exponent, no trailing zeros ("21", "10.5", "0.6")."""
    if isinstance(value, int):
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        return "0"
    return text
