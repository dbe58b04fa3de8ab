"""The demo authority obeys the app's own rules, checked with the app's own functions.

Every submitted pro-forma passes the checks entry_submit makes (the same caseload panel, triggers and
required fields, built from the database as entry_submit builds them), with a reason exactly where a rule asks
for one; supervision sessions record the next due date supervision_next_due gives; each pro-forma is dated by
and linked to a held supervision of its month; students and managers have no pro-forma; ASYE status is
Worker.is_asye_on; content hashes are supervision.hashing's over the stored rows; and the people the README
names are there. seed_large runs the same generator, so a small run of it is held to the same checks.

seed_demo runs once for the module inside a transaction that is rolled back at the end (as in test_seed).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from reporting.demo import names
from supervision.entry_store import score_into
from supervision.hashing import content_hash
from supervision.models import (
    AuditEvent,
    Countersignature,
    EntryLine,
    EntryStatus,
    ProformaEntry,
    SessionKind,
    SupervisionSession,
)
from supervision.rules import (
    NO_PROFORMA_POSITIONS,
    REASON_FIELDS,
    caseload_panel,
    policy_triggers,
    required_reason_errors,
    supervision_next_due,
)
from supervision.selectors import entry_reductions, previous_month_band
from workload.models import Worker
from workload.selectors import team_policy_on
from workload.workdays import add_months, month_end

NOTTS, SWINDON, WARRINGTON = "nottinghamshire-wlm-2016", "swindon-cws-v1", "warrington-wms-2014"
SUBMITTED_STATUSES = (EntryStatus.SUBMITTED, EntryStatus.COUNTERSIGNED)




# --- the checks, shared by the demo and the seed_large run -----------------------------------------------


def submit_check(entry: ProformaEntry) -> tuple[frozenset[str], dict[str, str]]:
    """The triggers and blank required fields entry_submit would find, built exactly as it builds them: the
    stored lines re-scored (in memory only), the team's policy for the month, the worker's reductions, and
    last month's band."""
    lines = list(entry.lines.order_by("position", "pk"))
    score = score_into(entry, lines)
    panel = caseload_panel(
        worker=entry.worker, wte=entry.wte, position=entry.position, lines=lines,
        policy=team_policy_on(team=entry.team, month=entry.month),
        reductions=entry_reductions(worker_id=entry.worker_id, month=entry.month),
        on=entry.date_of_score or month_end(entry.month), band_thresholds=score.band_thresholds,
    )
    triggers = policy_triggers(band=score.band, extra_duty_hours=entry.extra_duty_hours, panel=panel,
                               previous_band=previous_month_band(worker_id=entry.worker_id, month=entry.month))
    return triggers, required_reason_errors(entry=entry, triggers=triggers, panel=panel)


def submit_problems() -> tuple[dict, dict, Counter]:
    """(entry -> errors entry_submit would raise, entry -> (reasons filled, reasons triggered) where they
    differ, how often each trigger fired) over every submitted or countersigned entry."""
    errors, mismatched, seen = {}, {}, Counter()
    entries = ProformaEntry.objects.filter(status__in=SUBMITTED_STATUSES).select_related(
        "worker", "team", "scheme_version")
    for entry in entries:
        triggers, problems = submit_check(entry)
        seen.update(triggers)
        if problems:
            errors[entry.pk] = problems
        filled = {name for name in REASON_FIELDS if getattr(entry, name) not in ("", None)}
        wanted = {name for name, trigger in REASON_FIELDS.items() if trigger in triggers}
        if filled != wanted:
            mismatched[entry.pk] = (sorted(filled), sorted(wanted))
    return errors, mismatched, seen


def next_due_problems() -> list[tuple]:
    """Worker sessions whose next_due is not what session_record would store: the rule's date for a held one,
    the last held one's due date for one that did not take place."""
    problems = []
    sessions = SupervisionSession.objects.filter(kind=SessionKind.WORKER).select_related("worker").order_by(
        "worker_id", "held_on", "pk")
    last_due = {}
    for session in sessions:
        if session.held:
            expected = supervision_next_due(worker=session.worker, held_on=session.held_on)
            last_due[session.worker_id] = expected
        else:
            expected = last_due.get(session.worker_id, session.held_on)
        if session.next_due != expected:
            problems.append((session.pk, session.held, session.held_on, session.next_due, expected))
    return problems


def date_of_score_problems() -> list[int]:
    """Entries not dated by, and linked to, the latest held worker supervision of their month (as entry_start
    picks it)."""
    latest = {}
    for session in SupervisionSession.objects.filter(held=True, kind=SessionKind.WORKER).order_by("held_on", "pk"):
        latest[(session.worker_id, session.held_on.replace(day=1))] = session
    return [
        entry.pk for entry in ProformaEntry.objects.all()
        if latest.get((entry.worker_id, entry.month)) is None
        or (entry.session_id, entry.date_of_score) != (latest[(entry.worker_id, entry.month)].pk,
                                                       latest[(entry.worker_id, entry.month)].held_on)
    ]


