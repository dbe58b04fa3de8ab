"""The dashboards, mounted at /dashboards/ (config/urls.py)."""
from django.urls import path

import workload.converters  # noqa: F401  registers cw_id

from . import dashboard_views as views

app_name = "dashboards"
urlpatterns = [
    path("", views.authority_view, name="authority"),
    path("service/<cw_id:pk>/", views.service_view, name="service"),
    path("team/<cw_id:pk>/", views.team_view, name="team"),
    path("attention/", views.attention_view, name="attention"),
]
