from django.urls import path

from reporting import escalation_views

app_name = "reporting"

urlpatterns = [
    path("escalations/", escalation_views.escalation_list_view, name="escalation-list"),
    path("escalations/<int:pk>/", escalation_views.escalation_detail_view, name="escalation-detail"),
    path("escalations/<int:pk>/decide/", escalation_views.escalation_decide_view, name="escalation-decide"),
    path("escalations/<int:pk>/action-plan/", escalation_views.escalation_action_plan_view,
         name="escalation-action-plan"),
    path("escalations/<int:pk>/ongoing/", escalation_views.escalation_ongoing_view, name="escalation-ongoing"),
]
