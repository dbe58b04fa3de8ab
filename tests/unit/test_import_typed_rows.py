"""Cells into values column by column: a clean column in one pass, a column with a doubtful cell cell by cell,
with the same values and the same messages in the same order either way."""
from datetime import date
from decimal import Decimal

from reporting.imports.readers import ParsedFile
from reporting.imports.validate import typed_rows

TODAY = date(2026, 11, 30)
HEADERS = ["worker", "team", "date", "kind", "wte", "allocated_children", "family_groups"]


def snapshots(*rows: list[str]) -> ParsedFile:
    return ParsedFile(name="worker_snapshots.csv", kind="worker_snapshots", headers=HEADERS,
                      rows=[dict(zip(HEADERS, r, strict=True)) for r in rows],
                      line_numbers=list(range(2, len(rows) + 2)))


CLEAN = [["W1", "T1", "2026-11-27", "weekly", "0.8", "12", "5"],
         ["W2", "T1", "2026-11-27", "weekly", "1", "7", ""]]


def test_clean_columns_and_cell_by_cell_columns_give_the_same_values():
    clean, clean_errors = typed_rows(snapshots(*CLEAN), today=TODAY)
    # the extra row sends every column cell by cell; the first two rows must come out the same
    mixed, _ = typed_rows(snapshots(*CLEAN, ["W3", "T1", "27/11/2026", "Weekly", "1.0", "1,000", "x"]), today=TODAY)
    assert clean_errors == []
    assert [(r.number, r.values) for r in clean] == [(r.number, r.values) for r in mixed] == [
        (2, {"worker": "W1", "team": "T1", "date": date(2026, 11, 27), "kind": "weekly", "wte": Decimal("0.8"),
             "allocated_children": 12, "family_groups": 5, "coworked_children": None,
             "awaiting_allocation_children": None}),
        (3, {"worker": "W2", "team": "T1", "date": date(2026, 11, 27), "kind": "weekly", "wte": Decimal("1"),
             "allocated_children": 7, "family_groups": None, "coworked_children": None,
             "awaiting_allocation_children": None}),
    ]


def test_errors_come_row_by_row_in_column_order_and_a_repeat_after_the_row_errors():
    rows, errors = typed_rows(snapshots(
        *CLEAN,
        ["W3", "T1", "2026-12-04", "weekly", "1.5", "-1", "2"],
        ["W1", "T1", "2026-11-27", "weekly", "NaN", "3", "1"],
        ["W4", "", "2026-11-27", "daily", "1", "2", "0"],
    ), today=TODAY)
    assert [r.number for r in rows] == [2, 3]
    assert [str(e) for e in errors] == [
        "worker_snapshots.csv:4:date: 04 Dec 2026 is in the future; only past dates can be imported here.",
        "worker_snapshots.csv:4:wte: A WTE of 1.5 is out of range; it must be more than 0 and at most 1.",
        "worker_snapshots.csv:4:allocated_children: '-1' cannot be negative.",
        "worker_snapshots.csv:5:wte: 'NaN' is not a number.",
        "worker_snapshots.csv:5:worker: This row repeats the worker and date of row 2.",
        "worker_snapshots.csv:6:team: A value is required.",
        "worker_snapshots.csv:6:kind: 'daily' is not one of: weekly, month_end.",
    ]
