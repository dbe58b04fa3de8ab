"""Forms for proposing and deciding a change to a team's caseload policy or scheme. They check the shape of
input; the rules (never retroactive, figures that fit together, who may approve) are workload.policy_services',
whose errors the views put back next to the field they name (the form's fields carry the services' names)."""
from __future__ import annotations

import re
from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from workload.models import CaseloadPreset, SchemeVersion
from workload.policy_services import MAX_REPORTING_THRESHOLDS, OVERRIDE_FIELDS, overrides_check

MONTH_FORMAT = "Enter a month as year and month, e.g. 2026-04."
_MONTH = re.compile(r"(20\d\d)-(0[1-9]|1[0-2])\Z")
_SEPARATOR = "/"  # between a preset's code and its team type key in a choice's value (data, not shown)


class MonthField(forms.CharField):
    """A month as <input type="month"> sends it ("2026-04"), cleaned to the 1st of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
    default_error_messages = {"invalid": MONTH_FORMAT}

    def prepare_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = _MONTH.match(value.strip()) if len(value) <= 20 else None
        if not match:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)


class _ChangeForm(forms.Form):
    effective_from = MonthField(label="From the month", help_text="The first month the change applies to: a month "
                                "after the current one. The head of service must approve it before then.")
    reason = forms.CharField(label="Why the change is needed", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


def preset_team_type_choices() -> list:
    """Team types grouped by preset, labels only."""
    return [(preset.label, [(f"{preset.code}{_SEPARATOR}{key}", label) for key, label in preset.team_type_choices()])
            for preset in CaseloadPreset.objects.order_by("label")]


def scheme_team_type_choices() -> list:
    return [(version.label, [(f"{version.slug}{_SEPARATOR}{code}", label)
                             for code, label in version.tables().team_types.items()])
            for version in SchemeVersion.objects.order_by("label")]


class PolicyChangeForm(_ChangeForm):
    """A new caseload policy for the team: preset and team type, and the team's own figures (blank: the preset's)."""

    preset_team_type = forms.ChoiceField(label="Caseload policy and team type")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preset_team_type"].choices = preset_team_type_choices()
        for field in OVERRIDE_FIELDS:
            if field.many:
                self.fields[field.key] = forms.CharField(
                    label=field.label, required=False, max_length=60,
                    help_text=f"Up to {MAX_REPORTING_THRESHOLDS} whole numbers from {field.low} to {field.high}, "
                              "separated by commas, e.g. 22, 25. Blank: the policy's own.")
            else:
                message = f"Enter a whole number from {field.low} to {field.high}."
                self.fields[field.key] = forms.IntegerField(
                    label=field.label, required=False, min_value=field.low, max_value=field.high,
                    help_text="Blank: the policy's own figure.",
                    error_messages={"invalid": message, "min_value": message, "max_value": message})
        self.order_fields(["preset_team_type", *[f.key for f in OVERRIDE_FIELDS], "effective_from", "reason"])

    def clean(self):
        cleaned = super().clean()
        code, _, team_type = (cleaned.get("preset_team_type") or "").partition(_SEPARATOR)
        preset = CaseloadPreset.objects.filter(code=code).first()
        overrides = {}
        for field in OVERRIDE_FIELDS:
            value = cleaned.get(field.key)
            if field.key in self.errors or value in (None, ""):
                continue
            if field.many:
                parts = [part.strip() for part in value.split(",") if part.strip()]
                if not all(part.isascii() and part.isdigit() and len(part) <= 3 for part in parts):
                    self.add_error(field.key, f"Enter whole numbers from {field.low} to {field.high}, separated by "
                                              "commas, e.g. 22, 25.")
                    continue
                value = [int(part) for part in parts]
                if not value:
                    continue
            overrides[field.key] = value
        if preset is not None and not self.errors:
            try:
                cleaned["overrides"] = overrides_check(preset=preset, team_type=team_type, overrides=overrides)
            except ValidationError as exc:
                self.add_error(None, exc)
        cleaned["preset"], cleaned["preset_team_type"] = preset, team_type
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"preset": data["preset"], "preset_team_type": data["preset_team_type"],
                "overrides": data.get("overrides", {}), "effective_from": data["effective_from"],
                "reason": data["reason"]}

    @classmethod
    def initial_from(cls, setting: dict) -> dict:
        """Start from the team's current setting, so the administrator changes only what needs changing."""
        if not setting:
            return {}
        initial = {"preset_team_type": f"{setting['preset']}{_SEPARATOR}{setting['team_type']}"}
        for field in OVERRIDE_FIELDS:
            value = (setting.get("overrides") or {}).get(field.key)
            if value is not None:
                initial[field.key] = ", ".join(map(str, value)) if field.many else value
        return initial


class SchemeChangeForm(_ChangeForm):
    """A new weighting scheme version for the team, with the scheme's team type."""

    scheme_team_type = forms.ChoiceField(label="Weighting scheme and team type")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme_team_type"].choices = scheme_team_type_choices()
        self.order_fields(["scheme_team_type", "effective_from", "reason"])

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        slug, _, team_type = data["scheme_team_type"].partition(_SEPARATOR)
        return {"scheme_version": SchemeVersion.objects.get(slug=slug), "scheme_team_type": team_type,
                "effective_from": data["effective_from"], "reason": data["reason"]}

    @classmethod
    def initial_from(cls, setting: dict) -> dict:
        return {"scheme_team_type": f"{setting['scheme_version']}{_SEPARATOR}{setting['team_type']}"} if setting else {}


class DecisionForm(forms.Form):
    """The head of service's decision: approve or refuse, with a comment (required to refuse)."""

    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.HiddenInput)
    comment = forms.CharField(label="Comment", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Optional when approving; needed when refusing.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
