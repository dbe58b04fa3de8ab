"""django-filter filter sets: they check the shape of the query string and narrow a selector's rows."""
from __future__ import annotations

import django_filters
from django import forms

from workload.access import teams_for_user
from workload.models import ServiceArea, Team


def _service_areas(request):
    """Only the service areas of teams the user can see: another area's id is an invalid choice (400)."""
    if request is None:
        return ServiceArea.objects.none()
    return ServiceArea.objects.filter(pk__in=teams_for_user(request.user).values("service_area_id")).order_by("name")


class TeamFilter(django_filters.FilterSet):
    service_area = django_filters.ModelChoiceFilter(
        queryset=_service_areas, label="Service area", empty_label="All service areas",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    name = django_filters.CharFilter(
        lookup_expr="icontains", label="Team name contains", max_length=120,
        widget=forms.TextInput(attrs={"class": "form-control", "type": "search"}),
    )

    class Meta:
        model = Team
        fields = ("service_area", "name")
