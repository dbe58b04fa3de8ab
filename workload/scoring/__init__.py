"""Caseweight's scoring core: pure, exact (Decimal) scoring of a worker's month under a scheme version.

    month, tables = parse_month(obj, tables_for=builtin_tables)   # or build a MonthInput and
    validate_month(month, tables)                                 # validate it yourself
    score = score_month(month=month, tables=tables)

See docs/scoring.md and domain/SCHEMES.md.
"""

from .engine import CaseScore, Reason, Score, score_case, score_month
from .inputs import CaseInput, MonthInput, WorkerInput
from .output import decimal_to_json_number, dumps, error_to_json, score_to_json
from .registry import builtin_scheme_data, builtin_tables
from .tables import SchemeDataError, SchemeTables
from .validate import (
    ScoringInputError,
    UnusableNumber,
    parse_json_decimal,
    parse_json_int,
    parse_month,
    validate_month,
)

__all__ = [
    "CaseInput",
    "CaseScore",
    "MonthInput",
    "Reason",
    "SchemeDataError",
    "SchemeTables",
    "Score",
    "ScoringInputError",
    "UnusableNumber",
    "WorkerInput",
    "builtin_scheme_data",
    "builtin_tables",
    "decimal_to_json_number",
    "dumps",
    "error_to_json",
    "parse_json_decimal",
    "parse_json_int",
    "parse_month",
    "score_case",
    "score_month",
    "score_to_json",
    "validate_month",
]
