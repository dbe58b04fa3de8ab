"""Forms of the monthly cycle other than the pro-forma itself (supervision.entry_forms): countersign, dispute,
revise, sessions, concerns, the team pro-forma's fields; and the input bounds every form shares. They check
the shape of input; the workflow's rules are the services'.
"""
from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from django import forms
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

from supervision.models import SessionKind

YES_NO = [("True", "Yes"), ("False", "No")]
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Long enough for a real supervision note, short enough that a pasted document is refused, not stored.
TEXT_MAX = 4000
# Dates a supervision record can sensibly hold: no year 1 or 9999 from a mistyped field.
EARLIEST_DATE, LATEST_DATE = date(2000, 1, 1), date(2099, 12, 31)


def bound_inputs(form: forms.Form) -> None:
    """Cap every free-text field at TEXT_MAX characters and every date at EARLIEST_DATE..LATEST_DATE, with
    messages a person understands, so nothing out of range reaches the database."""
    for field in form.fields.values():
        if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea) and not field.max_length:
            field.max_length = TEXT_MAX
            field.validators.append(MaxLengthValidator(
                TEXT_MAX, message=f"Keep this to {TEXT_MAX:,} characters or fewer (%(show_value)d typed)."))
            field.widget.attrs["maxlength"] = str(TEXT_MAX)
        elif isinstance(field, forms.DateField):
            message = f"Enter a date between {EARLIEST_DATE:%-d %b %Y} and {LATEST_DATE:%-d %b %Y}."
            field.validators += [MinValueValidator(EARLIEST_DATE, message=message),
                                 MaxValueValidator(LATEST_DATE, message=message)]
            field.error_messages["invalid"] = "Enter a real date, for example 28/11/2026."


def yes_no(value: str) -> bool:
    return value == "True"


def textarea(rows: int = 2) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# ------------------------------------------------------------------------------ engine errors -> fields


# ------------------------------------------------------------------------------------ other forms


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CountersignForm(forms.Form):
    typed_name = forms.CharField(
        label="Type your full name to countersign", max_length=200,
        help_text="Signing records that you agree with this pro-forma as submitted, with the time and a "
                  "fingerprint of its content.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    worker_comment = forms.CharField(label="Your comments (optional)", required=False, widget=textarea(3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_inputs(self)
        self.helper = _helper()


class DisputeForm(forms.Form):
    reason = forms.CharField(label="What do you disagree with?", widget=textarea(4),
                             help_text="Your manager receives this and revises the pro-forma.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_inputs(self)
        self.helper = _helper()


class ReviseForm(forms.Form):
    reason = forms.CharField(label="Reason for the correction", widget=textarea(3),
                             help_text="The countersigned version is kept; the new revision needs signing again.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_inputs(self)
        self.helper = _helper()


class SessionForm(forms.Form):
    worker = forms.ModelChoiceField(label="Worker", queryset=None, empty_label="Choose a worker")
    held_on = forms.DateField(label="Date", widget=DATE_INPUT)
    held = forms.TypedChoiceField(label="Did the session take place?", choices=YES_NO, coerce=yes_no,
                                  initial="True", widget=forms.RadioSelect)
    kind = forms.ChoiceField(label="Type", choices=SessionKind.choices, initial=SessionKind.WORKER)
    attendees = forms.CharField(label="Attendees", required=False, max_length=300)
    notes = forms.CharField(label="Notes", required=False, widget=textarea(3),
                            help_text="Keep case detail on the child's file; this is the supervision record.")

    def __init__(self, *args, workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda w: f"{w.full_name} ({w.team.code if w.team else '–'})"
        bound_inputs(self)
        self.helper = _helper()


class ConcernForm(forms.Form):
    text = forms.CharField(
        label="Your concern about your workload", widget=textarea(6),
        help_text="It goes to your team manager and your head of service, who respond within 5 working days.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_inputs(self)
        self.helper = _helper()


class TeamMonthForm(forms.Form):
    """REPORTS.md (b) footer fields; fields the user may not change are shown disabled."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    unallocated_cases = forms.IntegerField(label="Number of unallocated cases currently in this team",
                                           min_value=0, max_value=100_000, required=False)
    manager_comment = forms.CharField(label="Team manager's comment", required=False, widget=textarea(3))
    service_manager_comment = forms.CharField(
        label="Service manager's overall comments", required=False, widget=textarea(3),
        help_text="To include information about measures put in place to support staff with high workloads.")
    suggestions = forms.CharField(label="Suggestions to improve the WLM system", required=False, widget=textarea(2))

    def __init__(self, *args, manages: bool, senior: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not manages:
            self.fields["unallocated_cases"].disabled = True
            self.fields["manager_comment"].disabled = True
        if not senior:
            self.fields["service_manager_comment"].disabled = True
            self.fields["service_manager_comment"].help_text = "Written by the service manager or head of service."
        bound_inputs(self)
        self.helper = _helper()
