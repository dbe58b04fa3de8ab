"""django-filter filter sets for supervision lists: they check the shape of the query string and narrow a
selector's rows (a value outside the choices is a 400 with the message next to the field)."""
from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from workload.access import teams_for_user
from workload.models import Team, Worker

SHOW_DUE = "due"
SHOW_ALL = "all"


def _teams(request):
    """Only the teams the user can see: another team's id is an invalid choice (400), not an empty list."""
    if request is None:
        return Team.objects.none()
    return teams_for_user(request.user).order_by("name")


class SupervisionStatusFilter(django_filters.FilterSet):
    """Narrows `supervision.supervision_due.supervision_status_rows`. `show` is applied by the view, which
    knows today's date (due or overdue is a date comparison, not a stored flag)."""

    team = django_filters.ModelChoiceFilter(
        queryset=_teams, label="Team", empty_label="All my teams", field_name="team",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = django_filters.CharFilter(
        method="filter_name", label="Worker's name contains", max_length=80,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )
    show = django_filters.ChoiceFilter(
        method="filter_show", label="Show", empty_label=None,
        choices=((SHOW_DUE, "Supervision due or overdue"), (SHOW_ALL, "All workers")),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    class Meta:
        model = Worker
        fields = ()  # every filter is declared above

    def filter_name(self, queryset, name, value):
        words = value.split()
        for word in words:  # "sam pat" finds Sam Patel: every word in the first name or surname
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(surname__icontains=word))
        return queryset

    def filter_show(self, queryset, name, value):
        return queryset  # see the class docstring: the view applies it with today's date
