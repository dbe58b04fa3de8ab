"""URLs of the reports pages, mounted at /reports/ (config/urls.py)."""
from django.urls import path, register_converter

from reporting import report_views as views


class QuarterConverter:
    regex = r"\d{4}-Q[1-4]"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(QuarterConverter, "quarter")

app_name = "reports"  # not "reporting": the dashboards (issue 11) may mount reporting.urls under that name
urlpatterns = [
    path("", views.report_list_view, name="run-list"),
    path("generate/", views.report_generate_view, name="run-generate"),
    path("runs/<int:pk>/", views.run_detail_view, name="run-detail"),
    path("runs/<int:pk>/progress/", views.run_progress_view, name="run-progress"),
    path("runs/<int:pk>/download/<str:what>/", views.run_download_view, name="run-download"),
    path("returns/<int:team_id>/<quarter:quarter>/", views.return_detail_view, name="return-detail"),
    path("returns/<int:team_id>/<quarter:quarter>/preview.pdf", views.return_preview_view, name="return-preview"),
    path("committee/<quarter:quarter>/narrative/", views.committee_narrative_view, name="committee-narrative"),
    path("lists/", views.distribution_list_view, name="list-index"),
    path("lists/<int:pk>/", views.distribution_list_view, name="list-edit"),
    path("lists/<int:pk>/delete/", views.distribution_list_delete_view, name="list-delete"),
]
