"""The pro-forma stage: one entry per worker and month, with lines, content hashes, countersignatures,
last month's dispute and revision, and the audit trail entry_submit and entry_countersign would leave.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection

from supervision.hashing import content_hash
from supervision.models import AuditEvent, Countersignature, Dispute, EntryLine, EntryStatus, ProformaEntry
from supervision.rules import NO_PROFORMA_POSITIONS

from .catalogue import NOTTS
from .draws import weekday_on_or_after
from .entries import EntryPlan, EntryStage

_LINE_COPY = ("position", "case_id", "reference", "children", "category", "factors", "co_worked", "co_work_share",
              "not_allocated")


class ProformaStage(EntryStage):
    """Writes every month's pro-formas and what follows them (signatures, dispute, audit)."""

    def write_proformas(self) -> None:
        """One pro-forma per worker and month, recorded in that month's (latest) held supervision.

        As entry_start does: the date of score is the month's latest held worker supervision and the entry
        links it; the lines are the allocations open that day. Positions with no pro-forma (students,
        managers: supervision.rules.NO_PROFORMA_POSITIONS) have sessions but no entries."""
        rng = random.Random(self.seed + 3)
        allocs_of = defaultdict(list)
        for a in self.factory.allocs:
            allocs_of[a.worker].append(a)
        last = len(self.months) - 1
        dispute_month = last - 1 if last >= 1 else None
        self.disputed_worker = None
        self.bands: dict[str, int] = defaultdict(int)
        current_status = self._current_statuses(rng)
        previous: dict[int, ProformaEntry] = {}  # worker idx -> last month's current entry
        for k, month in enumerate(self.months):
            plans = []
            for w in self.workers:
                held = self.held_in_month.get((w.idx, month))
                if w.position in NO_PROFORMA_POSITIONS or not held:
                    continue
                status = current_status.get(w.idx) if k == last else EntryStatus.COUNTERSIGNED
                if status is None:  # this month's pro-forma not started yet
                    continue
                session = held[-1]
                plans.append(EntryPlan(
                    worker=w, team=w.seat_on(session.held_on).team, month=month, day=session.held_on, status=status,
                    session=session, lines=self._lines(w, allocs_of[w.idx], session.held_on),
                    previous=previous.get(w.idx),
                ))
            if k == dispute_month:
                self._mark_dispute(plans)
            self._write_entries(rng, plans, current=k == last)
            previous = {plan.worker.idx: plan.entry for plan in plans}
        self.result.bands = dict(self.bands)

    def _current_statuses(self, rng) -> dict[int, str | None]:
        """This month is under way: of the workers supervised so far, a mix of countersigned, awaiting
        countersignature, draft and not started. Nobody signs on the day the score is taken."""
        month = self.months[-1]
        holders = [w.idx for w in self.workers
                   if w.position not in NO_PROFORMA_POSITIONS and self.held_in_month.get((w.idx, month))]
        n = len(holders)
        statuses = ([EntryStatus.COUNTERSIGNED] * round(n * 0.35) + [EntryStatus.SUBMITTED] * round(n * 0.25)
                    + [EntryStatus.DRAFT] * round(n * 0.2))
        statuses += [None] * (n - len(statuses))
        rng.shuffle(statuses)
        result = dict(zip(holders, statuses, strict=True))
        for idx, status in result.items():
            if status == EntryStatus.COUNTERSIGNED and self.held_in_month[(idx, month)][-1].held_on >= self.today:
                result[idx] = EntryStatus.SUBMITTED
        return result

    def _mark_dispute(self, plans: list[EntryPlan]) -> None:
        """Last month, one worker disputed a miscounted line and the manager issued revision 2."""
        for plan in plans:
            template = self.teams[plan.team].template
            if template.scheme != NOTTS or not plan.worker.login or plan.worker.position == "trainee":
                continue
            line = next((ln for ln in plan.lines if ln.children >= 2 and not ln.not_allocated
                         and not ln.category.startswith("private_fostering")), None)  # B = 0: no change
            if line is not None:
                plan.dispute_line = line
                self.disputed_worker = plan.worker
                return

    def _write_entries(self, rng, plans: list[EntryPlan], *, current: bool) -> None:
        """One month's entries: built, saved with their lines and hashes, then signed, disputed and audited."""
        entries, first_revisions = self._build_entries(rng, plans)
        ProformaEntry.objects.bulk_create([p.first for p in first_revisions], batch_size=self.batch)
        for plan in first_revisions:
            self._link_revision(plan)
        ProformaEntry.objects.bulk_create(entries, batch_size=self.batch)
        all_lines = []
        for plan in plans:
            for line in plan.lines:
                line.entry_id = plan.entry.pk
            all_lines += plan.lines
            for line in plan.first_lines:
                line.entry_id = plan.first.pk
            all_lines += plan.first_lines
        EntryLine.objects.bulk_create(all_lines, batch_size=self.batch)
        self._store_hashes([p.first for p in first_revisions] + [e for e in entries if e.status != EntryStatus.DRAFT])
        self._write_records(rng, plans, current=current)

    def _build_entries(self, rng, plans: list[EntryPlan]) -> tuple[list[ProformaEntry], list[EntryPlan]]:
        """Each plan's entry; a disputed plan also gets the first revision, with the miscounted line."""
        entries, first_revisions = [], []
        for plan in plans:
            entry = self._entry(rng, plan, revision=2 if plan.dispute_line is not None else 1)
            plan.entry = entry
            entries.append(entry)
            if plan.dispute_line is not None:
                wrong = [EntryLine(**{f: getattr(ln, f) for f in _LINE_COPY}) for ln in plan.lines]
                bad = wrong[plan.lines.index(plan.dispute_line)]
                bad.children -= 1
                first = self._entry(rng, plan, revision=1, lines=wrong, count=False)
                first.status, first.is_current = EntryStatus.DISPUTED, False
                first.submitted_at = self.at(plan.day, 10)
                plan.first, plan.first_lines = first, wrong
                first_revisions.append(plan)
        return entries, first_revisions

    def _link_revision(self, plan: EntryPlan) -> None:
        """Revision 2 supersedes the disputed first revision and is submitted after the dispute was raised."""
        entry = plan.entry
        entry.supersedes_id = plan.first.pk
        entry.revision_reason = (f"{plan.dispute_line.reference} has {plan.dispute_line.children} children, "
                                 f"not {plan.dispute_line.children - 1}: corrected after the worker's dispute.")
        raised_on = weekday_on_or_after(plan.day + timedelta(days=1))
        plan.raised_at = max(self.at(raised_on, 10, 15), plan.first.submitted_at + timedelta(minutes=10))
        revised_at = self.at(weekday_on_or_after(raised_on + timedelta(days=1)), 11)
        entry.submitted_at = max(revised_at, plan.raised_at + timedelta(minutes=30))

    def _write_records(self, rng, plans: list[EntryPlan], *, current: bool) -> None:
        """Countersignatures, the dispute, and the audit trail (for the dispute and for this month's entries)."""
        signatures, disputes, audits = [], [], []
        for plan in plans:
            signature = None
            if plan.entry.status == EntryStatus.COUNTERSIGNED:
                signature = self._countersignature(rng, plan)
                signatures.append(signature)
            if plan.first is not None:
                disputes.append(self._dispute(plan))
                audits += self._dispute_audits(plan, signature)
            elif current:
                audits += self._current_audits(rng, plan, signature)
        Countersignature.objects.bulk_create(signatures, batch_size=self.batch)
        Dispute.objects.bulk_create(disputes, batch_size=self.batch)
        AuditEvent.objects.bulk_create(audits, batch_size=self.batch)

    def _countersignature(self, rng, plan: EntryPlan) -> Countersignature:
        entry = plan.entry
        signer = self.user_of.get(plan.worker.idx)
        signed_on = weekday_on_or_after(entry.submitted_at.date() + timedelta(days=rng.choice((1, 1, 2))))
        signed_at = self.at(signed_on, rng.randint(9, 16), rng.randint(0, 59))
        signed_at = max(signed_at, entry.submitted_at + timedelta(minutes=30))
        return Countersignature(
            entry_id=entry.pk,
            # no login (agency, paper signature): the manager records the worker's signature
            signed_by_id=(signer or self.tms[plan.team]).pk,
            typed_name=plan.worker.full_name, signed_at=signed_at, content_hash=entry.content_hash,
        )

    def _dispute(self, plan: EntryPlan) -> Dispute:
        return Dispute(
            entry=plan.first, raised_by=self.user_of[plan.worker.idx], raised_at=plan.raised_at,
            resolved_at=plan.entry.submitted_at,
            reason=f"{plan.dispute_line.reference} has {plan.dispute_line.children} children, not "
                   f"{plan.dispute_line.children - 1}; the baby was born at the start of the month.",
        )

    def _dispute_audits(self, plan: EntryPlan, signature: Countersignature | None) -> list[AuditEvent]:
        """The disputed month's trail: first revision created, submitted and disputed; revision 2 issued."""
        entry, tm, user = plan.entry, self.tms[plan.team], self.user_of[plan.worker.idx]
        audits = [
            self._audit(plan.first, "entry.created", tm, plan.first.submitted_at - timedelta(hours=1)),
            self._audit(plan.first, "entry.submitted", tm, plan.first.submitted_at,
                        self._submitted_data(plan.first)),
            self._audit(plan.first, "entry.disputed", user, plan.raised_at),
            self._audit(entry, "entry.revised", tm, entry.submitted_at - timedelta(minutes=20),
                        {"supersedes": plan.first.pk, "revision": 2}),
            self._audit(entry, "entry.submitted", tm, entry.submitted_at,
                        self._submitted_data(entry, resubmitted=True)),
        ]
        if signature is not None:
            audits.append(self._audit(entry, "entry.countersigned", user, signature.signed_at,
                                      {"content_hash": entry.content_hash, "typed_name": plan.worker.full_name}))
        return audits

    def _current_audits(self, rng, plan: EntryPlan, signature: Countersignature | None) -> list[AuditEvent]:
        """This month's entries: created, and submitted and countersigned where they have been."""
        entry, tm = plan.entry, self.tms[plan.team]
        audits = [self._audit(entry, "entry.created", tm, self.at(plan.day, 9, rng.randint(0, 59)))]
        if entry.submitted_at is not None:
            audits.append(self._audit(entry, "entry.submitted", tm, entry.submitted_at, self._submitted_data(entry)))
        if signature is not None:
            signer = self.user_of.get(plan.worker.idx)
            audits.append(self._audit(entry, "entry.countersigned", signer or tm, signature.signed_at,
                                      {"content_hash": entry.content_hash, "typed_name": plan.worker.full_name}))
        return audits

    def _store_hashes(self, entries: list[ProformaEntry]) -> None:
        """Each submitted entry's content hash, computed as entry_submit computes it: by
        supervision.hashing.content_hash over the row and its lines as saved, read back from the database, so
        whatever fields the hash covers it sees them exactly as a countersignature will recompute them."""
        ids = [entry.pk for entry in entries]
        saved = ProformaEntry.objects.in_bulk(ids)
        lines = defaultdict(list)
        for line in EntryLine.objects.filter(entry_id__in=ids).order_by("entry_id", "position", "pk"):
            lines[line.entry_id].append(line)
        for entry in entries:
            entry.content_hash = content_hash(saved[entry.pk], lines[entry.pk])
        # One prepared UPDATE run per row: bulk_update's CASE expressions cost more than the hashing itself.
        meta, quote = ProformaEntry._meta, connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('content_hash').column)} = %s "  # noqa: S608
                f"WHERE {quote(meta.pk.column)} = %s",
                [(entry.content_hash, entry.pk) for entry in entries],
            )

    @staticmethod
    def _submitted_data(entry: ProformaEntry, resubmitted: bool = False) -> dict:
        """What entry_submit records in the audit trail."""
        return {"content_hash": entry.content_hash, "total_points": format(entry.total_points.normalize(), "f"),
                "band": entry.band, "resubmitted_after_dispute": resubmitted}

    @staticmethod
    def _audit(entry: ProformaEntry, action: str, actor, at: datetime, data: dict | None = None) -> AuditEvent:
        return AuditEvent(actor=actor, action=action, target_type="supervision.proformaentry", target_id=entry.pk,
                          entry=entry, data=data or {"revision": entry.revision, "status": entry.status}, at=at)
