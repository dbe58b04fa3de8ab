"""The help page that explains, in words, each policy rule the pages refer to ("Why?" links)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from supervision.help import RULES


@login_required
@require_GET
def help_rules_view(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/help_rules.html", {"rules": RULES})
