"""Forms on an escalation's page: they check the shape of input; the rules (dates not in the past, an end
date for an agreement) are the services', whose errors land next to the same fields."""
from __future__ import annotations

import django_filters
from django import forms

from reporting.models import Escalation, EscalationKind
from supervision.forms import _helper, bound_inputs, textarea
from workload.access import teams_for_user
from workload.models import Team

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OPEN, OVERDUE, CLOSED, ALL = "open", "overdue", "closed", "all"


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=(("agree", "Agree"), ("refuse", "Refuse")),
                                 error_messages={"required": "Choose whether you agree or refuse."})
    until = forms.DateField(label="Agreement ends on", required=False, widget=DATE,
                            help_text="Needed when you agree: the agreement lapses on this date.")
    comment = forms.CharField(label="Comment", widget=textarea(3), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="decision", **kwargs)
        bound_inputs(self)
        self.helper = _helper()


class ActionPlanForm(forms.Form):
    actions = forms.CharField(label="Actions", widget=textarea(4),
                              error_messages={"required": "Describe the actions."})
    owner_name = forms.CharField(label="Who owns the actions", max_length=120,
                                 error_messages={"required": "Say who owns the actions."})
    target_on = forms.DateField(label="Target date to be back under the threshold", widget=DATE,
                                error_messages={"required": "Give the target date."})
    review_on = forms.DateField(label="Review date", widget=DATE,
                                error_messages={"required": "Give the review date."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="plan", **kwargs)
        bound_inputs(self)
        self.helper = _helper()


class OngoingForm(forms.Form):
    ongoing = forms.ChoiceField(label="Is the work ongoing?", widget=forms.RadioSelect,
                                choices=(("yes", "Yes"), ("no", "No")),
                                error_messages={"required": "Answer yes or no."})
    expected_end = forms.DateField(label="Expected end date", required=False, widget=DATE,
                                   help_text="Needed when the answer is no.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="ongoing", **kwargs)
        bound_inputs(self)
        self.helper = _helper()


def _teams(request):
    if request is None:
        return Team.objects.none()
    return teams_for_user(request.user).order_by("name")


class EscalationFilter(django_filters.FilterSet):
    """Narrows `escalation_list_for_user`. A value outside the choices is a 400 with the message beside it."""

    team = django_filters.ModelChoiceFilter(queryset=_teams, label="Team", empty_label="All my teams",
                                            widget=forms.Select(attrs={"class": "form-select"}))
    kind = django_filters.ChoiceFilter(choices=EscalationKind.choices, label="Rule", empty_label="Any rule",
                                       widget=forms.Select(attrs={"class": "form-select"}))
    show = django_filters.ChoiceFilter(
        method="filter_show", label="Show", empty_label=None,
        choices=((OPEN, "Open"), (OVERDUE, "Overdue"), (CLOSED, "Closed"), (ALL, "All")),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Escalation
        fields = ()  # every filter is declared above

    def filter_show(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(closed_on__isnull=True)
        if value == OVERDUE:
            return queryset.filter(rank=0)
        if value == CLOSED:
            return queryset.filter(closed_on__isnull=False)
        return queryset
