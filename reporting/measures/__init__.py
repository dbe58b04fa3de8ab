"""Measures M01–M22 of REPORTS.md (e), computed in the database. See docs/dashboards.md."""
from reporting.measures.compute import (
    label_for,
    measure_workers,
    measures_by_team,
    measures_for,
    measures_on,
    measures_with_teams,
    national_caseload,
)
from reporting.measures.scope import AUTHORITY, Scope, parse_scope, team_scope
from reporting.measures.trend import TrendLine, trend_table
from reporting.measures.values import STATUS_NOTES, MeasureValue

__all__ = [
    "AUTHORITY",
    "STATUS_NOTES",
    "MeasureValue",
    "Scope",
    "TrendLine",
    "label_for",
    "measure_workers",
    "measures_by_team",
    "measures_for",
    "measures_on",
    "measures_with_teams",
    "national_caseload",
    "parse_scope",
    "team_scope",
    "trend_table",
]
