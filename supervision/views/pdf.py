"""The countersigned pro-forma as a PDF for the supervision file."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from supervision.models import EntryStatus
from supervision.rules import plain
from supervision.selectors import entry_get_for_user, entry_page_data

NOT_COUNTERSIGNED = ("Only a countersigned pro-forma goes on the supervision file. This one is {status}: "
                     "it can be downloaded once the worker has countersigned it.")
_STATUS_WORDS = {EntryStatus.DRAFT: "still a draft", EntryStatus.SUBMITTED: "awaiting the worker's countersignature",
                 EntryStatus.DISPUTED: "disputed by the worker"}


@login_required
@require_GET
def entry_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Whoever can see the entry may download it; a month not (yet) countersigned is a 409 that says why."""
    entry = entry_get_for_user(user=request.user, pk=pk)
    if entry.status != EntryStatus.COUNTERSIGNED or not hasattr(entry, "countersignature"):
        message = NOT_COUNTERSIGNED.format(status=_STATUS_WORDS.get(entry.status, "not countersigned"))
        return render(request, "supervision/pdf/unavailable.html", {"entry": entry, "message": message}, status=409)
    page = entry_page_data(entry=entry)
    manager = entry.submitted_by
    context = {
        "entry": entry, "page": page,
        "total": plain(entry.total_points) if entry.total_points is not None else "–",
        "manager_name": (manager.get_full_name() or manager.username) if manager else "–",
        "revision_note": "" if entry.is_current else "superseded by a later revision",
    }
    from supervision.pdf import (
        render_pdf,  # WeasyPrint is heavy: loaded on the first download, not at start-up
    )

    pdf = render_pdf(template_name="supervision/pdf/entry.html", context=context,
                     identifier=f"proforma-{entry.pk}-r{entry.revision}")
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"pro-forma-{entry.worker.surname}-{entry.month:%Y-%m}-r{entry.revision}.pdf".replace(" ", "-")
    response["Content-Disposition"] = f'attachment; filename="{_ascii(filename)}"'
    return response


def _ascii(name: str) -> str:
    """A header-safe file name: letters, digits, dots and hyphens (a surname may hold anything)."""
    return "".join(c if c.isascii() and (c.isalnum() or c in ".-") else "-" for c in name)
