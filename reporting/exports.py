"""CSV and XLSX of any dashboard table: exactly the rows the table holds (the user's scope, the filters
applied, every page), with the table's own plain-English headings."""
from __future__ import annotations

import csv
from io import BytesIO, StringIO

from django.http import HttpResponse

EXPORT_FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): a leading = + - @ is quoted.
    A negative number is left alone."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def table_rows(table) -> list[list[str]]:
    """The heading row and every data row (all pages) of a django-tables2 table, as text."""
    return [[safe_cell(cell) for cell in row] for row in table.as_values()]


def csv_response(table, *, filename: str) -> HttpResponse:
    buffer = StringIO()
    csv.writer(buffer).writerows(table_rows(table))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(table, *, filename: str, title: str) -> HttpResponse:
    from openpyxl import Workbook  # loaded on the first export, not at start-up
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on a sheet name
    rows = table_rows(table)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(zip(*rows, strict=False), start=1) if rows else ():
        width = min(max(len(str(value)) for value in column) + 2, 60)
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    out = BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(table, *, export: str, filename: str, title: str) -> HttpResponse:
    if export == "xlsx":
        return xlsx_response(table, filename=filename, title=title)
    return csv_response(table, filename=filename)
