from django.urls import path, register_converter

from . import views


class YearConverter:
    """A four-digit year; anything else is no match, so the URL is a 404 (never a 500)."""

    regex = r"[12]\d{3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


class MonthConverter:
    """01-12; reversing with 7 gives "07", so links read 2025-07."""

    regex = r"0[1-9]|1[0-2]"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):02d}"


register_converter(YearConverter, "cw_yyyy")
register_converter(MonthConverter, "cw_mm")

app_name = "supervision"
urlpatterns = [
    path("teams/<int:team_pk>/<cw_yyyy:year>-<cw_mm:month>/", views.team_month_view, name="team-month"),
    path("teams/<int:team_pk>/<cw_yyyy:year>-<cw_mm:month>/fields/", views.team_month_update_view,
         name="team-month-update"),
    path("teams/<int:team_pk>/<cw_yyyy:year>-<cw_mm:month>/workers/<int:worker_pk>/start/", views.entry_start_view,
         name="entry-start"),
    path("entries/<int:pk>/", views.entry_detail_view, name="entry-detail"),
    path("entries/<int:pk>/score/", views.entry_score_view, name="entry-score"),
    path("entries/<int:pk>/lines/", views.entry_lines_view, name="entry-lines"),
    path("entries/<int:pk>/submit/", views.entry_submit_view, name="entry-submit"),
    path("entries/<int:pk>/countersign/", views.entry_countersign_view, name="entry-countersign"),
    path("entries/<int:pk>/dispute/", views.entry_dispute_view, name="entry-dispute"),
    path("entries/<int:pk>/revise/", views.entry_revise_view, name="entry-revise"),
    path("sessions/", views.session_list_view, name="session-list"),
    path("me/", views.my_workload_view, name="my-workload"),
    path("me/concern/", views.concern_raise_view, name="concern-raise"),
]
