"""The one declared list of formats, and what reads it: docs/import.md and the example files."""
import csv
from pathlib import Path

from reporting.imports import read_upload
from reporting.imports.formats import FORMATS, formats_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_docs_formats_section_is_written_from_the_list():
    text = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
    section = text.split("<!-- formats: start -->\n", 1)[1].split("<!-- formats: end -->", 1)[0]
    assert section == formats_markdown()


def test_every_format_has_an_example_file_with_its_headings():
    examples = ROOT / "docs" / "import-examples"
    assert sorted(p.name for p in examples.iterdir()) == sorted(f"{f.filename}.csv" for f in FORMATS)
    for fmt in FORMATS:
        data = (examples / f"{fmt.filename}.csv").read_bytes()
        with (examples / f"{fmt.filename}.csv").open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == list(fmt.names)
        parsed = read_upload(f"{fmt.filename}.csv", data)
        assert (parsed.kind, parsed.errors) == (fmt.kind, [])


def test_keys_are_required_columns_or_marked_optional():
    for fmt in FORMATS:
        assert set(fmt.key) <= set(fmt.names), fmt.kind
        assert len(set(fmt.names)) == len(fmt.names), fmt.kind
    assert [f.kind for f in FORMATS][:4] == ["teams", "workers", "cases", "allocations"]  # applied in this order
