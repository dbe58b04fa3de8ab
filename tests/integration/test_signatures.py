"""Signatures cover what the worker sees, old signatures keep verifying, and `verify_signatures` finds a
tampered record."""
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from supervision.entry_forms import EntryForm
from supervision.fields import CURRENT_HASH_VERSION, EDITABLE, SHOWN
from supervision.hashing import content_hash
from supervision.models import Countersignature, EntryLine, ProformaEntry
from supervision.services import entry_countersign
from tests.factories import TeamFactory
from tests.factories_supervision import allocate, started, submitted, team_manager, worker_with_login

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)


@pytest.fixture
def signed(db):
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=2)
    entry = submitted(started(worker, manager, JULY), manager, extra_duty_hours=2,
                      extra_duty_explanation="Fostering panel member.", completed_in_absence=True, is_agency=True)
    signature = entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker", worker_comment="Agreed.")
    entry.refresh_from_db()
    return entry, signature, manager, worker


def test_the_signature_covers_the_fields_the_first_release_left_out(signed):
    entry, signature, *_ = signed
    assert (signature.hash_version, entry.hash_version) == (CURRENT_HASH_VERSION, CURRENT_HASH_VERSION)
    lines = list(entry.lines.order_by("position", "pk"))
    for name, value in [("date_of_score", date(2025, 7, 16)), ("extra_duty_explanation", "Something else."),
                        ("is_agency", False), ("completed_in_absence", False)]:
        original = getattr(entry, name)
        setattr(entry, name, value)
        assert content_hash(entry, lines) != signature.content_hash, name
        setattr(entry, name, original)
    assert content_hash(entry, lines) == signature.content_hash


def test_the_entry_form_edits_exactly_the_declared_editable_fields(signed):
    entry, *_ = signed
    form = EntryForm(tables=entry.scheme_version.tables(), team_type=entry.team_type)
    # This team type of Nottinghamshire takes no grade and has no extra responsibilities; every other
    # editable field is on the form, labelled from the list.
    assert set(EDITABLE) - set(form.fields) == {"grade", "extras"}
    assert set(form.fields) - set(EDITABLE) == {"lock_version"}
    assert form.fields["date_of_score"].label == "Date of score (the supervision date)"


def test_the_read_only_view_shows_every_declared_field_that_has_a_value(client, signed):
    entry, _signature, _manager, worker = signed
    client.force_login(worker.user)
    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    shown = [f.name for f in SHOWN if f'data-field="{f.name}"' in html]
    expected = [f.name for f in SHOWN if not (f.hide_blank and getattr(entry, f.name) in ("", None, [], {}))]
    assert shown == expected
    assert 'id="ro-value-extra_duty_explanation">Fostering panel member.</dd>' in html
    assert "Signature verified: the record is exactly what was signed." in html


def test_verify_signatures_passes_then_finds_a_tampered_row(signed):
    entry, *_ = signed
    out = StringIO()
    call_command("verify_signatures", stdout=out)
    assert out.getvalue() == "Checked 1 countersigned pro-forma: every signature verifies.\n"

    ProformaEntry.objects.filter(pk=entry.pk).update(extra_duty_explanation="Edited in the database.")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("verify_signatures", stdout=out)
    assert caught.value.returncode == 1
    assert str(caught.value) == "Checked 1 countersigned pro-forma: 1 do not match what was signed."
    assert out.getvalue().startswith(f"MISMATCH pro-forma {entry.pk}: Sam Worker, ")


def test_a_version_1_signature_still_verifies(signed):
    """Signatures given before the field list grew keep their version and verify under it."""
    entry, signature, *_ = signed
    lines = list(EntryLine.objects.filter(entry=entry).order_by("position", "pk"))
    v1 = content_hash(entry, lines, version=1)
    ProformaEntry.objects.filter(pk=entry.pk).update(content_hash=v1, hash_version=1)
    Countersignature.objects.filter(pk=signature.pk).update(content_hash=v1, hash_version=1)
    out = StringIO()
    call_command("verify_signatures", stdout=out)
    assert "every signature verifies" in out.getvalue()


def test_verify_signatures_on_the_demo_authority_then_on_a_tampered_demo_row():
    call_command("seed_demo", stdout=StringIO())
    signed = Countersignature.objects.count()
    assert signed > 100  # twelve months of countersigned history
    out = StringIO()
    call_command("verify_signatures", stdout=out)
    assert out.getvalue() == f"Checked {signed} countersigned pro-formas: every signature verifies.\n"

    tampered = Countersignature.objects.order_by("pk").first().entry
    EntryLine.objects.filter(entry=tampered).update(children=7)
    with pytest.raises(CommandError) as caught:
        call_command("verify_signatures", stdout=StringIO())
    assert (caught.value.returncode, str(caught.value)) == (
        1, f"Checked {signed} countersigned pro-formas: 1 do not match what was signed.")
