"""The concerns inbox: managers and heads of service read, answer and close their teams' workload concerns.

A concern outside the user's teams is 404 (supervision.concerns.concern_get_for_user); a worker may read
their own concern but answering it is 403; an empty or too long answer is 400 with the message next to
the field; answering a closed concern is 409. Every POST redirects, so reloading never posts again.
"""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from supervision.audit import action_label
from supervision.concerns import (
    NOT_YOURS_TO_ANSWER,
    RESPONSE_REQUIRED,
    can_answer,
    concern_answer,
    concern_close,
    concern_get_for_user,
    concern_inbox,
    concern_is_overdue,
    concern_respond_by,
    response_days,
)
from supervision.forms import _helper, bound_inputs, textarea
from supervision.models import AuditEvent, WorkloadConcern
from supervision.views.common import client_ip, errors_onto_form
from workload.capabilities import can


class ConcernAnswerForm(forms.Form):
    # Here, not in supervision.forms: only this page uses it. bound_inputs caps it at 4,000 characters.
    response = forms.CharField(label="Your answer to the worker", widget=textarea(6),
                               error_messages={"required": RESPONSE_REQUIRED},
                               help_text="The worker reads this on their My workload page.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bound_inputs(self)
        self.helper = _helper()


@login_required
@require_GET
def concern_list_view(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "concern.answer"):
        raise PermissionDenied("Only team managers and heads of service have a concerns inbox.")
    today = timezone.localdate()
    return render(request, "supervision/concern_list.html",
                  {"inbox": concern_inbox(user=request.user, today=today), "today": today,
                   "response_days": response_days()})


def _detail(request: HttpRequest, concern: WorkloadConcern, *, form: ConcernAnswerForm | None = None,
            error: str = "", status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    answerable = can_answer(request.user, concern)
    if answerable and form is None and concern.status != WorkloadConcern.Status.CLOSED:
        form = ConcernAnswerForm(initial={"response": concern.response})
    history = [(event, action_label(event.action)) for event in AuditEvent.objects.filter(
        target_type=concern._meta.label_lower, target_id=concern.pk).select_related("actor").order_by("at", "pk")]
    return render(request, "supervision/concern_detail.html", {
        "concern": concern, "respond_by": concern_respond_by(concern),
        "overdue": concern_is_overdue(concern, today=today), "answerable": answerable,
        "form": form if answerable and concern.status != WorkloadConcern.Status.CLOSED else None,
        "history": history if answerable else [], "error": error,
    }, status=status)


@login_required
@require_GET
def concern_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, concern_get_for_user(user=request.user, pk=pk))


@login_required
@require_POST
def concern_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_get_for_user(user=request.user, pk=pk)
    if not can_answer(request.user, concern):
        raise PermissionDenied(NOT_YOURS_TO_ANSWER)
    form = ConcernAnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, concern, form=form, status=400)
    try:
        concern_answer(concern=concern, answered_by=request.user, response=form.cleaned_data["response"],
                       ip=client_ip(request))
    except ValidationError as exc:
        if errors_onto_form(form, exc):
            return _detail(request, concern, form=form, status=400)
        return _detail(request, concern, error=exc.messages[0], status=409)  # closed meanwhile
    messages.success(request, f"Your answer to {concern.worker.full_name} is saved; they can read it now.")
    return redirect("supervision:concern-detail", pk=concern.pk)


@login_required
@require_POST
def concern_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    concern = concern_get_for_user(user=request.user, pk=pk)
    if not can_answer(request.user, concern):
        raise PermissionDenied(NOT_YOURS_TO_ANSWER)
    try:
        concern_close(concern=concern, closed_by=request.user, ip=client_ip(request))
    except ValidationError as exc:
        return _detail(request, concern, error=exc.messages[0], status=409)
    messages.success(request, f"The concern from {concern.worker.full_name} is closed.")
    return redirect("supervision:concern-list")
