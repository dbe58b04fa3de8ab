"""REPORTS 1.3 / 1.4 arithmetic without a database: half-up rounding, RAG on the displayed value against
the unrounded bound, the month argument of the measures command."""
from decimal import Decimal

import pytest

from reporting.management.commands.measures import parse_month
from reporting.measures.values import (
    fmt,
    fmt_percent,
    percent,
    rag_average,
    rag_count,
    rag_percent_higher,
    rag_percent_zero,
    signed,
)


@pytest.mark.parametrize(
    ("value", "dp", "text"),
    [(Decimal("14.5"), 0, "15"), (Decimal("19.5"), 0, "20"), (Decimal("18.85"), 1, "18.9"),
     (Decimal("102") / Decimal("5.4"), 1, "18.9"), (Decimal("27.25"), 1, "27.3"), (Decimal("2"), 2, "2.00")],
)
def test_rounding_is_half_up(value, dp, text):
    assert fmt(value, dp) == text


def test_signed_variance_and_share():
    variance = Decimal(102) / Decimal("5.4") - 16
    assert (signed(variance, 1), signed(variance * 100 / 16, 0)) == ("+2.9", "+18")
    assert (signed(Decimal("-1.25"), 1), signed(Decimal("0.04"), 1)) == ("-1.3", "0.0")


@pytest.mark.parametrize(
    ("displayed", "target", "rag"),
    [("16.0", "16", "green"), ("17.6", "16", "amber"), ("17.7", "16", "red"), ("16.4", "15.642857", "amber"),
     ("17.2", "15.642857", "amber"), ("17.3", "15.642857", "red"), ("12.0", None, "")],
)
def test_team_average_rag(displayed, target, rag):
    assert rag_average(Decimal(displayed), None if target is None else Decimal(target)) == rag


@pytest.mark.parametrize(("count", "headcount", "rag"), [(0, 6, "green"), (1, 10, "amber"), (1, 9, "red"),
                                                          (3, 9, "red"), (2, 20, "amber")])
def test_count_with_target_zero(count, headcount, rag):
    assert rag_count(count, headcount) == rag


def test_percentages_whole_and_their_rag():
    assert (fmt_percent(percent(5, 6)), fmt_percent(percent(2, 3)), fmt_percent(percent(13, 17))) == (
        "83 %", "67 %", "76 %")
    assert [rag_percent_higher(Decimal(v), Decimal(100)) for v in (100, 90, 89)] == ["green", "amber", "red"]
    assert [rag_percent_zero(Decimal(v)) for v in (0, 10, 11)] == ["green", "amber", "red"]


@pytest.mark.parametrize("text", ["2025-1", "2025-00", "2025-13", "Jan-25", "", "2025-01-01"])
def test_malformed_month_names_the_argument(text):
    with pytest.raises(ValueError, match=f"--month '{text}' is not a month in the form YYYY-MM"):
        parse_month(text)


def test_month_is_the_first_of_the_month():
    assert parse_month("2025-01").isoformat() == "2025-01-01"
