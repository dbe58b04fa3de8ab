"""Forms for the measure inputs. They check the shape of input (numbers in range, a month, an ISO week); the rules
(numerator at most the denominator, a month that has begun, who may enter for which team) are
reporting.input_services', whose errors the views put next to the field they name."""
from __future__ import annotations

import re
from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from reporting.input_services import NUMERATOR_ABOVE_DENOMINATOR, THRESHOLD_MEASURES, THRESHOLD_NOT_USED
from reporting.models import IMPORTED_MEASURES, MeasureCode, TrendRow
from workload.models import CaseloadPreset
from workload.policy_forms import MonthField

MAX_COUNT = 1_000_000  # children or visits in one team's month: far above any real team
MAX_CONFERENCES = 50
WEEK_FORMAT = "Enter a week as year and week number, e.g. 2025-W41."
_WEEK = re.compile(r"(20\d\d)-W(0[1-9]|[1-4]\d|5[0-3])\Z")


def _whole(label: str, low: int, high: int, **kwargs) -> forms.IntegerField:
    message = f"Enter a whole number from {low:,} to {high:,}."
    return forms.IntegerField(label=label, min_value=low, max_value=high,
                              error_messages={"invalid": message, "min_value": message, "max_value": message},
                              **kwargs)


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class WeekField(forms.CharField):
    """An ISO week as <input type="week"> sends it ("2025-W41"), cleaned to its Monday."""

    widget = forms.TextInput(attrs={"type": "week", "placeholder": "YYYY-Www"})
    default_error_messages = {"invalid": WEEK_FORMAT}

    def prepare_value(self, value):
        if isinstance(value, date):
            year, week, _ = value.isocalendar()
            return f"{year}-W{week:02d}"
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = _WEEK.match(value.strip()) if len(value) <= 20 else None
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:  # week 53 of a year that has 52
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class AggregateForm(_Form):
    """One team's figures for one child-level measure and month."""

    team = forms.ModelChoiceField(queryset=None, label="Team")
    month = MonthField(label="Month")
    measure = forms.ChoiceField(label="Measure", choices=[(m.value, m.label) for m in IMPORTED_MEASURES])
    numerator = _whole("Number that met the standard", 0, MAX_COUNT)
    denominator = _whole("Number counted", 0, MAX_COUNT, help_text="All the children, cases or visits the measure "
                         "counts; the percentage is worked out from the two.")

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams.order_by("name")

    def clean(self):
        cleaned = super().clean()
        numerator, denominator = cleaned.get("numerator"), cleaned.get("denominator")
        if numerator is not None and denominator is not None and numerator > denominator:
            self.add_error("numerator", NUMERATOR_ABOVE_DENOMINATOR.format(numerator=numerator,
                                                                            denominator=denominator))
        return cleaned


def team_type_choices() -> list[tuple[str, str]]:
    """Preset team types by label, each key once (the same key means the same kind of team in every preset)."""
    seen: dict[str, str] = {}
    for preset in CaseloadPreset.objects.order_by("code"):
        for key, label in preset.team_type_choices():
            seen.setdefault(key, label)
    return sorted(seen.items(), key=lambda item: item[1])


class TrendRowForm(_Form):
    """A row of the month-by-month trend table."""

    label = forms.CharField(label="Row label", max_length=200, help_text="What the row is called in the table.")
    measure = forms.ChoiceField(label="Measure", choices=[(m.value, m.label) for m in MeasureCode
                                                          if m != MeasureCode.M21])
    scope_kind = forms.ChoiceField(label="For", choices=TrendRow.ScopeKind.choices)
    team = forms.ModelChoiceField(queryset=None, label="Team", required=False)
    service_area = forms.ModelChoiceField(queryset=None, label="Service area", required=False)
    team_type = forms.ChoiceField(label="Team type", required=False)
    asye_only = forms.BooleanField(label="ASYE workers only", required=False)
    threshold = _whole("More than N cases: N", 1, 100, required=False,
                       help_text="Only for the measures that count workers with more than N cases. Blank: each "
                                 "team's own reporting threshold.")
    target = forms.DecimalField(label="Target", required=False, min_value=0, max_value=1000, decimal_places=2,
                                max_digits=6)
    start_month = MonthField(label="First month shown", required=False,
                             help_text="Earlier months are left blank. Blank: every month.")
    position = _whole("Order in the table", 0, 999, initial=0)

    def __init__(self, *args, teams, service_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams.order_by("name")
        self.fields["service_area"].queryset = service_areas.order_by("name")
        self.fields["team_type"].choices = [("", "—")] + team_type_choices()
        self.fields["target"].error_messages.update(
            {"invalid": "Enter a number from 0 to 1,000, e.g. 18 or 92.5.",
             "min_value": "Enter a number from 0 to 1,000.", "max_value": "Enter a number from 0 to 1,000.",
             "max_decimal_places": "Use at most 2 decimal places.", "max_digits": "Enter a number from 0 to 1,000."})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("threshold") is not None and cleaned.get("measure") not in THRESHOLD_MEASURES | {None}:
            self.add_error("threshold", THRESHOLD_NOT_USED)
        return cleaned

    @staticmethod
    def initial_from(row: TrendRow) -> dict:
        return {"label": row.label, "measure": row.measure, "scope_kind": row.scope_kind, "team": row.team_id,
                "service_area": row.service_area_id, "team_type": row.team_type, "asye_only": row.asye_only,
                "threshold": row.threshold, "target": row.target, "start_month": row.start_month,
                "position": row.position}


class AnalysisForm(_Form):
    month = MonthField(label="Month")
    text = forms.CharField(label="Analysis", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class ConferenceCountForm(_Form):
    """Conferences a child protection adviser chaired in one week."""

    worker = forms.ModelChoiceField(queryset=None, label="Child protection adviser")
    week_start = WeekField(label="Week")
    conferences = _whole("Conferences chaired", 0, MAX_CONFERENCES)

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda w: f"{w.full_name} ({w.team.name})"
