"""Pages for a team's caseload policy and scheme: the history and pending changes, proposing a change
(administrators), and deciding it (the head of service of the team's service area). Thin: access, parse, one
service or selector, render."""
from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from workload.access import team_get_for_user
from workload.models import PolicyChangeKind, PolicyChangeStatus
from workload.policy_forms import DecisionForm, PolicyChangeForm, SchemeChangeForm
from workload.policy_selectors import (
    Labels,
    change_rows,
    changes_waiting_for,
    policy_change_get_for_approver,
    policy_change_get_for_user,
    team_change_list,
    team_policy_history,
)
from workload.policy_services import (
    NOT_AN_ADMINISTRATOR,
    can_approve,
    can_propose,
    change_setting,
    policy_change_approve,
    policy_change_propose,
    policy_change_refuse,
    policy_setting,
    scheme_setting,
    setting_in_force,
)


@login_required
def team_policy_view(request: HttpRequest, pk: int) -> HttpResponse:
    """What applied when and who approved it; the changes proposed for the team."""
    team = team_get_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    labels = Labels()
    changes = change_rows(team_change_list(team=team), today=today, labels=labels)
    context = {
        "team": team, "today": today,
        "history": team_policy_history(team=team, month=today.replace(day=1), labels=labels),
        "pending": [row for row in changes if row.change.status == PolicyChangeStatus.PENDING],
        "decided": [row for row in changes if row.change.status != PolicyChangeStatus.PENDING],
        "can_propose": can_propose(request.user), "can_approve": can_approve(request.user, team),
    }
    return render(request, "workload/policy/team_policy.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def policy_change_propose_view(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Propose a new caseload policy or scheme for the team from a later month (administrators)."""
    team = team_get_for_user(user=request.user, pk=pk)
    if not can_propose(request.user):
        raise PermissionDenied(NOT_AN_ADMINISTRATOR)
    today = timezone.localdate()
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    form_class = PolicyChangeForm if kind == PolicyChangeKind.POLICY else SchemeChangeForm
    setting = (policy_setting if kind == PolicyChangeKind.POLICY else scheme_setting)(team=team, month=next_month)
    form = form_class(request.POST or None, initial={**form_class.initial_from(setting), "effective_from": next_month})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                change = policy_change_propose(team=team, proposed_by=request.user, today=today,
                                               **form.service_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Change sent to the head of service for approval.")
                return redirect("workload:policy-change-detail", pk=change.pk)
        status = 400
    labels = Labels()
    context = {"team": team, "form": form, "kind": kind, "kind_label": PolicyChangeKind(kind).label,
               "current": labels.setting(kind, setting), "next_month": next_month}
    return render(request, "workload/policy/change_form.html", context, status=status)


def _detail(request: HttpRequest, change, *, form: DecisionForm | None = None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    labels = Labels()
    approver = can_approve(request.user, change.team)
    context = {
        "change": change, "team": change.team, "today": today,
        "expired": change.is_expired(today),
        "asks_for": labels.setting(change.kind, change_setting(change)),
        # decided: the setting it replaced, as recorded; pending: what is in force for the month now
        "before": labels.setting(change.kind, change.before if change.status != PolicyChangeStatus.PENDING
                                 else setting_in_force(change=change)),
        "can_decide": approver and change.status == PolicyChangeStatus.PENDING and not change.is_expired(today),
        "form": form or DecisionForm(),
    }
    return render(request, "workload/policy/change_detail.html", context, status=status)


@login_required
def policy_change_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, policy_change_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def policy_change_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or refuse (the head of service of the team's service area; anyone else gets a 404)."""
    change = policy_change_get_for_approver(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, change, form=form, status=400)
    decide = policy_change_approve if form.cleaned_data["decision"] == "approve" else policy_change_refuse
    kwargs = {"approved_by" if decide is policy_change_approve else "refused_by": request.user}
    try:
        change = decide(change=change, today=timezone.localdate(), comment=form.cleaned_data["comment"], **kwargs)
    except ValidationError as exc:
        form.add_error("comment" if hasattr(exc, "error_dict") else None, exc.messages[0])
        return _detail(request, change, form=form, status=400)
    messages.success(request, "Change approved." if change.status == PolicyChangeStatus.APPROVED else "Change refused.")
    return redirect("workload:policy-change-detail", pk=change.pk)


@login_required
def policy_changes_waiting_view(request: HttpRequest) -> HttpResponse:
    """Changes waiting for this head of service's approval, soonest month first."""
    today = timezone.localdate()
    rows = change_rows(changes_waiting_for(user=request.user, today=today), today=today, labels=Labels())
    return render(request, "workload/policy/waiting.html", {"rows": rows, "today": today})
