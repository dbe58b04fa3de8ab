"""The countersigned pro-forma downloads as a PDF for the supervision file: what it says, who may have it,
and that nothing is fetched from outside /static/."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from weasyprint.urls import FatalURLFetchingError

from supervision.models import ProformaEntry
from supervision.pdf import StaticFileFetcher
from supervision.services import entry_countersign
from tests.factories import TeamFactory
from tests.factories_supervision import allocate, started, submitted, team_manager, worker_with_login
from tests.plugins.infra import pdf_text

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)


@pytest.fixture
def signed(db):
    team = TeamFactory(name="Assessment North")
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    worker = worker_with_login(team, first_name="Sam", surname="Worker")
    allocate(worker, reference="F-1", children=4, category="s47_icpc")
    allocate(worker, reference="F-2", children=1, category="cin_stable")
    entry = submitted(started(worker, manager, JULY), manager)
    entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker", worker_comment="Agreed.")
    entry.refresh_from_db()
    return entry, manager, worker


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_pdf_carries_the_record_the_signatures_and_the_file_note(client, signed):
    entry, manager, worker = signed
    client.force_login(manager)
    response = client.get(reverse("supervision:entry-pdf", args=[entry.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="pro-forma-Worker-2025-07-r1.pdf"'
    text = _squash(pdf_text(response.content))
    # Nottinghamshire assessment: 4 children on a section 47 line and 1 on a stable CIN line, stored at submit
    assert entry.total_points == Decimal("23")
    for expected in ("Individual workload pro-forma", "Worker Sam Worker", "Month July 2025",
                     "Team Assessment North", "Total: 23 points · Below sustainable", "F-1", "F-2",
                     "Signature verified", "To be placed on the supervision file"):
        assert expected in text, expected
    signed_on = f"{timezone.localtime(entry.countersignature.signed_at):%-d %B %Y}"
    assert f"Signed team manager Tess Manager Date {timezone.localtime(entry.submitted_at):%-d %B %Y}" in text
    assert f"Signed social worker Sam Worker Date {signed_on}" in text
    assert text.count("Signed team manager") == 1
    assert "s47_icpc" not in text and "cin_stable" not in text  # labels, never codes


def test_the_same_entry_renders_the_same_bytes(client, signed):
    entry, manager, worker = signed
    client.force_login(manager)
    url = reverse("supervision:entry-pdf", args=[entry.pk])
    assert client.get(url).content == client.get(url).content


def test_whoever_can_see_the_entry_may_download_it_and_nobody_else(client, signed):
    entry, manager, worker = signed
    outsider = team_manager(TeamFactory(), first_name="Olive", last_name="Other")
    url = reverse("supervision:entry-pdf", args=[entry.pk])
    client.force_login(worker.user)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_a_month_not_countersigned_is_a_409_that_says_why(client, signed):
    entry, manager, worker = signed
    other = worker_with_login(entry.team, first_name="Ada", surname="Waiting")
    allocate(other, reference="G-1", children=1)
    waiting = submitted(started(other, manager, JULY), manager)
    client.force_login(manager)
    response = client.get(reverse("supervision:entry-pdf", args=[waiting.pk]))
    assert response.status_code == 409
    assert ("Only a countersigned pro-forma goes on the supervision file. This one is awaiting the worker&#x27;s "
            "countersignature: it can be downloaded once the worker has countersigned it.") in response.content.decode()
    assert ProformaEntry.objects.get(pk=waiting.pk).status == "submitted"


def test_the_fetcher_serves_static_files_and_refuses_everything_else():
    fetcher = StaticFileFetcher(fail_on_errors=True)
    font = fetcher.fetch("http://pdf.invalid/static/fonts/DejaVuSans.ttf")
    assert font.read()[:4] == b"\x00\x01\x00\x00"  # a TrueType font, from the repository's static/fonts
    for url in ("https://fonts.example.com/sans.ttf", "http://pdf.invalid/etc/passwd",
                "http://pdf.invalid/static/../config/settings.py", "file:///etc/passwd"):
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)


def test_the_entry_page_offers_the_download_once_countersigned(client, signed):
    entry, manager, worker = signed
    client.force_login(worker.user)
    page = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    assert f'href="{reverse("supervision:entry-pdf", args=[entry.pk])}" id="download-pdf"' in page
    ProformaEntry.objects.filter(pk=entry.pk).update(status="submitted")
    assert 'id="download-pdf"' not in client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
