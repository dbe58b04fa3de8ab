"""HTML to PDF with WeasyPrint, from the files in /static/ only: nothing domain-specific here.

No network: the URL fetcher serves /static/ (fonts, print CSS) from disk and refuses everything else, so a
template that links an outside address fails loudly instead of reaching out (STYLE.md §7)."""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class StaticFileFetcher(URLFetcher):
    """Serve /static/ from disk, refuse the rest: no network, and a missing font fails loudly."""

    def fetch(self, url, headers=None):
        path = urlsplit(url).path
        if not path.startswith(settings.STATIC_URL) or ".." in path.split("/"):
            raise FatalURLFetchingError(f"PDF asked for non-static URL {url}")
        name = path.removeprefix(settings.STATIC_URL)
        file_path = finders.find(name) or staticfiles_storage.path(name)
        if not Path(file_path).is_file():
            raise FatalURLFetchingError(f"PDF asked for a missing static file {url}")
        content_type = mimetypes.guess_type(file_path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(file_path).read_bytes(), {"Content-Type": content_type})


def render_pdf(*, template_name: str, context: dict, identifier: str) -> bytes:
    """The template rendered to PDF. Same context, same bytes: no clock in here, and the identifier (a
    record's key) replaces WeasyPrint's random one."""
    from weasyprint import HTML  # heavy import; keep it out of web start-up

    html = render_to_string(template_name, context)
    fetcher = StaticFileFetcher(fail_on_errors=True)
    return HTML(string=html, base_url="http://pdf.invalid/", url_fetcher=fetcher).write_pdf(
        pdf_identifier=identifier.encode()
    )
