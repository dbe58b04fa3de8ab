"""Forms for the scoring ("what if") page. They check the shape of input; the scheme's rules are the
engine's (workload/scoring/validate.py), whose errors are put back next to the field they name."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from workload.models import SchemeVersion
from workload.scoring.validate import MAX_EXTRA_DUTY_HOURS

# The limits of the scoring page, in plain English in docs/scoring.md ("The What-if page").
MAX_LINES = 60  # case lines one month can have on the page
MAX_CHILDREN = 99  # children on one line (the score command allows up to 999: caseload-count lists)
MAX_REFERENCE = 40  # characters of a line reference
LINES_PREFIX = "lines"
ADD_LINES_DEFAULT = 4  # blank lines "Add lines" gives when no number is chosen

TOO_MANY_LINES = "A month can have at most {max} case lines on this page; the form sent {sent}. Remove some lines."
LINES_GARBLED = "The list of case lines did not arrive complete. Reload the page and enter the month again."


def within(*, low: Decimal, high: Decimal, places: int, message: str) -> Callable[[Decimal], None]:
    """One validator for a bounded decimal, so an absurd value (1e999999999) gets one plain message rather
    than Django's three ("no more than 3 digits", "less than or equal to 1", ...)."""

    def validate(value: Decimal) -> None:
        if not low <= value <= high:
            raise ValidationError(message, code="out_of_range")
        if value != value.quantize(Decimal(1).scaleb(-places)):  # 1.000 is fine, 1e-999999999 is not
            raise ValidationError(
                f"Use at most {places} decimal place{'s' if places != 1 else ''}.", code="decimal_places"
            )

    return validate


def lines_total_error(data: Mapping[str, str]) -> str | None:
    """Why a posted list of case lines is refused before any line form is built, or None.

    Django caps a formset at absolute_max, but the check here is cheaper still and says what is wrong:
    a 100-byte POST claiming 99,999 lines gets a message, not 99,999 (or 1,060) forms."""
    raw = data.get(f"{LINES_PREFIX}-TOTAL_FORMS", "")
    if not (raw.isascii() and raw.isdigit()):  # missing, "²", "-1", " 4"
        return LINES_GARBLED
    if len(raw) > 6 or int(raw) > MAX_LINES:
        return TOO_MANY_LINES.format(max=MAX_LINES, sent=raw if len(raw) <= 6 else "far more")
    return None


