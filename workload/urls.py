from django.urls import path

from . import views

app_name = "workload"
urlpatterns = [
    path("teams/", views.team_list_view, name="team-list"),
    path("teams/<int:pk>/", views.team_detail_view, name="team-detail"),
    path("workers/<int:pk>/", views.worker_detail_view, name="worker-detail"),
    path("score/", views.what_if_view, name="what-if"),
]
