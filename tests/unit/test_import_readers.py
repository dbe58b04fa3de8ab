"""Reading uploaded files: encodings, Excel, headings, mapping, and the file-level refusals."""
from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook

from reporting.imports import read_upload
from reporting.imports.readers import (
    BAD_XLSX,
    DUPLICATED_COLUMN,
    MISSING_COLUMN,
    NOT_CSV_OR_XLSX,
    TOO_LARGE,
    UNKNOWN_KIND,
    UTF16,
    WRONG_ENCODING,
    RowError,
)

CASES_HEAD = "reference,team,children,category,factors,opened,closed\n"


def test_utf8_with_and_without_bom_read_alike():
    text = CASES_HEAD + "C1,DA1,2,cin_stable,,2025-02-01,\n"
    plain = read_upload("cases.csv", text.encode("utf-8"))
    bom = read_upload("cases.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert (plain.errors, bom.errors) == ([], [])
    assert plain.rows == bom.rows == [{"reference": "C1", "team": "DA1", "children": "2", "category": "cin_stable",
                                       "factors": "", "opened": "2025-02-01", "closed": ""}]
    assert (plain.encoding, bom.encoding) == ("utf-8", "utf-8-sig")


def test_windows_1252_is_detected():
    data = ("code,name,service_area,team_type,preset,scheme,scheme_team_type\n"
            "DA1,Zoë O’Brien’s team,Nörth,duty_and_assessment,BARNET_2019,nottinghamshire-wlm-2016,assessment\n"
            ).encode("cp1252")
    parsed = read_upload("teams.csv", data)
    assert (parsed.encoding, parsed.errors) == ("windows-1252", [])
    assert (parsed.rows[0]["name"], parsed.rows[0]["service_area"]) == ("Zoë O’Brien’s team", "Nörth")


def test_undecodable_bytes_are_a_wrong_encoding():
    data = CASES_HEAD.encode() + b"C1,DA1,2,cin\x81\x8d,,2025-02-01,\n"  # 0x81 and 0x8D are undefined in cp1252
    parsed = read_upload("cases.csv", data)
    assert parsed.errors == [RowError("cases.csv", 0, "", WRONG_ENCODING)]
    assert parsed.rows == []


def test_utf16_is_refused_with_its_name():
    parsed = read_upload("cases.csv", CASES_HEAD.encode("utf-16"))
    assert parsed.errors == [RowError("cases.csv", 0, "", UTF16)]


def test_not_csv_or_xlsx():
    assert read_upload("cases.pdf", b"%PDF-1.7 ...").errors == [RowError("cases.pdf", 0, "", NOT_CSV_OR_XLSX)]
    assert read_upload("cases.csv", b"\x89PNG\r\n\x1a\n\x00\x00").errors == [RowError("cases.csv", 0, "", NOT_CSV_OR_XLSX)]
    assert read_upload("cases.xlsx", b"not a zip").errors == [RowError("cases.xlsx", 0, "", BAD_XLSX)]


def test_over_the_configured_size(settings):
    settings.CASEWEIGHT_IMPORT_MAX_BYTES = 1024 * 1024
    data = CASES_HEAD.encode() + b"C1,DA1,2,cin_stable,,2025-02-01,\n" * 40000
    parsed = read_upload("cases.csv", data)
    assert parsed.errors == [RowError("cases.csv", 0, "", TOO_LARGE.format(size=1.3, limit=1.0))]
    assert "1.3 MB, over the 1.0 MB limit" in parsed.errors[0].message


def test_missing_and_duplicated_columns():
    parsed = read_upload("cases.csv", b"reference,team,children,children,opened\nC1,DA1,1,1,2025-01-01\n")
    assert parsed.errors == [
        RowError("cases.csv", 1, "children", DUPLICATED_COLUMN.format(column="children")),
        RowError("cases.csv", 1, "category", MISSING_COLUMN.format(column="category")),
    ]
    assert str(parsed.errors[1]) == "cases.csv:1:category: The column 'category' is missing; it is required."


def test_kind_from_headings_and_mapping():
    mosaic = b"Case ID,Team Code,No of children,Category,Start Date\nC1,DA1,1,cin_stable,01/02/2025\n"
    mapping = {"Mosaic cases.csv": {"Case ID": "reference", "Team Code": "team", "No of children": "children",
                                    "Category": "category", "Start Date": "opened"}}
    parsed = read_upload("Mosaic cases.csv", mosaic, mapping=mapping)
    assert (parsed.kind, parsed.errors) == ("cases", [])
    assert parsed.rows == [{"reference": "C1", "team": "DA1", "children": "1", "category": "cin_stable", "opened": "01/02/2025"}]
    assert read_upload("export.csv", b"a,b\n1,2\n").errors == [RowError("export.csv", 0, "", UNKNOWN_KIND)]


def test_blank_lines_keep_row_numbers():
    parsed = read_upload("cases.csv", (CASES_HEAD + "\nC1,DA1,1,x,,2025-01-01,\n\nC2,DA1,1,x,,2025-01-01,\n").encode())
    assert [r["reference"] for r in parsed.rows] == ["C1", "C2"]
    assert parsed.line_numbers == [3, 5]


def test_xlsx_cells_become_text():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["reference", "team", "children", "category", "opened", "closed"])
    sheet.append(["C1", "DA1", 2, "cin_stable", datetime(2025, 2, 1), None])
    sheet.append(["C2", "DA1", 1.0, "cin_stable", date(2025, 3, 4), date(2025, 5, 6)])
    buffer = BytesIO()
    workbook.save(buffer)
    parsed = read_upload("cases.xlsx", buffer.getvalue())
    assert (parsed.kind, parsed.errors, parsed.encoding) == ("cases", [], "xlsx")
    assert parsed.rows == [
        {"reference": "C1", "team": "DA1", "children": "2", "category": "cin_stable", "opened": "2025-02-01", "closed": ""},
        {"reference": "C2", "team": "DA1", "children": "1", "category": "cin_stable", "opened": "2025-03-04",
         "closed": "2025-05-06"},
    ]


def test_a_value_outside_every_column_is_an_error():
    parsed = read_upload("cases.csv", (CASES_HEAD + "C1,DA1,2,cin_stable,,2025-02-01,,surplus\nC2,DA1,1,x,,2025-02-01,,\n").encode())
    assert [str(e) for e in parsed.errors] == [
        "cases.csv:2:: This row has 8 values but there are 7 headings; a value is outside every column."]
    assert [r["reference"] for r in parsed.rows] == ["C2"]
