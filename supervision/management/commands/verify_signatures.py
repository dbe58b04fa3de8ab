"""Re-hash every countersigned pro-forma and report any whose stored content no longer matches what was signed.

For auditors and after restores: a mismatch means the database row changed after the worker signed it.
Exit 0 when every signature verifies, 1 when any does not (each listed with the record it belongs to).
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Prefetch

from supervision.hashing import content_hash
from supervision.models import Countersignature, EntryLine

BATCH = 500


class Command(BaseCommand):
    help = "Re-hash every countersigned pro-forma; list any that differ from what was signed (exit 1)."

    def handle(self, *args, **options) -> None:
        signatures = (
            Countersignature.objects.select_related("entry", "entry__worker", "entry__team")
            .prefetch_related(Prefetch("entry__lines", queryset=EntryLine.objects.order_by("position", "pk")))
            .order_by("pk")
        )
        checked = 0
        mismatches = []
        for signature in signatures.iterator(chunk_size=BATCH):
            entry = signature.entry
            checked += 1
            digest = content_hash(entry, entry.lines.all(), version=signature.hash_version)
            if digest != signature.content_hash or entry.content_hash != signature.content_hash:
                mismatches.append(signature)
                self.stdout.write(
                    f"MISMATCH pro-forma {entry.pk}: {entry.worker.full_name}, {entry.team.name}, "
                    f"{entry.month:%B %Y}, revision {entry.revision} (signed {signature.signed_at:%Y-%m-%d %H:%M}, "
                    f"signature version {signature.hash_version})"
                )
        summary = f"Checked {checked} countersigned pro-forma{'' if checked == 1 else 's'}: "
        if mismatches:
            raise CommandError(summary + f"{len(mismatches)} do not match what was signed.", returncode=1)
        self.stdout.write(summary + "every signature verifies.")
