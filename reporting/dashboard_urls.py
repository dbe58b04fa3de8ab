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
    # the workers behind a count on a card, in the card's scope
    path("workers/", views.workers_view, name="workers"),
    path("service/<cw_id:pk>/workers/", views.workers_view, {"kind": "service"}, name="service-workers"),
    path("team/<cw_id:pk>/workers/", views.workers_view, {"kind": "team"}, name="team-workers"),
]
