"""Forms for the scoring ("what if") page. They check the shape of input; the scheme's rules are the
engine's (workload/scoring/validate.py), whose errors are put back next to the field they name."""
from __future__ import annotations

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from workload.models import SchemeVersion


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
        self.helper = FormHelper()
        self.helper.form_tag = False


class WhatIfWorkerForm(forms.Form):
    """The worker half of a month: WTE, grade and the scheme's personal elements and extras."""

    wte = forms.DecimalField(
        label="WTE", max_digits=3, decimal_places=2, initial=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text="Whole-time equivalent, e.g. 0.6 = 3 days a week.",
    )
    grade = forms.ChoiceField(label="Grade", required=False)
    personal = forms.MultipleChoiceField(
        label="Personal elements", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="At most two (Nottinghamshire).",
    )
    extra_duty_hours = forms.DecimalField(
        label="Extra duty hours this month", required=False, min_value=Decimal("0"), max_digits=6, decimal_places=2,
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

    reference = forms.CharField(label="Line reference", required=False, max_length=40)
    children = forms.IntegerField(label="Children", min_value=1, max_value=99)
    category = forms.ChoiceField(label="Category")
    factors = forms.MultipleChoiceField(label="Additional factors", required=False)
    co_worked = forms.BooleanField(label="Co-worked", required=False)
    co_work_share = forms.DecimalField(
        label="Share", required=False, max_digits=4, decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text="This worker's share; blank = the scheme's default (½).",
    )

    def __init__(self, *args, tables, team_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a category")] + list(tables.categories_for(team_type))
        if tables.accepts_factors:
            self.fields["factors"].choices = _all_factor_choices(tables, team_type)
            self.fields["factors"].widget.attrs["size"] = 4
            self.fields["factors"].help_text = "Hold Ctrl (Cmd on a Mac) to choose more than one."
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
    """A formset of case lines whose choices come from the scheme, with a few blank lines to fill."""
    LineFormSet = forms.formset_factory(WhatIfLineForm, extra=blank_lines, max_num=60, validate_max=True)
    return LineFormSet(
        data=data, initial=initial or None, prefix="lines", form_kwargs={"tables": tables, "team_type": team_type}
    )
