"""Sign-in security: the client address, the lockout page and the rate-limited password reset.

Lockout and audit are django-axes (settings AXES_*); the reset limit is django-ratelimit. See
docs/operations.md, "Sign-in security and sessions"."""
import ipaddress
import math

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

LOCKED_OUT_MESSAGE = (
    "Signing in is paused after too many wrong passwords for this username. "
    "Try again in {wait}, or ask an administrator to unlock the account."
)
PASSWORD_RESET_LIMITED_MESSAGE = (
    "There have been too many requests to reset a password from here or for this address. "
    "Wait an hour, then try again."
)


def client_ip(request: HttpRequest) -> str:
    """The address of the person signing in, for the lockout and the reset limit.

    Behind CASEWEIGHT_REVERSE_PROXIES proxies, each appends the address it saw to X-Forwarded-For, so the
    client is that many entries from the right; anything before those entries was sent by the client and
    is not trusted. With no proxy, or a header that does not parse, the connection's own address."""
    proxies = settings.CASEWEIGHT_REVERSE_PROXIES
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            try:
                return str(ipaddress.ip_address(hops[-proxies]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


def _wait_text(request: HttpRequest) -> str:
    minutes = max(1, math.ceil(get_cool_off(request).total_seconds() / 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The sign-in page again, with the reason and how long to wait (axes's AXES_LOCKOUT_CALLABLE).

    Used for the site's login and the admin's alike. 429 Too Many Requests: the request was understood but
    refused for now. The form is unbound: binding it would try the password again and count another failure."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_out_message": LOCKED_OUT_MESSAGE.format(wait=_wait_text(request)),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def _reset_limited(request: HttpRequest, *, group: str, key) -> bool:
    """Count this request against one limit and say whether it is over (django-ratelimit, fixed hourly window)."""
    rate = f"{settings.CASEWEIGHT_PASSWORD_RESET_PER_HOUR}/h"
    return is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


class LoginView(auth_views.LoginView):
    """Django's sign-in page; a wrong username or password is a 400 with the message on the form."""

    def form_invalid(self, form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per client address and per email address.

    The answer never says whether an account uses the address: the limits count requests, not accounts,
    so a known and an unknown address get the same "check your email" page and the same refusal.
    The email names the authority and links to CASEWEIGHT_SITE_URL, never the request's Host header."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict[str, str]:  # read per request, so settings overrides apply
        return {"site_url": settings.CASEWEIGHT_SITE_URL.rstrip("/"), "authority": settings.CASEWEIGHT_AUTHORITY_NAME}

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.get_form()
        if _reset_limited(request, group="password-reset:address", key="ip"):
            return self._refuse(form)
        if not form.is_valid():
            return self.form_invalid(form)
        email = form.cleaned_data["email"].strip().lower()
        if _reset_limited(request, group="password-reset:email", key=lambda _group, _request: email):
            return self._refuse(form)
        return self.form_valid(form)

    def form_invalid(self, form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def _refuse(self, form) -> HttpResponse:
        form.add_error("email", PASSWORD_RESET_LIMITED_MESSAGE)
        return self.render_to_response(self.get_context_data(form=form), status=429)
