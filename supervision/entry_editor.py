"""EntryEditor: the entry page's form and line formset, validated and live-scored as one, so a view reads
bind, validate, save, render."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from supervision.entry_forms import (
    EntryForm,
    add_scoring_error,
    entry_form_initial,
    error_summary,
    form_error_map,
    line_formset,
    line_initial,
)
from supervision.entry_scoring import scheme_tables
from supervision.entry_warnings import EntryWarning, LineSeen, entry_warnings
from supervision.models import ProformaEntry
from supervision.selectors import entry_preview
from workload.models import Position


def _decimal(raw) -> Decimal | None:
    try:
        return None if raw in (None, "") else Decimal(str(raw))
    except InvalidOperation:
        return None


def _whole(raw) -> int | None:
    text = str(raw if raw is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 6 else None


class EntryEditor:
    """The entry page's form and line formset, bound, validated and scored as one.

    `validate()` checks both forms, scores the values with the same engine, panel and triggers a save uses
    (supervision.selectors.entry_preview) and puts an engine error on the field it names. A view then passes
    `values()` to a service and, if the service refuses, `add_service_error()` puts its message in place."""

    def __init__(self, data, *, entry: ProformaEntry, today: date | None = None) -> None:
        self.entry = entry
        self.tables = scheme_tables(entry.scheme_version)
        self.form = EntryForm(data, tables=self.tables, team_type=entry.team_type, month=entry.month, today=today)
        self.formset = line_formset(tables=self.tables, team_type=entry.team_type, data=data)
        self.preview = None

    @classmethod
    def unbound(cls, *, entry: ProformaEntry, lines, triggers) -> EntryEditor:
        """The forms as the stored entry fills them, for the page's first view."""
        editor = cls.__new__(cls)
        editor.entry = entry
        editor.tables = scheme_tables(entry.scheme_version)
        editor.form = EntryForm(initial=entry_form_initial(entry), tables=editor.tables, team_type=entry.team_type,
                                month=entry.month, triggers=triggers)
        editor.formset = line_formset(tables=editor.tables, team_type=entry.team_type, initial=line_initial(lines))
        editor.preview = None
        return editor

    @property
    def is_bound(self) -> bool:
        return self.form.is_bound

    def validate(self) -> bool:
        """True when both forms are valid and the engine scores them; the preview is kept either way."""
        valid = self.form.is_valid()
        valid = self.formset.is_valid() and valid
        if not valid:
            return False
        lines, indexes = self.formset.line_values()
        self.preview = entry_preview(entry=self.entry, fields=self.form.field_values(), lines=lines)
        self.form.set_triggers(self.preview.triggers)
        if self.preview.error is not None:
            add_scoring_error(self.preview.error.field, self.preview.error.message, entry_form=self.form,
                              formset=self.formset, line_indexes=indexes)
            return False
        return True

    def values(self) -> dict[str, Any]:
        """What the saving service takes: the optimistic-lock version, the fields and the filled lines."""
        lines, _indexes = self.formset.line_values()
        return {"expected_lock_version": self.form.cleaned_data["lock_version"],
                "fields": self.form.field_values(), "lines": lines}

    def add_service_error(self, exc: ValidationError) -> None:
        """A service's refusal next to the field it names: an engine path, a form field, or the form."""
        field = getattr(exc, "field", None)
        if field is not None:  # an EntryScoringError names the engine's path
            _lines, indexes = self.formset.line_values()
            add_scoring_error(field, exc.scoring_message, entry_form=self.form, formset=self.formset,
                              line_indexes=indexes)
        elif hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                self.form.add_error(name if name in self.form.fields else None, errors)
        else:
            self.form.add_error(None, exc.messages)

    def rebind(self, data, *, entry: ProformaEntry) -> None:
        """Bind the same post to a saved entry (its new lock version), keeping the errors' places."""
        fresh = EntryEditor(data, entry=entry, today=self.form.today)
        fresh.validate()
        self.__dict__.update(fresh.__dict__)

    def row_points(self, score) -> dict[int, Any]:
        """Table row -> points of that row, for the live score of a bound formset."""
        if score is None or not self.formset.is_bound:
            return {}
        _lines, indexes = self.formset.line_values()
        return {index: case.points for index, case in zip(indexes, score.cases, strict=False)}

    def references(self) -> list[str]:
        return [form["reference"].value() for form in self.formset.forms if form.cleaned_data]

    def summary(self) -> list[tuple[str, str, str]]:
        return error_summary(entry_form=self.form, formset=self.formset) if self.is_bound else []

    def error_map(self) -> dict[str, str]:
        return form_error_map(entry_form=self.form, formset=self.formset)

    def problems(self) -> list[str]:
        """Errors that belong to no single field (shown in the live score panel)."""
        return [*self.form.non_field_errors(), *self.formset.non_form_errors(),
                *[e for form in self.formset.forms for e in form.non_field_errors()]]

    def warnings(self, panel) -> list[EntryWarning]:
        """Unusual values as typed (valid or not yet), before anything is saved."""
        form = self.form

        def raw(name: str):
            return form[name].value() if name in form.fields else None

        lines = [LineSeen(index=i, reference=str(line["reference"].value() or ""),
                          children=_whole(line["children"].value()))
                 for i, line in enumerate(self.formset.forms)]
        is_asye = raw("position") == Position.ASYE or self.entry.worker.is_asye_on(self.entry.month)
        return entry_warnings(
            wte=_decimal(raw("wte")), fulltime_hours=Decimal(settings.CASEWEIGHT_FULLTIME_HOURS),
            extra_duty_hours=_decimal(raw("extra_duty_hours")),
            extra_duty_explanation=str(raw("extra_duty_explanation") or ""), lines=lines, is_asye=is_asye,
            children=panel.children if panel else 0, expected_high=panel.expected_high if panel else None,
            deviation_reason=str(raw("deviation_reason") or ""))
