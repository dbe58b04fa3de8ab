"""URL converters shared by every app: bounded ids, years and months, so a URL that cannot name a record
is a 404 at routing, never a 500 in a view (an overflowing id, year 1000, month 13)."""
from django.urls import register_converter


class YearConverter:
    """2000-2099: the years a supervision record can hold; anything else is no match, so a 404."""

    regex = r"20\d{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


class MonthConverter:
    """01-12; reversing with 7 gives "07", so links read 2025-07."""

    regex = r"0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):02d}"


class IdConverter:
    """A database id: at most 18 digits, so a guessed huge number is a 404, never an overflow."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


register_converter(YearConverter, "cw_yyyy")
register_converter(IdConverter, "cw_id")
register_converter(MonthConverter, "cw_mm")