def hash_problems() -> list[int]:
    """Submitted entries (disputed ones too) whose stored hash is not supervision.hashing's over the stored
    row and lines, and countersignatures or submission audits that record another hash."""
    problems = []
    for entry in ProformaEntry.objects.exclude(status=EntryStatus.DRAFT):
        lines = EntryLine.objects.filter(entry=entry).order_by("position", "pk")
        if entry.content_hash != content_hash(entry, lines):
            problems.append(entry.pk)
    for signature in Countersignature.objects.select_related("entry"):
        if signature.content_hash != signature.entry.content_hash:
            problems.append(signature.entry_id)
    for event in AuditEvent.objects.filter(action="entry.submitted").select_related("entry"):
        if event.data["content_hash"] != event.entry.content_hash:
            problems.append(event.entry_id)
    return problems


def no_proforma_entries() -> int:
    return ProformaEntry.objects.filter(
        Q(position__in=NO_PROFORMA_POSITIONS) | Q(worker__position__in=NO_PROFORMA_POSITIONS)).count()


# --- the demo ------------------------------------------------------------------------------------------


def test_every_submitted_demo_entry_passes_the_submit_checks_with_reasons_only_where_triggered(demo):
    errors, mismatched, seen = submit_problems()
    assert errors == {}
    assert mismatched == {}
    # the demo shows every reason a month can need
    assert set(seen) == set(REASON_FIELDS.values())


def test_demo_reasons_are_plain_english_and_varied(demo):
    entries = list(ProformaEntry.objects.filter(status__in=SUBMITTED_STATUSES))
    deviation = {e.deviation_reason for e in entries if e.deviation_reason}
    over_max = {e.over_max_reason for e in entries if e.over_max_reason}
    high = {e.high_priorities for e in entries if e.high_priorities}
    every_deviation = {text for texts in names.DEVIATION_REASONS.values() for text in texts}
    assert deviation <= every_deviation and len(deviation) >= 8
    assert over_max <= set(names.OVER_MAX_REASONS) and len(over_max) >= 3
    assert high <= set(names.HIGH_PRIORITIES) and len(high) >= 3
    assert {e.over_capacity_reason for e in entries if e.over_capacity_reason} <= set(names.OVER_CAPACITY_REASONS)
    assert {e.remedial_action for e in entries if e.remedial_action} <= set(names.REMEDIAL_ACTIONS)
    # dates agreed in supervision come after it: the time limit, its review, the Demanding end date
    for e in entries:
        if e.over_max_until:
            assert e.date_of_score < e.over_max_review_on <= e.over_max_until, e.pk
        if e.demanding_until:
            assert e.demanding_until > e.date_of_score, e.pk
    assert all(e.workload_manageable is not None and e.workload_comment for e in entries)


def test_held_sessions_record_the_rules_next_due_and_follow_it(demo):
    assert next_due_problems() == []
    held = list(SupervisionSession.objects.filter(held=True, kind=SessionKind.WORKER).order_by("worker_id", "held_on"))
    # ASYE weekly, then fortnightly; everyone else monthly (same day next month, clamped to its end)
    assert {7, 14, 30, 31} <= {(s.next_due - s.held_on).days for s in held} <= {7, 14, 28, 29, 30, 31}
    by_worker = defaultdict(list)
    for session in held:
        by_worker[session.worker_id].append(session)
    # each next supervision is held by two weeks after it was due (a cancelled one is rearranged within days)
    late = [(a.pk, b.held_on - a.next_due) for sessions in by_worker.values() for a, b in zip(sessions, sessions[1:], strict=False)
            if b.held_on > a.next_due + timedelta(days=14)]
    assert late == []
    assert SupervisionSession.objects.filter(held=False).exists()


def test_each_demo_entry_is_dated_by_and_linked_to_a_held_supervision_of_its_month(demo):
    assert date_of_score_problems() == []
    assert not ProformaEntry.objects.filter(session=None).exists()


def test_students_and_managers_have_no_proforma_but_are_supervised(demo):
    assert list(Worker.objects.filter(position__in=NO_PROFORMA_POSITIONS).values_list("position", flat=True)) == [
        "student"]
    assert no_proforma_entries() == 0
    assert SupervisionSession.objects.filter(worker__position="student", held=True).exists()


