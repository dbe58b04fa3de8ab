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

# Changes to a team's caseload policy or scheme, approved by the head of service (workload/policy_views.py)
from workload import policy_views  # noqa: E402  appended with its routes, kept apart from the core pages

urlpatterns += [
    path("teams/<cw_id:pk>/policy/", policy_views.team_policy_view, name="team-policy"),
    path("teams/<cw_id:pk>/policy/propose/", policy_views.policy_change_propose_view, {"kind": "policy"},
         name="policy-change-propose"),
    path("teams/<cw_id:pk>/policy/propose-scheme/", policy_views.policy_change_propose_view, {"kind": "scheme"},
         name="scheme-change-propose"),
    path("policy-changes/waiting/", policy_views.policy_changes_waiting_view, name="policy-change-waiting"),
    path("policy-changes/<cw_id:pk>/", policy_views.policy_change_detail_view, name="policy-change-detail"),
    path("policy-changes/<cw_id:pk>/decide/", policy_views.policy_change_decide_view, name="policy-change-decide"),
]
