from django.urls import path

import workload.converters  # noqa: F401  registers cw_id, cw_yyyy, cw_mm

from . import views

app_name = "workload"
urlpatterns = [
    path("teams/", views.team_list_view, name="team-list"),
    path("teams/<cw_id:pk>/", views.team_detail_view, name="team-detail"),
    path("workers/<cw_id:pk>/", views.worker_detail_view, name="worker-detail"),
    path("score/", views.what_if_view, name="what-if"),
]