def test_asye_status_is_worker_is_asye_on_everywhere_including_an_extended_asye(demo):
    entries = list(ProformaEntry.objects.select_related("worker", "scheme_version"))
    for entry in entries:
        asye = entry.worker.is_asye_on(entry.date_of_score)
        slug = entry.scheme_version.slug
        if slug == NOTTS:
            assert ("nqsw_asye" in entry.personal) == asye, entry.pk
        elif slug == SWINDON:
            assert (entry.grade == "nqsw") == asye, entry.pk
        elif slug == WARRINGTON:
            assert (entry.grade == "asye") == asye, entry.pk
    assert {e.worker.is_asye_on(e.date_of_score) for e in entries if e.scheme_version.slug == NOTTS} == {True, False}
    # an ASYE extended past its twelve months stays ASYE to the completion date: element and fortnightly
    extended = Worker.objects.get(asye_completed__isnull=False)
    twelve = extended.asye_start.replace(year=extended.asye_start.year + 1)
    assert (extended.position, extended.team.code, extended.asye_until()) == (
        "social_worker", "CIC1", extended.asye_completed)
    assert extended.asye_completed > twelve
    extension = [e for e in entries if e.worker_id == extended.pk and twelve <= e.date_of_score < extended.asye_completed]
    assert extension and all("nqsw_asye" in e.personal for e in extension)
    sessions = extended.sessions.filter(held=True, held_on__gte=twelve, held_on__lt=extended.asye_completed)
    assert {(s.next_due - s.held_on).days for s in sessions} == {14}
    after = [e for e in entries if e.worker_id == extended.pk and e.date_of_score >= extended.asye_completed]
    assert after and not any("nqsw_asye" in e.personal for e in after)


def test_stored_hashes_are_the_apps_hash_of_the_stored_rows(demo):
    assert hash_problems() == []
    assert ProformaEntry.objects.filter(status=EntryStatus.SUBMITTED).exists()
    assert set(ProformaEntry.objects.filter(status=EntryStatus.DRAFT).values_list("content_hash", flat=True)) == {""}


def test_older_demo_escalations_were_acted_on_through_the_services_and_newer_ones_wait(demo):
    """R04: an escalation is not left for months with nobody acting. The older ones carry the head of service's
    agreement (still in force) and the team manager's action plan, as events; the newest still wait."""
    from reporting.models import Escalation, EscalationKind, EscalationState
    from workload.models import CaseloadSnapshot

    latest = CaseloadSnapshot.objects.order_by("-taken_on").values_list("taken_on", flat=True).first()
    still_open = Escalation.objects.filter(closed_on__isnull=True)
    assert not still_open.filter(state=EscalationState.OPEN, due_on__lt=latest - timedelta(days=14)).exists()
    agreed = still_open.filter(kind=EscalationKind.HOS_AGREEMENT, state=EscalationState.AGREED)
    assert agreed.exists() and all(e.agreed_until > latest for e in agreed)
    for escalation in agreed:
        assert {"agreed", "action_plan"} <= set(escalation.events.values_list("action", flat=True))
        assert escalation.review_on is not None
    assert still_open.filter(state=EscalationState.OPEN).exists()  # the demo still shows work to do


def test_the_people_the_readme_names_are_in_the_demo(demo):
    bell = Worker.objects.get(user__username="sw.samantha.bell")
    old, new = bell.memberships.select_related("team").order_by("start")
    move = add_months(timezone.localdate().replace(day=1), -4)
    assert (old.team.code, old.end, new.team.code, new.start, new.end, bell.team.code) == (
        "CP1", move - timedelta(days=1), "DA1", move, None, "DA1")
    teams = dict(bell.entries.values_list("month", "team__code"))
    assert {team for month, team in teams.items() if month < move} == {"CP1"}
    assert {team for month, team in teams.items() if month >= move} == {"DA1"}
    assert len([month for month in teams if month < move]) == 7  # every month of the history before the move
    adams = Worker.objects.get(user__username="sw.michelle.adams")
    student = Worker.objects.get(user__username="sw.shabana.edwards")
    assert (adams.team.code, adams.position, student.team.code, student.position) == (
        "DA1", "social_worker", "DA1", "student")
    assert not Worker.objects.filter(user__username="sw.ellie.taylor").exists()


# --- seed_large: the same generator, the same rules ------------------------------------------------------


def test_a_small_seed_large_obeys_the_same_rules(db):
    call_command("seed_large", teams=4, workers=36, children=500, months=4, reset=True, stdout=StringIO())
    errors, mismatched, seen = submit_problems()
    assert (errors, mismatched) == ({}, {})
    assert seen["deviation"] > 0
    assert next_due_problems() == []
    assert date_of_score_problems() == []
    assert no_proforma_entries() == 0
    assert hash_problems() == []
