"""The "N waiting" badge in the navigation (templates/base.html): one query, only on pages that show it.

Here and not in workload.context_processors because the counts read pro-formas and concerns, and workload
imports nothing of supervision (.importlinter)."""
from __future__ import annotations

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from supervision.concerns import WaitingCounts, waiting_counts


def waiting(request) -> dict:
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"waiting": WaitingCounts()}
    # lazy: an htmx fragment that never renders the navigation costs no query
    return {"waiting": SimpleLazyObject(lambda: waiting_counts(user=user, today=timezone.localdate()))}
