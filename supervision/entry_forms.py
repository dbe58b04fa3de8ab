"""The entry page's forms: the pro-forma fields (REPORTS.md (a) 1-3, 7-8) and its case lines, and the
EntryEditor that validates and scores them as one, so a view reads: bind, validate, save, render.

The form is built per scheme: it shows only the fields the team's scheme version accepts. Labels come from
the declared field list (supervision.fields). Engine errors are put back on the field they name.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator

from supervision.fields import BY_NAME, EDITABLE, LINE_BY_NAME
from supervision.forms import (
    DATE_INPUT,
    YES_NO,
    bound_inputs,
    textarea,
    yes_no,
)
from supervision.help import FIELD_ANCHORS, help_url
from supervision.models import EntryLine, ProformaEntry
from supervision.rules import NO_PROFORMA_POSITIONS, REASON_FIELDS
from workload.models import Position
from workload.workdays import month_end

PROFORMA_POSITIONS = [(code, label) for code, label in Position.choices if code not in NO_PROFORMA_POSITIONS]


WTE_MESSAGE = "Enter a WTE between 0.01 and 1.00 (for example 0.6 for three days a week)."


# A formally assigned duty cannot exceed every hour of the longest month; the live score warns long before.
MAX_EXTRA_DUTY_HOURS = Decimal("744")


_COLUMN = re.compile(r"\s*\(column [A-Z]\)|,\s*column [A-Z]\b")


def plain_label(label: str) -> str:
    """A scheme label without the spreadsheet's column letter ("Group work (column K)" -> "Group work"):
    the letters mean something only on the authority's spreadsheet, not on the form."""
    return _COLUMN.sub("", label)


def _points(value: Decimal) -> str:
    text = format(value, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} point{'' if value == 1 else 's'}"


# A repeatable extra is counted per case or session; more than a month of working days is a typing slip.
MAX_REPEATS = 31


class GradedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose options may name the grades they belong to (data-grades), for the page to follow
    the grade chosen."""

    def __init__(self, *args, option_grades: dict[str, frozenset[str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.option_grades = option_grades or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        grades = self.option_grades.get(value)
        if grades is not None:
            option["attrs"]["data-grades"] = " ".join(sorted(grades))
        return option


# Fields a draft may leave blank but submitting needs (supervision.rules.required_reason_errors); the field-8
# reasons join them when triggered (they are shown only then).
SUBMIT_REQUIRED = ("date_of_score", "workload_manageable", "workload_comment")


def _submit_required(name: str) -> Field:
    return Field(name, wrapper_class="cw-submit-required")


class EntryForm(forms.Form):
    """REPORTS.md (a) fields 1-3 and 6-8, 12 for one scheme version and team type."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    # Labels come from the declared list (supervision.fields), like the read-only view and the hash.
    # Field 1
    position = forms.ChoiceField(choices=PROFORMA_POSITIONS)
    is_agency = forms.BooleanField(required=False)
    wte = forms.DecimalField(
        max_digits=3, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        error_messages={"invalid": WTE_MESSAGE, "max_digits": WTE_MESSAGE, "max_decimal_places": WTE_MESSAGE,
                        "max_whole_digits": WTE_MESSAGE, "min_value": WTE_MESSAGE, "max_value": WTE_MESSAGE},
        help_text="Whole-time equivalent, 0.01 to 1.00 (0.6 = 3 days a week). Band thresholds scale with it.",
    )
    grade = forms.ChoiceField(required=False)
    # Field 2
    date_of_score = forms.DateField(required=False, widget=DATE_INPUT)
    completed_in_absence = forms.BooleanField(required=False)
    # Field 3
    personal = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    extra_duty_hours = forms.DecimalField(
        required=False, min_value=Decimal("0"), max_value=MAX_EXTRA_DUTY_HOURS, max_digits=6, decimal_places=2,
        help_text="Formally assigned duties such as panels or training.",
        error_messages={"max_value": f"Enter the hours of extra duties this month, at most {MAX_EXTRA_DUTY_HOURS} "
                                     "(every hour of a 31-day month).",
                        "min_value": "Hours cannot be negative.", "invalid": "Enter a number of hours, e.g. 7.5."},
    )
    extra_duty_explanation = forms.CharField(required=False, widget=textarea())
    extras = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    # Field 7
    workload_manageable = forms.TypedChoiceField(
        choices=YES_NO, coerce=yes_no, empty_value=None, required=False, widget=forms.RadioSelect,
    )
    workload_comment = forms.CharField(required=False, widget=textarea(3))
    workload_context = forms.CharField(required=False, widget=textarea())
    workload_action = forms.CharField(required=False, widget=textarea())
    # Field 8 (each shown only when triggered)
    deviation_reason = forms.CharField(required=False, widget=textarea())
    over_max_reason = forms.CharField(required=False, widget=textarea())
    over_max_until = forms.DateField(required=False, widget=DATE_INPUT)
    over_max_review_on = forms.DateField(required=False, widget=DATE_INPUT)
    demanding_until = forms.DateField(required=False, widget=DATE_INPUT)
    high_priorities = forms.CharField(required=False, widget=textarea())
    over_capacity_reason = forms.CharField(required=False, widget=textarea())
    remedial_action = forms.CharField(required=False, widget=textarea())

    def __init__(self, *args, tables, team_type: str, triggers: frozenset[str] = frozenset(),
                 month: date | None = None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tables = tables
        self.month = month
        self.today = today
        for name, field in self.fields.items():
            if name in BY_NAME:
                field.label = BY_NAME[name].label
        bound_inputs(self)
        # A draft may leave these blank; submitting may not. Marked before the first try (visibly by the
        # wrapper's class, for assistive technology by aria-required), not discovered by a refused submit.
        for name in (*SUBMIT_REQUIRED, *REASON_FIELDS):
            if name in self.fields and not isinstance(self.fields[name].widget, forms.RadioSelect):
                self.fields[name].widget.attrs["aria-required"] = "true"
        hours = settings.CASEWEIGHT_FULLTIME_HOURS
        self.fields["wte"].help_text += f" Hours a week = WTE × {hours} (e.g. 0.6 = {Decimal('0.6') * hours} hours)."
        if tables.accepts_grade:
            self.fields["grade"].choices = [("", "Choose a grade")] + list(tables.grades.items())
            if tables.default_grade:
                self.fields["grade"].help_text = f"Blank means {tables.grades[tables.default_grade]}."
        else:
            del self.fields["grade"]
        if tables.accepts_personal:
            self.fields["personal"].choices = [
                (code, f"{plain_label(label)} ({_points(points)})")
                for code, (label, points) in tables.personal_elements.items()
            ]
            if tables.max_personal:
                self.fields["personal"].help_text = f"At most {tables.max_personal}."
        else:
            del self.fields["personal"]
        if not tables.accepts_extra_duty_hours:
            del self.fields["extra_duty_hours"]
            del self.fields["extra_duty_explanation"]
        else:
            rate = tables.duty_rate.points_per_hour
            self.fields["extra_duty_hours"].help_text += f" {_points(rate)} an hour."
        self._extra_fields(tables, team_type)
        self.triggers = triggers
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = self._layout()
        self.helper_bottom = FormHelper()
        self.helper_bottom.form_tag = False
        self.helper_bottom.disable_csrf = True
        self.helper_bottom.layout = self._layout_bottom()

    def _extra_fields(self, tables, team_type: str) -> None:
        """Extra responsibilities: a checkbox each, and a number for those that repeat (Warrington's ABE
        interviews and fostering information meetings count once per case or session). An option that only
        some grades may have (Swindon's PSW points) carries its grades; the page hides it for other grades.
        The engine judges the grade either way."""
        offered = [(code, extra) for code, extra in tables.extras.items()
                   if extra.teams is None or team_type in extra.teams]
        once = [(code, extra) for code, extra in offered if not extra.repeatable]
        self.count_fields: dict[str, str] = {}  # field name -> extra code
        posted = list(self.initial.get("extras") or [])
        for code, extra in offered:
            if not extra.repeatable:
                continue
            name = f"extra_count_{code}"
            self.fields[name] = forms.IntegerField(
                label=plain_label(extra.label).removesuffix(" (per session)").removesuffix(" (per case)") + ": number this month",
                required=False, min_value=0, max_value=MAX_REPEATS, initial=posted.count(code) or None,
                help_text=f"{_points(extra.points)} each.",
                error_messages={key: f"Enter a whole number from 0 to {MAX_REPEATS}."
                                for key in ("invalid", "min_value", "max_value")},
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_REPEATS}))
            self.count_fields[name] = code
        if once:
            grades = {code: extra.grades for code, extra in once if extra.grades is not None}
            self.fields["extras"].widget = GradedCheckboxes(option_grades=grades)
            self.fields["extras"].choices = [(code, f"{plain_label(extra.label)} ({_points(extra.points)})")
                                             for code, extra in once]
            if self.count_fields and "extras" in self.initial:
                self.initial["extras"] = [code for code in posted if code not in self.count_fields.values()]
        else:
            del self.fields["extras"]

    def clean_date_of_score(self):
        """The date of score is the supervision date: in the reporting month, and not in the future."""
        value = self.cleaned_data.get("date_of_score")
        if value is None:
            return value
        if self.today and value > self.today:
            raise forms.ValidationError("The date of score cannot be in the future.")
        if self.month and not self.month <= value <= month_end(self.month):
            raise forms.ValidationError(f"The date of score must be in {self.month:%B %Y}.")
        return value

    def set_triggers(self, triggers: frozenset[str]) -> None:
        """Show the field-8 reasons the current (posted) values trigger."""
        self.triggers = triggers
        self.helper.layout = self._layout()
        self.helper_bottom.layout = self._layout_bottom()

    def _reason(self, name: str) -> Div:
        """A field-8 reason, hidden unless triggered (or already filled in, or in error); the live score
        shows and hides it by its data-policy trigger."""
        trigger = REASON_FIELDS[name]
        keep = bool(self[name].value())
        attrs = {"data_policy": trigger, "data_keep": "1" if keep else "0"}
        if trigger not in self.triggers and not keep:
            attrs["hidden"] = "hidden"
        if name in ("over_max_until", "over_max_review_on"):  # one "Why?" for the three over-maximum fields
            return Div(_submit_required(name), css_class="policy-reason", **attrs)
        why = HTML(f'<p class="small mb-2 policy-why"><a href="{help_url(FIELD_ANCHORS[name])}">Why?</a></p>')
        return Div(_submit_required(name), why, css_class="policy-reason", **attrs)

    def _layout(self) -> Layout:
        """Sections 1-3 (before the case lines, which the page renders itself)."""
        worker = [Div("position", css_class="col-md-5"), Div("wte", css_class="col-md-3")]
        if "grade" in self.fields:
            worker.append(Div("grade", css_class="col-md-4"))
        personal = [name for name in ("personal",) if name in self.fields]
        if "extra_duty_hours" in self.fields:
            personal += [Div(Div("extra_duty_hours", css_class="col-md-4"), css_class="row"),
                         self._reason("extra_duty_explanation")]
        if "extras" in self.fields:
            personal.append("extras")
        if self.count_fields:
            personal.append(Div(*[Div(name, css_class="col-sm-6 col-lg-4") for name in self.count_fields],
                                css_class="row"))
        sections = [
            Fieldset("1. Worker", "lock_version", Div(*worker, css_class="row"), "is_agency", css_id="section-worker"),
            Fieldset("2. Supervision", Div(Div(_submit_required("date_of_score"), css_class="col-md-5"),
                                           Div("completed_in_absence", css_class="col-md-7 pt-md-4"), css_class="row"),
                     css_id="section-supervision"),
        ]
        if personal:
            sections.append(Fieldset("3. Personal capacity", *personal, css_id="section-personal"))
        else:
            sections.append(HTML('<p class="small text-body-secondary" id="section-personal">3. Personal capacity: '
                                 "this scheme scores none.</p>"))
        return Layout(*sections)

    def _layout_bottom(self) -> Layout:
        """Sections 7 and 8 (after the case lines)."""
        return Layout(
            Fieldset("7. Workload comments", _submit_required("workload_manageable"),
                     _submit_required("workload_comment"), "workload_context",
                     "workload_action", css_id="section-comments"),
            Fieldset(
                "8. Policy reasons",
                HTML('<p class="small text-body-secondary mb-2" id="policy-none">Fields appear here when the '
                     "score or the caseload needs a reason (they are required before submitting).</p>"),
                *[self._reason(name) for name in ("deviation_reason", "over_max_reason", "over_max_until",
                                                  "over_max_review_on", "demanding_until", "high_priorities",
                                                  "over_capacity_reason", "remedial_action")],
                css_id="section-reasons",
            ),
        )

    def field_values(self) -> dict[str, Any]:
        """The cleaned values the service takes (absent fields are left as they are). A repeated extra is its
        code once per occurrence, as the engine counts it."""
        values = {name: self.cleaned_data[name] for name in EDITABLE if name in self.cleaned_data}
        if self.count_fields:
            extras = list(values.get("extras") or [])
            for name, code in self.count_fields.items():
                extras += [code] * (self.cleaned_data.get(name) or 0)
            values["extras"] = extras
        return values


