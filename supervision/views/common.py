"""What every view of the monthly cycle shares: the client address for the audit trail, errors onto forms."""
from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.http import HttpRequest


def errors_onto_form(form, exc: ValidationError) -> bool:
    """Put a service's ValidationError next to the fields it names (others on the form as a whole).

    Returns True for field errors (bad input, 400) and False for a plain message, which the services use
    for a state that no longer allows the action (409)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
        return True
    form.add_error(None, exc.messages)
    return False


def client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, for the audit trail. REMOTE_ADDR only: a forwarded-for header
    is whatever the client says unless a trusted proxy rewrites it (see docs/supervision.md)."""
    return request.META.get("REMOTE_ADDR") or None


def _month(year: int, month: int) -> date:
    return date(year, month, 1)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _first_error(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else "That could not be done."
