"""Exact decimal helpers: the arithmetic context and plain-number text (SCHEMES.md section 2.1)."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, Inexact

# Scoring only adds and multiplies, so with unbounded precision every result is exact; the traps turn any
# rounding that slipped in (a division, say) into an error instead of a silently wrong figure. (Not
# Rounded: dropping trailing zeros, as tidy() does, signals Rounded although nothing changes.)
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[Inexact])

ZERO = Decimal(0)
ONE = Decimal(1)


def tidy(value: Decimal) -> Decimal:
    """The same value without trailing zeros or a positive exponent (20.0 -> 20, 45.0 -> 45, 0.60 -> 0.6),
    so that str() and templates show it the way the spec prints it. Exact: nothing is rounded."""
    if value == value.to_integral_value():
        return EXACT.quantize(value, ONE)
    return EXACT.normalize(value)


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
