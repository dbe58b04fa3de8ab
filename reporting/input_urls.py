"""The measure inputs, mounted at /inputs/ (config/urls.py)."""
from django.urls import path

import workload.converters  # noqa: F401  registers cw_id
from reporting import input_views

app_name = "inputs"
urlpatterns = [
    path("", input_views.inputs_home_view, name="home"),
    path("figures/", input_views.aggregate_view, name="figures"),
    path("trend-rows/", input_views.trend_row_list_view, name="trend-rows"),
    path("trend-rows/<cw_id:pk>/", input_views.trend_row_view, name="trend-row"),
    path("conferences/", input_views.conference_count_view, name="conferences"),
]
