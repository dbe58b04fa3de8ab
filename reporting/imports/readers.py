"""Files into rows: CSV (UTF-8 with or without BOM, Windows-1252 detected) and XLSX (openpyxl, read-only).

A file that cannot be read gives a ParsedFile with errors and no rows, never an exception: the caller shows
every problem of every file at once."""
from __future__ import annotations

import csv
import gc
import hashlib
import io
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from pathlib import PurePath

from django.conf import settings

from reporting.imports.formats import FORMATS, FileFormat

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

NOT_CSV_OR_XLSX = "This file is not a CSV or Excel (.xlsx) file. Save it as CSV (UTF-8) or .xlsx and try again."
TOO_LARGE = "This file is {size} MB, over the {limit} MB limit for one file. Split it, or ask an administrator."
WRONG_ENCODING = (
    "This file's text encoding could not be read (it is neither UTF-8 nor Windows-1252). "
    "Save it as 'CSV UTF-8' and try again."
)
UTF16 = "This file is saved as UTF-16 ('Unicode text'). Save it as 'CSV UTF-8' and try again."
UNKNOWN_KIND = (
    "Which kind of file this is could not be told from its name or its column headings. Name it after its "
    "kind (for example teams.csv) or match its columns to ours."
)
EMPTY = "This file is empty: it has no heading row."
BAD_XLSX = "This Excel file could not be opened; it may be damaged or password-protected."
MISSING_COLUMN = "The column '{column}' is missing; it is required."
DUPLICATED_COLUMN = "The column '{column}' appears more than once."
TOO_MANY_CELLS = "This row has {cells} values but there are {headings} headings; a value is outside every column."
UNKNOWN_COLUMN = "The column '{column}' is not one of ours and was ignored."  # not an error: a notice


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # 1 is the heading row; 0 is the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.column}: {self.message}"


@dataclass
class ParsedFile:
    name: str
    kind: str | None
    headers: list[str]  # after mapping
    rows: list[dict[str, str]]
    line_numbers: list[int] = field(default_factory=list)  # the row number in the file of each of `rows`
    errors: list[RowError] = field(default_factory=list)
    notices: list[RowError] = field(default_factory=list)
    sha256: str = ""
    size: int = 0
    encoding: str = ""

    @property
    def format(self) -> FileFormat | None:
        return next((f for f in FORMATS if f.kind == self.kind), None)


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of small rows are built.

    Reading, planning and applying allocate hundreds of thousands of objects that live to the end, and
    each allocation burst set off a full collection that walked all of them again: about a third of the
    import's Python time (docs/import.md, Speed). Nothing here makes reference cycles; the collector is
    turned back on (if it was on) on the way out, and memory is freed by reference counting meanwhile."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def max_bytes() -> int:
    return getattr(settings, "CASEWEIGHT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> tuple[str | None, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return None, ""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # five byte values are undefined in Windows-1252: their presence means another encoding
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return None, ""


def _csv_table(text: str) -> list[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # csv.reader with skipinitialspace would leave trailing spaces; strip only the rows that have any
    table = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):
        joined = "".join(row)
        table.append([c.strip() for c in row] if " " in joined or "\t" in joined else row)
    return table


def _xlsx_table(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # heavy import; only for Excel uploads

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _detect_kind(name: str, headers: list[str], mapping: Mapping[str, Mapping[str, str]]) -> str | None:
    stem = PurePath(name).stem.lower().replace("-", "_").replace(" ", "_")
    for fmt in FORMATS:
        if stem == fmt.filename:
            return fmt.kind
    best, best_score = None, 0
    for fmt in FORMATS:
        renames = mapping.get(name) or mapping.get(fmt.kind) or {}
        mapped = {renames.get(h, h) for h in headers}
        if set(fmt.required) <= mapped:
            score = len(mapped & set(fmt.names))
            if score > best_score:
                best, best_score = fmt.kind, score
    return best


def read_upload(name: str, data: bytes, *, mapping: Mapping[str, Mapping[str, str]] | None = None) -> ParsedFile:
    """Read one uploaded file into rows of our columns (their headings renamed by `mapping`).

    `mapping` is per file, keyed by the file's name or kind: {their heading: our column}. The kind comes from
    the file name (teams.csv) or else from the headings."""
    with no_gc():
        return _read_upload(name, data, mapping)


def _read_upload(name: str, data: bytes, mapping: Mapping[str, Mapping[str, str]] | None) -> ParsedFile:
    mapping = mapping or {}
    parsed = ParsedFile(name=name, kind=None, headers=[], rows=[], sha256=hashlib.sha256(data).hexdigest(), size=len(data))

    def fail(message: str) -> ParsedFile:
        parsed.errors.append(RowError(name, 0, "", message))
        return parsed

    limit = max_bytes()
    if len(data) > limit:
        return fail(TOO_LARGE.format(size=round(len(data) / 1048576, 1), limit=round(limit / 1048576, 1)))
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xlsx" or data.startswith(b"PK\x03\x04"):
        try:
            table = _xlsx_table(data)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            return fail(BAD_XLSX if suffix == ".xlsx" else NOT_CSV_OR_XLSX)
        parsed.encoding = "xlsx"
    elif suffix in (".csv", ".txt", ""):
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return fail(NOT_CSV_OR_XLSX)
        text, encoding = _decode(data)
        if encoding == "utf-16":
            return fail(UTF16)
        if text is None:
            return fail(WRONG_ENCODING)
        parsed.encoding = encoding
        table = _csv_table(text)
    else:
        return fail(NOT_CSV_OR_XLSX)

    numbered = [(n, row) for n, row in enumerate(table, start=1) if any(row)]
    if not numbered:
        return fail(EMPTY)
    raw_headers = numbered[0][1]
    while raw_headers and not raw_headers[-1]:
        raw_headers = raw_headers[:-1]
    kind = _detect_kind(name, raw_headers, mapping)
    if kind is None:
        return fail(UNKNOWN_KIND)
    parsed.kind = kind
    fmt = parsed.format
    renames = mapping.get(name) or mapping.get(kind) or {}
    headers = [renames.get(h, h).strip().lower() for h in raw_headers]
    parsed.headers = headers
    seen: set[str] = set()
    for header in headers:
        if header in seen and header in fmt.names:
            parsed.errors.append(RowError(name, 1, header, DUPLICATED_COLUMN.format(column=header)))
        seen.add(header)
        if header and header not in fmt.names:
            parsed.notices.append(RowError(name, 1, header, UNKNOWN_COLUMN.format(column=header)))
    for column in fmt.required:
        if column not in seen:
            parsed.errors.append(RowError(name, 1, column, MISSING_COLUMN.format(column=column)))
    if parsed.errors:
        return parsed
    index = {h: i for i, h in reversed(list(enumerate(headers))) if h in fmt.names}
    items = list(index.items())
    columns, at = list(index), list(index.values())
    pick = itemgetter(*at) if len(at) > 1 else (lambda raw: (raw[at[0]],))
    width = max(at) + 1
    headings = len(raw_headers)
    rows, line_numbers = parsed.rows, parsed.line_numbers
    for number, raw in numbered[1:]:
        if len(raw) > headings and any(raw[headings:]):
            parsed.errors.append(RowError(name, number, "", TOO_MANY_CELLS.format(cells=len(raw), headings=headings)))
            continue
        if len(raw) >= width:  # cells are already stripped by the table readers
            rows.append(dict(zip(columns, pick(raw), strict=True)))
        else:
            rows.append({col: (raw[i] if i < len(raw) else "") for col, i in items})
        line_numbers.append(number)
    return parsed
