"""The worker's own pages: their months and scores, and raising a workload concern."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from supervision.forms import (
    ConcernForm,
)
from supervision.selectors import worker_entry_history
from supervision.team_services import (
    concern_raise,
)
from supervision.views.common import client_ip
from workload.models import Worker


def _own_worker(request: HttpRequest) -> Worker:
    worker = Worker.objects.filter(user=request.user).select_related("team", "team__service_area").first()
    if worker is None:
        raise Http404("You have no worker record, so there is no workload to show.")
    return worker


@login_required
@require_GET
def my_workload_view(request: HttpRequest) -> HttpResponse:
    worker = _own_worker(request)
    history = worker_entry_history(worker=worker)
    return render(request, "supervision/my_workload.html", {"worker": worker, "history": history})


@login_required
@require_http_methods(["GET", "POST"])
def concern_raise_view(request: HttpRequest) -> HttpResponse:
    worker = _own_worker(request)
    form = ConcernForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                concern_raise(worker=worker, raised_by=request.user, text=form.cleaned_data["text"],
                              ip=client_ip(request))
            except ValidationError as exc:
                form.add_error("text" if hasattr(exc, "error_dict") else None, exc.messages)
                status = 400
            else:
                messages.success(request, "Your concern has been sent to your team manager and head of service.")
                return redirect("supervision:my-workload")
        else:
            status = 400
    return render(request, "supervision/concern_form.html", {"worker": worker, "form": form}, status=status)