def entry_form_initial(entry: ProformaEntry) -> dict[str, Any]:
    initial = {name: getattr(entry, name) for name in EDITABLE}
    initial["lock_version"] = entry.lock_version
    initial["workload_manageable"] = None if entry.workload_manageable is None else str(entry.workload_manageable)
    return initial


class EntryLineForm(forms.Form):
    """One case line (field 4)."""

    # Hidden: the case record the line came from. Only a tampered post makes it invalid; bounded so a huge
    # number never reaches the database (SQLite cannot hold it).
    case_id = forms.IntegerField(
        label="Case record", widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1,
        error_messages={key: "This line's case record is not valid: remove the line and add it again."
                        for key in ("invalid", "min_value", "max_value")},
    )
    reference = forms.CharField(max_length=40)
    children = forms.IntegerField(min_value=1, max_value=99, initial=1, error_messages={
        key: "Enter the number of children on this line, from 1 to 99." for key in ("invalid", "min_value", "max_value")})
    category = forms.ChoiceField()
    factors = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    co_worked = forms.BooleanField(required=False)
    co_work_share = forms.DecimalField(
        required=False, max_digits=4, decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        error_messages={key: "Enter this worker's share as a number from 0.001 to 1 (for example 0.5)."
                        for key in ("invalid", "max_digits", "max_decimal_places", "max_whole_digits",
                                    "min_value", "max_value")},
    )
    not_allocated = forms.BooleanField(required=False)

    def __init__(self, *args, tables, team_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name in LINE_BY_NAME:
                field.label = LINE_BY_NAME[name].label
        self.fields["category"].choices = [("", "Choose a category")] + [
            (code, plain_label(label)) for code, label in tables.categories_for(team_type)]
        self.factor_options: list[tuple[str, str, bool]] = []
        if tables.accepts_factors:
            seen: dict[str, str] = {}
            for category, _label in tables.categories_for(team_type):
                for code, label in tables.factors_for(team_type, category):
                    seen.setdefault(code, plain_label(label))
            # Every factor of the team type passes the form; the engine judges the category (its message names
            # the factor and the category). The page offers only the line's category's own factors.
            self.fields["factors"].choices = list(seen.items())
            self.factor_options = line_factor_options(
                tables=tables, team_type=team_type, category=self["category"].value(),
                selected=self["factors"].value() or [], labels=seen)
        else:
            del self.fields["factors"]
        if not tables.accepts_co_work_share:
            del self.fields["co_work_share"]
        # Rendered cell by cell in a table (no help text: the caption explains the columns).
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif not field.widget.is_hidden:
                field.widget.attrs["class"] = "form-control form-control-sm"
        self.fields["children"].widget.attrs["inputmode"] = "numeric"


def line_factor_options(*, tables, team_type: str, category: str | None, selected: list[str],
                        labels: dict[str, str]) -> list[tuple[str, str, bool]]:
    """(code, label, allowed) for the factor checkboxes of one line: the factors its category allows, then
    any ticked factor the category does not allow (shown, so it can be unticked; the engine refuses it)."""
    allowed = tables.factors_for(team_type, category) if category else []
    codes = {code for code, _label in allowed}
    options = [(code, plain_label(label), True) for code, label in allowed]
    options += [(code, labels.get(code, code), False) for code in dict.fromkeys(selected)
                if code not in codes and code in labels]
    return options


class BaseLineFormSet(forms.BaseFormSet):
    """Every row may be left blank (a new empty row is ignored); a row someone filled in is validated."""

    def _claims_too_many(self) -> bool:
        """A post claiming more lines than the page allows is tampered with: refuse it before building any
        form (a 100-byte post with TOTAL_FORMS=99999 must cost nothing)."""
        if not self.is_bound or not self.management_form.is_valid():
            return False
        return self.management_form.cleaned_data["TOTAL_FORMS"] > self.max_num

    def total_form_count(self) -> int:
        return 0 if self._claims_too_many() else super().total_form_count()

    def full_clean(self) -> None:
        super().full_clean()
        if self._claims_too_many():
            self._non_form_errors = self.error_class(
                [f"A pro-forma has at most {self.max_num} case lines; this one claimed more, so nothing was saved."],
                error_class="nonform", renderer=self.renderer)

    def _construct_form(self, i, **kwargs):
        kwargs["empty_permitted"] = True
        kwargs["use_required_attribute"] = False
        return super()._construct_form(i, **kwargs)

    def line_values(self) -> tuple[list[dict[str, Any]], list[int]]:
        """The filled rows' cleaned data and, for each, its form index (engine path cases[i] -> form)."""
        values, indexes = [], []
        for index, form in enumerate(self.forms):
            if form.cleaned_data:
                values.append(dict(form.cleaned_data))
                indexes.append(index)
        return values, indexes

    def raw_rows(self) -> list[dict[str, Any]]:
        """The rows as typed (valid or not), to redraw the table after adding or removing a row."""
        return [{name: form[name].value() for name in form.fields} for form in self.forms]


MAX_LINES = 200


# absolute_max caps how many forms are *built* from a posted TOTAL_FORMS, so a 100-byte post claiming 99,999
# lines costs nothing; validate_max then refuses it with a message.
LineFormSet = forms.formset_factory(EntryLineForm, formset=BaseLineFormSet, extra=0, max_num=MAX_LINES,
                                    absolute_max=MAX_LINES, validate_max=True)


def line_formset(*, tables, team_type: str, data=None, initial=None) -> BaseLineFormSet:
    return LineFormSet(data=data, initial=initial, prefix="lines",
                       form_kwargs={"tables": tables, "team_type": team_type})


def line_initial(lines: list[EntryLine]) -> list[dict[str, Any]]:
    return [
        {"case_id": line.case_id, "reference": line.reference, "children": line.children, "category": line.category,
         "factors": list(line.factors), "co_worked": line.co_worked, "co_work_share": line.co_work_share,
         "not_allocated": line.not_allocated}
        for line in lines
    ]


_CASE_PATH = re.compile(r"^cases\[(\d+)\](?:\.(\w+))?")


_WORKER_PATH = re.compile(r"^worker\.(\w+)")


def scoring_error_place(path: str, *, entry_form: EntryForm, formset: BaseLineFormSet,
                        line_indexes: list[int]) -> tuple[forms.Form | None, str | None]:
    """Where an engine error belongs: (form, field name) or (form, None) for the form as a whole.
    cases[i] is the i-th filled line, which is not always the i-th row of the table."""
    match = _CASE_PATH.match(path)
    if match:
        index = int(match.group(1))
        if index >= len(line_indexes) or line_indexes[index] >= len(formset.forms):
            return None, None
        form = formset.forms[line_indexes[index]]
        name = match.group(2)
        return form, (name if name in form.fields else None)
    match = _WORKER_PATH.match(path)
    if match and match.group(1) in entry_form.fields:
        return entry_form, match.group(1)
    return entry_form, None


def add_scoring_error(path: str, message: str, *, entry_form: EntryForm, formset: BaseLineFormSet,
                      line_indexes: list[int]) -> None:
    form, name = scoring_error_place(path, entry_form=entry_form, formset=formset, line_indexes=line_indexes)
    if form is None:
        entry_form.add_error(None, message)
    else:
        form.add_error(name, message)


def form_error_map(*, entry_form: EntryForm, formset: BaseLineFormSet) -> dict[str, str]:
    """Input id -> first message, for the live score to place errors next to their fields."""
    errors: dict[str, str] = {}
    for form in (entry_form, *formset.forms):
        for name, messages in form.errors.items():
            if name != "__all__" and name in form.fields and messages:
                errors[form[name].auto_id] = messages[0]
    return errors


def error_summary(*, entry_form: EntryForm, formset: BaseLineFormSet) -> list[tuple[str, str, str]]:
    """(input id, what, message) for every error, in page order: the summary at the top links to each."""
    summary = [("entry-form", "Pro-forma", message) for message in entry_form.non_field_errors()]
    summary += [(entry_form[name].auto_id, entry_form.fields[name].label, messages[0])
                for name, messages in entry_form.errors.items() if name in entry_form.fields]
    summary += [("entry-lines", "Case lines", message) for message in formset.non_form_errors()]
    for index, form in enumerate(formset.forms):
        summary += [(f"line-row-{index}", f"Line {index + 1}", message) for message in form.non_field_errors()]
        summary += [(form[name].auto_id, f"Line {index + 1}, {form.fields[name].label.lower()}", messages[0])
                    for name, messages in form.errors.items() if name in form.fields]
    return summary




