from django.urls import path

import workload.converters  # noqa: F401  registers cw_id, cw_yyyy, cw_mm

from . import views
from .views import concerns as concern_views
from .views.pdf import entry_pdf_view

app_name = "supervision"
urlpatterns = [
    path("teams/<cw_id:team_pk>/<cw_yyyy:year>-<cw_mm:month>/", views.team_month_view, name="team-month"),
    path("teams/<cw_id:team_pk>/<cw_yyyy:year>-<cw_mm:month>/fields/", views.team_month_update_view,
         name="team-month-update"),
    path("teams/<cw_id:team_pk>/<cw_yyyy:year>-<cw_mm:month>/workers/<cw_id:worker_pk>/start/", views.entry_start_view,
         name="entry-start"),
    path("entries/<cw_id:pk>/", views.entry_detail_view, name="entry-detail"),
    path("entries/<cw_id:pk>/score/", views.entry_score_view, name="entry-score"),
    path("entries/<cw_id:pk>/lines/", views.entry_lines_view, name="entry-lines"),
    path("entries/<cw_id:pk>/submit/", views.entry_submit_view, name="entry-submit"),
    path("entries/<cw_id:pk>/countersign/", views.entry_countersign_view, name="entry-countersign"),
    path("entries/<cw_id:pk>/dispute/", views.entry_dispute_view, name="entry-dispute"),
    path("entries/<cw_id:pk>/revise/", views.entry_revise_view, name="entry-revise"),
    path("entries/<cw_id:pk>/pdf/", entry_pdf_view, name="entry-pdf"),
    path("sessions/", views.session_list_view, name="session-list"),
    path("me/", views.my_workload_view, name="my-workload"),
    path("me/concern/", views.concern_raise_view, name="concern-raise"),
    path("concerns/", concern_views.concern_list_view, name="concern-list"),
    path("concerns/<cw_id:pk>/", concern_views.concern_detail_view, name="concern-detail"),
    path("concerns/<cw_id:pk>/answer/", concern_views.concern_answer_view, name="concern-answer"),
    path("concerns/<cw_id:pk>/close/", concern_views.concern_close_view, name="concern-close"),
    path("help/rules/", views.help_rules_view, name="help-rules"),
]
