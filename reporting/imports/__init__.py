"""Import from a case-management system's exports, and export back in the same formats (issue 13).

The API the in-app upload flow calls; see docs/import.md for the formats and docs/dashboards.md for choices."""
from reporting.imports.apply import ImportPlan, ImportResult, apply_import, plan_import
from reporting.imports.export import export_all
from reporting.imports.formats import FORMATS, Column, FileFormat, format_for
from reporting.imports.readers import ParsedFile, RowError, read_upload

__all__ = [
    "FORMATS",
    "Column",
    "FileFormat",
    "ImportPlan",
    "ImportResult",
    "ParsedFile",
    "RowError",
    "apply_import",
    "export_all",
    "format_for",
    "plan_import",
    "read_upload",
]
