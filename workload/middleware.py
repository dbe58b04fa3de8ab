"""Response headers that apply to the whole site."""
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in person is marked `Cache-Control: no-store` (and private, max-age=0).

    Pages, htmx fragments, CSV and PDF downloads carry records about children and staff: a shared office
    computer's cache or back button must not show them to the next person, nor a proxy keep them. Static
    files are the exception (they hold no records and are served before this runs in production anyway);
    signed-out pages (sign in, password reset) show no records and stay cacheable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            add_never_cache_headers(response)
        return response