class SchemeChoiceForm(forms.Form):
    """Step 1: which scheme version and team type to score under (a GET form: bookmarkable)."""

    scheme = forms.ModelChoiceField(
        queryset=SchemeVersion.objects.order_by("label"), to_field_name="slug", empty_label=None,
        label="Weighting scheme",
    )
    team_type = forms.ChoiceField(label="Team type", required=False)

    def __init__(self, *args, tables=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tables is not None:
            self.fields["team_type"].choices = list(tables.team_types.items())
        # the team types follow the scheme at once: htmx fetches the page for the chosen scheme and swaps in
        # only its team-type field (without JavaScript, "Use this scheme" does the same)
        self.fields["scheme"].widget.attrs.update({
            "hx-get": reverse("workload:what-if"), "hx-trigger": "change", "hx-include": "this",
            "hx-target": "#team-type-field", "hx-select": "#team-type-field", "hx-swap": "outerHTML",
        })
        self.helper = FormHelper()
        self.helper.form_tag = False


class WhatIfWorkerForm(forms.Form):
    """The worker half of a month: WTE, grade and the scheme's personal elements and extras."""

    wte = forms.DecimalField(
        label="WTE", initial=Decimal("1.00"),
        validators=[within(low=Decimal("0.01"), high=Decimal(1), places=2,
                           message="Enter a WTE from 0.01 to 1 (1 = full time).")],
        help_text="Whole-time equivalent, e.g. 0.6 = 3 days a week.",
    )
    grade = forms.ChoiceField(label="Grade", required=False)
    personal = forms.MultipleChoiceField(
        label="Personal elements", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="At most two (Nottinghamshire).",
    )
    extra_duty_hours = forms.DecimalField(
        label="Extra duty hours this month", required=False,
        validators=[within(low=Decimal(0), high=MAX_EXTRA_DUTY_HOURS, places=2,
                           message=f"Enter from 0 to {MAX_EXTRA_DUTY_HOURS} hours (a 31-day month of 24-hour days).")],
        help_text="0.5 points an hour.",
    )
    extras = forms.MultipleChoiceField(label="Extra responsibilities", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, tables, **kwargs):
        super().__init__(*args, **kwargs)
        if tables.accepts_grade:
            self.fields["grade"].choices = [("", "—")] + list(tables.grades.items())
            self.fields["grade"].required = tables.requires_grade
        else:
            del self.fields["grade"]
        if tables.accepts_personal:
            self.fields["personal"].choices = [
                (code, f"{label} ({_pts(points)})") for code, (label, points) in tables.personal_elements.items()
            ]
        else:
            del self.fields["personal"]
        if not tables.accepts_extra_duty_hours:
            del self.fields["extra_duty_hours"]
        if tables.accepts_extras:
            self.fields["extras"].choices = [(code, f"{extra.label} ({_pts(extra.points)})") for code, extra in tables.extras.items()]
        else:
            del self.fields["extras"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class WhatIfLineForm(forms.Form):
    """One case line: children, category, factors and co-working."""

    reference = forms.CharField(
        label="Line reference", required=False, max_length=MAX_REFERENCE,
        error_messages={"max_length": "Keep the reference to %(limit_value)d characters (it has %(show_value)d)."},
    )
    children = forms.IntegerField(
        label="Children", min_value=1, max_value=MAX_CHILDREN,
        error_messages={"invalid": f"Enter a whole number of children from 1 to {MAX_CHILDREN}.",
                        "min_value": f"Enter a whole number of children from 1 to {MAX_CHILDREN}.",
                        "max_value": f"Enter a whole number of children from 1 to {MAX_CHILDREN}."},
    )
    category = forms.ChoiceField(label="Category")
    # checkboxes, as on the pro-forma (supervision.entry_forms.EntryLineForm): no Ctrl-click to choose two
    factors = forms.MultipleChoiceField(label="Additional factors", required=False, widget=forms.CheckboxSelectMultiple)
    co_worked = forms.BooleanField(label="Co-worked", required=False)
    co_work_share = forms.DecimalField(
        label="Share", required=False,
        validators=[within(low=Decimal("0.001"), high=Decimal(1), places=3,
                           message="Enter this worker's share from 0.001 to 1, e.g. 0.5.")],
        help_text="This worker's share; blank = the scheme's default (½).",
    )

    def __init__(self, *args, tables, team_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a category")] + list(tables.categories_for(team_type))
        self.fields["children"].widget.attrs["inputmode"] = "numeric"  # as on the pro-forma
        if tables.accepts_factors:
            self.fields["factors"].choices = _all_factor_choices(tables, team_type)
        else:
            del self.fields["factors"]
        if not tables.accepts_co_work_share:
            del self.fields["co_work_share"]


def _all_factor_choices(tables, team_type) -> list[tuple[str, str]]:
    """Every factor of the team type, once (the engine says which category allows which)."""
    seen: dict[str, str] = {}
    for category, _label in tables.categories_for(team_type):
        for code, label in tables.factors_for(team_type, category):
            seen.setdefault(code, label)
    return list(seen.items())


def _pts(value: Decimal) -> str:
    text = format(value, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} point{'s' if value != 1 else ''}"


def line_formset(*, tables, team_type, data=None, initial=None, blank_lines=4):
    """A formset of case lines whose choices come from the scheme, with a few blank lines to fill.

    absolute_max = max_num: however many lines a POST claims, at most MAX_LINES forms are ever built
    (the view refuses such a POST first, with lines_total_error)."""
    LineFormSet = forms.formset_factory(
        WhatIfLineForm, extra=blank_lines, max_num=MAX_LINES, absolute_max=MAX_LINES, validate_max=True
    )
    return LineFormSet(
        data=data, initial=initial or None, prefix=LINES_PREFIX,
        form_kwargs={"tables": tables, "team_type": team_type},
    )
