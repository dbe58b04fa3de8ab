"""Forms of the in-app import. They check the shape of input: which files, how big, which format, which of
their columns supplies each of ours. What the rows say is checked by reporting/imports/ on the preview."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from reporting.import_services import ACCEPTED_SUFFIXES, kind_choices
from reporting.imports import format_for
from supervision.forms import _helper

NOT_IN_FILE = ""


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe): cleans each and returns the list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ACCEPTED_SUFFIXES)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


def _looks_like(name: str, head: bytes) -> bool:
    """An XLSX file is a zip archive; a CSV file is text, with no NUL bytes unless it is UTF-16 (a spreadsheet
    renamed .csv, a PDF or an image would have them)."""
    if name.lower().endswith(".xlsx"):
        return head.startswith(b"PK\x03\x04")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 text: the check says how to save it as UTF-8
    return b"\x00" not in head


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Files", error_messages={"required": "Choose at least one file."},
        help_text="CSV or Excel (.xlsx) files exported from the case-management system: teams, workers, cases, "
                  "allocations and the others described on this page. Choose several at once.")
    source = forms.CharField(
        label="Which system are they from?", max_length=60, required=False,
        help_text="For example Mosaic. Column matches you save are offered again for files from the same system.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_files(self):
        files = self.cleaned_data["files"]
        limit = settings.CASEWEIGHT_IMPORT_MAX_BYTES
        problems = []
        for upload in files:
            name = upload.name
            if not name.lower().endswith(ACCEPTED_SUFFIXES):
                problems.append(f"{name} is not a CSV or Excel (.xlsx) file. Save it as CSV or .xlsx and upload it again.")
            elif upload.size > limit:
                problems.append(f"{name} is {filesizeformat(upload.size)}; the largest file accepted is "
                                f"{filesizeformat(limit)}. Split it, or export fewer years at a time.")
            elif upload.size == 0:
                problems.append(f"{name} is empty.")
            else:
                head = upload.read(8192)
                upload.seek(0)
                if not _looks_like(name, head):
                    kind = "an Excel (.xlsx)" if name.lower().endswith(".xlsx") else "a CSV"
                    problems.append(f"{name} is not {kind} file, whatever its name says. Export it again as CSV "
                                    f"or .xlsx.")
        names = [upload.name for upload in files]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            problems.append(f"The same file was chosen twice: {', '.join(repeated)}.")
        if problems:
            raise forms.ValidationError(problems)
        return files


class FileMappingForm(forms.Form):
    """One uploaded file: which format it is and, for each of our columns, which of its headers supplies it.
    Prefixed by the file's id, so one page posts every file's form together."""

    def __init__(self, *args, file, **kwargs):
        super().__init__(*args, prefix=str(file.pk), **kwargs)
        self.file = file
        kind = self.data.get(self.add_prefix("kind")) if self.is_bound else file.kind
        self.fields["kind"] = forms.ChoiceField(
            label="What the file holds", choices=[("", "Choose…"), *kind_choices()], initial=file.kind,
            error_messages={"required": "Choose what the file holds.",
                            "invalid_choice": "Choose one of the listed kinds of file."})
        self.fmt = None
        try:
            self.fmt = format_for(kind) if kind else None
        except KeyError:
            self.fmt = None
        if self.fmt is not None:
            theirs = [(NOT_IN_FILE, "Not in this file"), *[(header, header) for header in file.headers]]
            ours_from = {ours: their for their, ours in file.mapping.items()}
            same_name = {header.strip().lower(): header for header in file.headers}  # as the readers compare
            for column in self.fmt.columns:
                initial = ours_from.get(column.name) or same_name.get(column.name, NOT_IN_FILE)
                self.fields[column.name] = forms.ChoiceField(
                    label=column.name, choices=theirs, initial=initial, required=False,
                    help_text=("Needed. " if column.required else "Optional. ") + column.help)
        self.helper = _helper()

    def column_fields(self):
        return [self[name] for name in self.fields if name != "kind"]

    def choice(self) -> tuple[str, dict[str, str]]:
        """(kind, {our column: their header}) for import_batch_map."""
        data = self.cleaned_data
        if self.fmt is None or self.fmt.kind != data["kind"]:
            return data["kind"], {}
        return data["kind"], {column.name: data.get(column.name, NOT_IN_FILE) for column in self.fmt.columns}


class SaveMappingForm(forms.Form):
    save = forms.BooleanField(label="Save these matches for files from this system", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
