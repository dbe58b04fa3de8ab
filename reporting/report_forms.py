"""Forms of the reports pages: they check the shape of input; the services in reporting/report_services.py
hold the rules. Errors are put beside the field they concern."""
from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from reporting.committee_services import ISSUE_ONLY_COMMITTEE, NARRATIVE_FIELDS
from reporting.models import DistributionList, ReportKind, ReportRun
from reporting.report_services import GENERATE_KINDS, period_parse
from workload.access import teams_for_user
from workload.models import Team

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}


class ReturnCompleteForm(forms.Form):
    """The team manager's part: the team fields of the reporting month and the date of completion."""

    unallocated_cases = forms.IntegerField(label="Number of unallocated cases currently in this team", min_value=0,
                                           max_value=100000, widget=forms.NumberInput(attrs=TEXT))
    manager_comment = forms.CharField(label="Team manager's comments", required=False, max_length=4000,
                                      widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    suggestions = forms.CharField(label="Suggestions to improve the workload management system", required=False,
                                  max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    completed_on = forms.DateField(label="Date of completion", widget=forms.DateInput(attrs={**TEXT, "type": "date"}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_completed_on(self) -> date:
        value = self.cleaned_data["completed_on"]
        if value > self.today:
            raise ValidationError("The date of completion cannot be in the future.")
        return value


class ReturnCommentForm(forms.Form):
    """The service manager's part: overall comments (required before approval) and suggestions."""

    service_manager_comment = forms.CharField(
        label="Service manager's overall comments (including measures put in place to support staff with high "
              "workloads)", max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 4}))
    suggestions = forms.CharField(label="Suggestions to improve the workload management system", required=False,
                                  max_length=4000, widget=forms.Textarea(attrs={**TEXT, "rows": 3}))
    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ReturnSendBackForm(forms.Form):
    reason = forms.CharField(label="Why it goes back to the team manager", max_length=4000,
                             widget=forms.Textarea(attrs={**TEXT, "rows": 3}))


class ReportGenerateForm(forms.Form):
    """On-request build of an authority report; the period must be well formed and not in the future."""

    kind = forms.ChoiceField(label="Report", choices=[(k.value, k.label) for k in GENERATE_KINDS],
                             widget=forms.Select(attrs=SELECT))
    period = forms.CharField(label="Period", max_length=10, widget=forms.TextInput(attrs=TEXT),
                             help_text="A quarter such as 2025-Q3 for the pack and the committee report, a week "
                                       "such as 2025-W41 for the weekly report, a month such as 2025-11 for the "
                                       "monthly edition.")
    issue = forms.BooleanField(label="Issue it: email the committee report to its list", required=False,
                               widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                               help_text="Committee report only, once its narrative is written. Without this it is "
                                         "built and stored, not emailed.")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        kind, key = cleaned.get("kind"), cleaned.get("period")
        if kind and key:
            try:
                period = period_parse(kind, key, today=self.today)
            except ValidationError as exc:
                self.add_error("period", exc)
            else:
                cleaned["period"] = period.key
        if cleaned.get("issue") and kind and kind != ReportKind.COMMITTEE:
            self.add_error("issue", ISSUE_ONLY_COMMITTEE)
        return cleaned


class CommitteeNarrativeForm(forms.Form):
    """The committee report's three narrative sections (S002 §1–3); each is required."""

    background = forms.CharField(label=dict(NARRATIVE_FIELDS)["background"], max_length=8000,
                                 error_messages={"required": "Write the background: the report cannot be issued without it."},
                                 widget=forms.Textarea(attrs={**TEXT, "rows": 5}))
    main_issues = forms.CharField(label=dict(NARRATIVE_FIELDS)["main_issues"], max_length=8000,
                                  error_messages={"required": "Write the main issues: the report cannot be issued without them."},
                                  widget=forms.Textarea(attrs={**TEXT, "rows": 8}),
                                  help_text="Printed above the tables of average caseloads and their trend.")
    future_plans = forms.CharField(label=dict(NARRATIVE_FIELDS)["future_plans"], max_length=8000,
                                   error_messages={"required": "Write the future plans: the report cannot be issued without them."},
                                   widget=forms.Textarea(attrs={**TEXT, "rows": 5}))


class AddressesField(forms.CharField):
    """Email addresses, one per line (commas too); each checked, the first bad one named."""

    widget = forms.Textarea

    def to_python(self, value) -> list[str]:
        text = super().to_python(value) or ""
        return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]

    def validate(self, value) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        for address in value:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(f"“{address}” is not an email address.", code="invalid") from None

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class DistributionListForm(forms.ModelForm):
    addresses = AddressesField(label="Email addresses (one per line)", max_length=10000,
                               widget=forms.Textarea(attrs={**TEXT, "rows": 4}))

    class Meta:
        model = DistributionList
        fields = ["kind", "service_area", "name", "addresses"]
        labels = {"kind": "Report", "service_area": "Service area (leave empty for the whole authority)",
                  "name": "Name of the list"}
        widgets = {"kind": forms.Select(attrs=SELECT), "service_area": forms.Select(attrs=SELECT),
                   "name": forms.TextInput(attrs=TEXT)}

    def clean_addresses(self) -> list[str]:
        return sorted({a.lower() for a in self.cleaned_data["addresses"]})

    def clean(self):
        """One list per report and service area (the model's constraints), said beside the field; the field's
        error keeps the model from also reporting the constraint by its name."""
        cleaned = super().clean()
        kind, area = cleaned.get("kind"), cleaned.get("service_area")
        if kind and DistributionList.objects.filter(kind=kind, service_area=area).exclude(pk=self.instance.pk).exists():
            self.add_error("service_area" if area else "kind",
                           "There is already a list for this report and service area; edit that one.")
        return cleaned


def _teams(request):
    return Team.objects.none() if request is None else teams_for_user(request.user).order_by("name")


class ReportRunFilter(django_filters.FilterSet):
    """Narrows the runs the user may see; a value outside the choices is a 400 with the message by the field."""

    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label="Report", empty_label="All reports",
                                       widget=forms.Select(attrs=SELECT))
    status = django_filters.ChoiceFilter(choices=ReportRun.Status.choices, label="Status", empty_label="Any status",
                                         widget=forms.Select(attrs=SELECT))
    team = django_filters.ModelChoiceFilter(queryset=_teams, label="Team", empty_label="All teams",
                                            widget=forms.Select(attrs=SELECT))
    period = django_filters.CharFilter(field_name="period_key", lookup_expr="startswith", label="Period starts with",
                                       max_length=10, widget=forms.TextInput(attrs={**TEXT, "type": "search"}))

    class Meta:
        model = ReportRun
        fields = ()
