"""Escalation pages: the list (scoped by workload.access, filtered, sorted and paginated) and one
escalation's page with its history and the forms of the people who act on it.

A guessed id outside the user's teams is 404; acting without the role is 403; bad input is 400 with the
message beside the field and an error summary; acting on a closed escalation is 409. Every successful POST
redirects, so reloading never posts again.
"""
from __future__ import annotations

import django_tables2 as tables
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST
from django_tables2 import RequestConfig

from reporting.escalation_forms import ActionPlanForm, DecisionForm, EscalationFilter, OngoingForm
from reporting.escalation_services import (
    EVENT_LABELS,
    can_decide,
    can_plan,
    escalation_action_plan_record,
    escalation_decide,
    escalation_get_for_user,
    escalation_list_for_user,
    escalation_ongoing_answer,
)
from reporting.models import Escalation, EscalationKind
from supervision.views.common import errors_onto_form
from workload.capabilities import can

DECIDABLE = (EscalationKind.HOS_AGREEMENT, EscalationKind.TEAM_ABOVE_TARGET)


def _day(value) -> str:
    return dateformat.format(value, "j M Y") if value else "—"


class EscalationTable(tables.Table):
    PER_PAGE = 25

    who = tables.Column(verbose_name="Worker or team", empty_values=(), order_by=("worker__surname", "team__name"))
    team = tables.Column(verbose_name="Team", accessor="team__name", order_by=("team__name",))
    kind = tables.Column(verbose_name="Rule", accessor="kind")
    since = tables.Column(verbose_name="Since", accessor="first_over_on")
    due_on = tables.Column(verbose_name="Due", default="—")
    state = tables.Column(verbose_name="Status", empty_values=(), order_by=("rank", "state"))

    class Meta:
        attrs = {"class": "table table-sm align-middle", "id": "escalation-table", "data-testid": "escalation-table"}
        row_attrs = {"data-testid": lambda record: f"escalation-{record.pk}"}
        template_name = "supervision/partials/_table.html"
        empty_text = "No escalation matches."

    def render_who(self, record: Escalation) -> str:
        name = record.worker.full_name if record.worker_id else record.team.name
        return format_html('<a href="{}">{}</a>', reverse("reporting:escalation-detail", args=[record.pk]), name)

    def render_kind(self, record: Escalation) -> str:
        return record.get_kind_display()

    def render_since(self, value) -> str:
        return _day(value)

    def render_due_on(self, value) -> str:
        return _day(value)

    def render_state(self, record: Escalation) -> str:
        if record.rank == 0:
            return format_html('<span class="badge text-bg-danger">Overdue</span> {}', record.get_state_display())
        return record.get_state_display()


@login_required
@require_GET
def escalation_list_view(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "team.view"):
        raise PermissionDenied("Escalations are for managers, heads of service and senior managers.")
    today = timezone.localdate()
    rows = escalation_list_for_user(user=request.user, today=today)
    escalation_filter = EscalationFilter(request.GET, queryset=rows, request=request)
    valid = escalation_filter.is_valid()
    table = EscalationTable(escalation_filter.qs if valid else rows.none())
    RequestConfig(request, paginate={"per_page": EscalationTable.PER_PAGE}).configure(table)
    return render(request, "reporting/escalations/escalation_list.html",
                  {"filter": escalation_filter, "table": table, "today": today},
                  status=200 if valid else 400)


def _detail(request: HttpRequest, escalation: Escalation, *, status: int = 200, **forms) -> HttpResponse:
    may_decide = can_decide(request.user, escalation) and escalation.kind in DECIDABLE
    may_plan = can_plan(request.user, escalation)
    is_open = escalation.closed_on is None
    events = [(EVENT_LABELS.get(e.action, e.action.replace("_", " ").capitalize()), e)
              for e in escalation.events.select_related("actor")]
    context = {
        "escalation": escalation, "events": events, "is_open": is_open,
        "decision_form": forms.get("decision_form") or (DecisionForm() if may_decide and is_open else None),
        "plan_form": forms.get("plan_form") or (ActionPlanForm() if may_plan and is_open else None),
        "ongoing_form": forms.get("ongoing_form") or (
            OngoingForm() if may_plan and is_open and escalation.kind == EscalationKind.SUSTAINED else None),
    }
    context["errors"] = [f for f in (forms.get("decision_form"), forms.get("plan_form"), forms.get("ongoing_form"))
                         if f is not None and f.errors]
    return render(request, "reporting/escalations/escalation_detail.html", context, status=status)


@login_required
@require_GET
def escalation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, escalation_get_for_user(user=request.user, pk=pk))


def _post(request: HttpRequest, pk: int, *, form_class, form_key: str, allowed, call) -> HttpResponse:
    escalation = escalation_get_for_user(user=request.user, pk=pk)
    if not allowed(request.user, escalation):
        raise PermissionDenied("You cannot record this on the escalation.")
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(escalation, form.cleaned_data)
        except ValidationError as exc:
            bad_input = errors_onto_form(form, exc)
            return _detail(request, escalation, status=400 if bad_input else 409, **{form_key: form})
        messages.success(request, "Recorded.")
        return redirect("reporting:escalation-detail", pk=escalation.pk)
    return _detail(request, escalation, status=400, **{form_key: form})


@login_required
@require_POST
def escalation_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    def call(escalation, data):
        escalation_decide(escalation=escalation, user=request.user, agree=data["decision"] == "agree",
                          until=data["until"], comment=data["comment"], today=timezone.localdate())
    return _post(request, pk, form_class=DecisionForm, form_key="decision_form", allowed=can_decide, call=call)


@login_required
@require_POST
def escalation_action_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    def call(escalation, data):
        escalation_action_plan_record(escalation=escalation, user=request.user, today=timezone.localdate(), **data)
    return _post(request, pk, form_class=ActionPlanForm, form_key="plan_form", allowed=can_plan, call=call)


@login_required
@require_POST
def escalation_ongoing_view(request: HttpRequest, pk: int) -> HttpResponse:
    def call(escalation, data):
        escalation_ongoing_answer(escalation=escalation, user=request.user, ongoing=data["ongoing"] == "yes",
                                  expected_end=data["expected_end"], today=timezone.localdate())
    return _post(request, pk, form_class=OngoingForm, form_key="ongoing_form", allowed=can_plan, call=call)
