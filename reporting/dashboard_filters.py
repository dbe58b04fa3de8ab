"""Query-string checks for the dashboards: the month picker and the "Who needs attention" filters.

They check shape only (STYLE §2): a bad value is a form error shown next to its field, and the view answers
400 with the page for the default values, never 500."""
from __future__ import annotations

import re
from datetime import date

import django_filters
from django import forms

from reporting.attention import Reason
from workload.access import teams_for_user
from workload.models import ServiceArea, Team

MONTH_RE = re.compile(r"(\d{4})-(\d{2})\Z")
MONTH_FORMAT_ERROR = "Enter a month as year and month, for example 2025-01."
MONTH_FUTURE_ERROR = "That month has not happened yet: choose this month or an earlier one."
MONTH_TOO_EARLY_ERROR = "Choose a month from 2000 onwards."
THRESHOLD_ERROR = "Give the number of cases the count is about, a whole number from 1 to 200."
MEASURE_ERROR = "There is no list of workers for that figure."
PERSISTENT_ERROR = "The number of months with a high band must be between 1 and the number of months looked at."
DEFAULT_HIGH_IN, DEFAULT_HIGH_OF, MAX_HIGH_OF = 3, 6, 24


def parse_month(value: str, *, today: date) -> date:
    """'YYYY-MM' -> the 1st of that month; ValidationError with the message a person reads otherwise."""
    match = MONTH_RE.match(value.strip()) if isinstance(value, str) else None
    if not match:
        raise forms.ValidationError(MONTH_FORMAT_ERROR, code="format")
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        raise forms.ValidationError(MONTH_FORMAT_ERROR, code="format")
    if year < 2000:
        raise forms.ValidationError(MONTH_TOO_EARLY_ERROR, code="too_early")
    chosen = date(year, month, 1)
    if chosen > today.replace(day=1):
        raise forms.ValidationError(MONTH_FUTURE_ERROR, code="future")
    return chosen


class MonthField(forms.CharField):
    """A month picker's value (`<input type="month">` sends YYYY-MM)."""

    def __init__(self, *, today: date, **kwargs):
        self.today = today
        kwargs.setdefault("label", "Month")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "month", "class": "form-control",
                                                           "max": f"{today:%Y-%m}"}))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)  # the text checks first (length), then the month
        return parse_month(value, today=self.today) if value else None


class MonthForm(forms.Form):
    """The month picker on the authority, service area and team dashboards."""

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"] = MonthField(today=today)


class WorkerListForm(forms.Form):
    """Which count's workers to list (the drill-down under a card): the figure, its N and the month."""

    measure = forms.ChoiceField(choices=(), label="Figure", error_messages={"required": MEASURE_ERROR, "invalid_choice": MEASURE_ERROR})
    n = forms.IntegerField(required=False, min_value=1, max_value=200, label="More than (cases)",
                           error_messages={k: THRESHOLD_ERROR for k in ("invalid", "min_value", "max_value")})

    def __init__(self, *args, today: date, measures: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"] = MonthField(today=today)
        self.fields["measure"].choices = list(measures.items())
        self.needs_n = frozenset(m for m, label in measures.items() if "more than N" in label)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("measure") in self.needs_n and cleaned.get("n") is None and "n" not in self.errors:
            self.add_error("n", THRESHOLD_ERROR)
        return cleaned


def _teams(request):
    """Only the teams the user can see: another team's id is an invalid choice (400), not an empty list."""
    if request is None:
        return Team.objects.none()
    return teams_for_user(request.user).order_by("name")


def _service_areas(request):
    if request is None:
        return ServiceArea.objects.none()
    return ServiceArea.objects.filter(pk__in=teams_for_user(request.user).values("service_area_id")).order_by("name")


class AttentionFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        high_in, high_of = cleaned.get("high_in"), cleaned.get("high_of")
        if high_in is not None or high_of is not None:
            high_in = high_in or DEFAULT_HIGH_IN
            high_of = high_of or max(DEFAULT_HIGH_OF, high_in)
            if high_in > high_of:
                self.add_error("high_in", PERSISTENT_ERROR)
        return cleaned


class WholeNumberFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # "2.5 months" is an error, not 2


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class AttentionFilter(django_filters.FilterSet):
    """Narrows the user's teams (in the database) before the attention rows are worked out; `reason` and
    the month and persistence settings are read by the view (they decide which rows exist, not which teams)."""

    service_area = django_filters.ModelChoiceFilter(
        queryset=_service_areas, label="Service area", empty_label="All service areas",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    team = django_filters.ModelChoiceFilter(
        queryset=_teams, label="Team", empty_label="All my teams", method="filter_team",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = django_filters.ChoiceFilter(
        method="filter_nothing", label="Reason", empty_label="Every reason", choices=Reason.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    high_in = WholeNumberFilter(
        method="filter_nothing", label="High band in at least (months)", min_value=1, max_value=MAX_HIGH_OF,
        widget=forms.NumberInput(attrs={"class": "form-control", "placeholder": str(DEFAULT_HIGH_IN)}),
    )
    high_of = WholeNumberFilter(
        method="filter_nothing", label="…of the last (months)", min_value=1, max_value=MAX_HIGH_OF,
        widget=forms.NumberInput(attrs={"class": "form-control", "placeholder": str(DEFAULT_HIGH_OF)}),
    )

    class Meta:
        model = Team
        fields = ()  # every filter is declared above
        form = AttentionFilterForm

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        # the month's field needs today's date (its maximum), so it is made per request, first in the form
        month = MonthFilter(method="filter_nothing", label="Month", today=today)
        month.parent, month.model, month.field_name = self, Team, "month"
        self.filters = {"month": month, **self.filters}

    def filter_team(self, queryset, name, value):
        return queryset.filter(pk=value.pk)

    def filter_nothing(self, queryset, name, value):
        return queryset  # see the class docstring

    def settings(self) -> tuple[str, int, int]:
        """(reason or "", N, M) from a valid form."""
        cleaned = self.form.cleaned_data
        high_in = int(cleaned.get("high_in") or DEFAULT_HIGH_IN)
        high_of = int(cleaned.get("high_of") or max(DEFAULT_HIGH_OF, high_in))
        return cleaned.get("reason") or "", high_in, high_of
