"""The pro-forma workflow services: prefill, edit, submit, countersign, dispute, revise, locking, audit."""
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from supervision.entry_store import EntryConflict, EntryScoringError
from supervision.hashing import content_hash
from supervision.models import AuditEvent, Countersignature, EntryLine, EntryStatus, ProformaEntry, TeamMonth
from supervision.services import entry_countersign, entry_dispute, entry_revise, entry_submit, entry_update
from supervision.team_services import team_month_update
from tests.factories import AllocationFactory, TeamFactory, WorkerFactory
from tests.factories_supervision import (
    allocate,
    completed,
    head_of_service,
    started,
    submitted,
    team_manager,
    worker_with_login,
)
from workload.models import Position
from workload.services import case_close

pytestmark = pytest.mark.django_db
JUNE, JULY = date(2025, 6, 1), date(2025, 7, 1)


def line_rows(entry):
    return [(line.reference, line.children, line.category, line.factors, line.co_worked, line.points)
            for line in entry.lines.order_by("position", "pk")]


def lines_of(entry, **changes_by_reference):
    rows = []
    for line in entry.lines.order_by("position", "pk"):
        row = {"case_id": line.case_id, "reference": line.reference, "children": line.children,
               "category": line.category, "factors": list(line.factors), "co_worked": line.co_worked,
               "co_work_share": line.co_work_share, "not_allocated": line.not_allocated}
        row.update(changes_by_reference.get(line.reference, {}))
        rows.append(row)
    return rows


@pytest.fixture
def setting(db):
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    worker = worker_with_login(team)
    return team, manager, worker


# ----------------------------------------------------------------------------------------- prefill


def test_entry_start_prefills_from_allocations_and_scores(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1", children=4, category="s47_icpc")
    allocate(worker, reference="F-2", children=1, category="cin_stable")

    entry = started(worker, manager, JULY)

    assert line_rows(entry) == [
        ("F-1", 4, "s47_icpc", [], False, Decimal("21.000")),  # SCHEMES §3.8: 15 + 3 × 2
        ("F-2", 1, "cin_stable", [], False, Decimal("2.000")),
    ]
    assert (entry.total_points, entry.band, entry.children_count, entry.family_groups) == (
        Decimal("23"), "below_sustainable", 5, 2)
    assert (entry.status, entry.position, entry.wte, entry.grade) == (EntryStatus.DRAFT, worker.position,
                                                                      Decimal("1.00"), "")
    assert entry.band_thresholds == {"sustainable_min": "75", "sustainable_max": "95", "demanding_max": "110"}


def test_entry_start_carries_open_cases_drops_closed_and_adds_new(setting):
    team, manager, worker = setting
    kept = allocate(worker, reference="F-KEEP", children=2, category="cp_stable")
    closing = allocate(worker, reference="F-CLOSE")
    june = started(worker, manager, JUNE, today=date(2025, 6, 20))
    entry_update(entry=june, expected_lock_version=june.lock_version, updated_by=manager, fields={},
                 lines=lines_of(june, **{"F-KEEP": {"factors": ["interpreter"]}}))
    case_close(case=closing, closed=date(2025, 7, 10))
    allocate(worker, reference="F-NEW", category="s17_assessment", start=date(2025, 7, 5), opened=date(2025, 7, 5))

    july = started(worker, manager, JULY)

    assert [(ref, factors) for ref, _c, _cat, factors, _co, _p in line_rows(july)] == [
        ("F-KEEP", ["interpreter"]),  # still held: last month's factors carried forward
        ("F-NEW", []),  # allocated in July: added from the case record
    ]  # F-CLOSE closed on 10 July: dropped
    assert july.lines.get(reference="F-KEEP").case_id == kept.pk
    assert AuditEvent.objects.get(entry=july, action="entry.started").data["carried_from"] == june.pk


def test_entry_start_marks_shared_cases_co_worked_with_their_share(setting):
    team, manager, worker = setting
    case = allocate(worker, reference="F-SHARED", children=1, category="cp_stable", share=Decimal("0.3"))
    AllocationFactory(case=case, worker=WorkerFactory(team=team))

    entry = started(worker, manager, JULY)

    line = entry.lines.get()
    assert (line.co_worked, line.co_work_share, line.points) == (True, Decimal("0.300"), Decimal("1.500"))


def test_entry_start_carries_personal_elements_and_follows_asye_status(setting):
    team, manager, worker = setting
    worker.position, worker.asye_start = Position.ASYE, date(2025, 3, 3)
    worker.save()

    entry = started(worker, manager, JULY)

    assert (entry.personal, entry.personal_points) == (["nqsw_asye"], Decimal("10"))


def test_entry_start_refuses_a_second_start_and_a_future_month(setting):
    team, manager, worker = setting
    started(worker, manager, JULY)
    with pytest.raises(ValidationError, match="already been started"):
        started(worker, manager, JULY)
    with pytest.raises(ValidationError, match="has not begun"):
        started(worker, manager, date(2025, 9, 1))


def test_entry_start_by_a_manager_of_another_team_is_refused(setting):
    team, manager, worker = setting
    other_manager = team_manager(TeamFactory())
    with pytest.raises(PermissionDenied):
        started(worker, other_manager, JULY)


# ----------------------------------------------------------------------------------------- editing


def test_entry_update_rescores_and_refuses_content_the_scheme_rejects(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1", children=4, category="s47_icpc")
    entry = started(worker, manager, JULY)

    entry = entry_update(entry=entry, expected_lock_version=0, updated_by=manager,
                         fields={"extra_duty_hours": Decimal("6")},
                         lines=lines_of(entry, **{"F-1": {"factors": ["interpreter"]}}))
    assert (entry.case_points, entry.extra_points, entry.total_points, entry.lock_version) == (
        Decimal("22"), Decimal("3"), Decimal("25"), 1)

    with pytest.raises(EntryScoringError) as caught:
        entry_update(entry=entry, expected_lock_version=1, updated_by=manager, fields={},
                     lines=lines_of(entry, **{"F-1": {"category": "no_such_category"}}))
    assert caught.value.field == "cases[0].category"
    entry.refresh_from_db()
    assert (entry.lock_version, entry.total_points) == (1, Decimal("25"))  # nothing written


def test_a_stale_save_is_refused_and_leaves_the_newer_data(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1")
    entry = started(worker, manager, JULY)
    first = ProformaEntry.objects.get(pk=entry.pk)
    second = ProformaEntry.objects.get(pk=entry.pk)

    entry_update(entry=first, expected_lock_version=0, updated_by=manager,
                 fields={"workload_comment": "First manager's words"}, lines=lines_of(first))
    with pytest.raises(EntryConflict, match=r"Someone else saved this pro-forma at \d\d:\d\d; your changes "
                                            r"were not saved\. Reload to see their version\."):
        entry_update(entry=second, expected_lock_version=0, updated_by=manager,
                     fields={"workload_comment": "Second manager's words"}, lines=[])

    entry.refresh_from_db()
    assert (entry.workload_comment, entry.lock_version, entry.lines.count()) == ("First manager's words", 1, 1)


# ------------------------------------------------------------------------------------------ submit


def test_entry_submit_stores_score_and_content_hash(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1", children=4, category="s47_icpc")
    entry = completed(started(worker, manager, JULY), manager)

    entry_submit(entry=entry, submitted_by=manager, ip="192.0.2.7")

    entry.refresh_from_db()
    lines = list(EntryLine.objects.filter(entry=entry).order_by("position", "pk"))
    assert (entry.status, entry.total_points, entry.band, entry.submitted_by) == (
        EntryStatus.SUBMITTED, Decimal("21"), "below_sustainable", manager)
    assert entry.content_hash == content_hash(entry, lines)
    assert len(entry.content_hash) == 64


def test_entry_submit_needs_field_7_and_the_reasons_the_band_triggers(setting):
    team, manager, worker = setting
    for n in range(5):  # 5 × (15 + 3 × 2) = 105: Demanding at WTE 1
        allocate(worker, reference=f"F-{n}", children=4, category="s47_icpc")
    entry = started(worker, manager, JULY)
    entry = entry_update(entry=entry, expected_lock_version=0, updated_by=manager,
                         fields={"extra_duty_hours": Decimal("2")}, lines=lines_of(entry))

    with pytest.raises(ValidationError) as caught:
        entry_submit(entry=entry, submitted_by=manager)

    assert set(caught.value.message_dict) == {
        "workload_manageable", "workload_comment", "demanding_until", "extra_duty_explanation", "deviation_reason",
        "date_of_score",
    }  # 20 children: above the expected 14.4-17.6 (R06) but not over the maximum 22; no session in July
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT


def test_a_high_band_needs_agreed_priorities(setting):
    team, manager, worker = setting
    for n in range(6):  # 6 × 21 = 126: High
        allocate(worker, reference=f"F-{n}", children=4, category="s47_icpc")
    entry = completed(started(worker, manager, JULY), manager)
    with pytest.raises(ValidationError) as caught:
        entry_submit(entry=entry, submitted_by=manager)
    assert "high_priorities" in caught.value.message_dict
    assert "demanding_until" not in caught.value.message_dict

    entry.refresh_from_db()
    entry = completed(entry, manager, high_priorities="Court work first; two CIN cases to close.",
                      deviation_reason="Agreed: covering a vacancy until September.",
                      over_max_reason="Vacancy cover", over_max_until=date(2025, 9, 30),
                      over_max_review_on=date(2025, 8, 15))
    entry = entry_submit(entry=entry, submitted_by=manager)
    assert (entry.status, entry.band) == (EntryStatus.SUBMITTED, "high")


# --------------------------------------------------------------------------------- countersignature


def test_countersign_refuses_another_user_a_draft_and_a_wrong_name(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1")
    entry = started(worker, manager, JULY)
    with pytest.raises(ValidationError, match="not awaiting your signature"):
        entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker")
    entry = submitted(entry, manager)
    other = worker_with_login(team, first_name="Kim", surname="Other")

    with pytest.raises(PermissionDenied):
        entry_countersign(entry=entry, user=other.user, typed_name="Sam Worker")
    with pytest.raises(PermissionDenied):
        entry_countersign(entry=entry, user=manager, typed_name="Sam Worker")
    with pytest.raises(ValidationError) as caught:
        entry_countersign(entry=entry, user=worker.user, typed_name="Sam Walker")
    assert list(caught.value.message_dict) == ["typed_name"]
    assert not Countersignature.objects.exists()


def test_countersign_records_name_time_ip_and_the_submitted_hash(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1")
    entry = submitted(started(worker, manager, JULY), manager)

    signature = entry_countersign(entry=entry, user=worker.user, typed_name="  sam   WORKER ", ip="198.51.100.4",
                                  worker_comment="Agreed.")

    entry.refresh_from_db()
    assert (signature.typed_name, signature.ip_address, signature.content_hash, signature.signed_by) == (
        "sam WORKER", "198.51.100.4", entry.content_hash, worker.user)
    assert (entry.status, entry.worker_comment) == (EntryStatus.COUNTERSIGNED, "Agreed.")


def test_a_content_change_after_submission_cannot_be_signed(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1")
    entry = submitted(started(worker, manager, JULY), manager)
    EntryLine.objects.filter(entry=entry).update(children=3)  # tampering outside the workflow

    with pytest.raises(ValidationError, match="changed after it was submitted"):
        entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker")


def test_dispute_then_revise_resubmit_and_countersign(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1", children=2, category="cin_unstable")
    entry = submitted(started(worker, manager, JULY), manager)
    with pytest.raises(ValidationError):
        entry_dispute(entry=entry, user=worker.user, reason="   ")

    dispute = entry_dispute(entry=entry, user=worker.user, reason="F-1 is now a CP case.")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DISPUTED
    entry = entry_update(entry=entry, expected_lock_version=entry.lock_version, updated_by=manager, fields={},
                         lines=lines_of(entry, **{"F-1": {"category": "cp_unstable"}}))
    entry = entry_submit(entry=entry, submitted_by=manager)
    entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker")

    entry.refresh_from_db()
    dispute.refresh_from_db()
    assert (entry.status, entry.total_points, dispute.resolved_at is not None) == (
        EntryStatus.COUNTERSIGNED, Decimal("12"), True)  # cp_unstable: 10 + 1 × 2
    assert [e.action for e in AuditEvent.objects.filter(entry=entry).order_by("at", "pk")] == [
        "entry.started", "entry.updated", "entry.submitted", "entry.disputed", "entry.updated", "entry.submitted",
        "entry.countersigned",
    ]


def test_a_countersigned_entry_is_immutable_and_a_revision_keeps_it(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1")
    entry = submitted(started(worker, manager, JULY), manager)
    entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker")
    entry.refresh_from_db()
    signed_hash = entry.content_hash

    with pytest.raises(ValidationError, match="countersigned pro-forma cannot be changed"):
        entry_update(entry=entry, expected_lock_version=entry.lock_version, updated_by=manager,
                     fields={"workload_comment": "changed"}, lines=[])
    with pytest.raises(ValidationError):
        entry_revise(entry=entry, revised_by=manager, reason="")

    revision = entry_revise(entry=entry, revised_by=manager, reason="Wrong category on F-1", ip="10.1.1.1")
    revision = entry_update(entry=revision, expected_lock_version=0, updated_by=manager, fields={},
                            lines=lines_of(revision, **{"F-1": {"category": "cp_stable"}}))

    entry.refresh_from_db()
    old_lines = list(entry.lines.order_by("position", "pk"))
    assert (entry.is_current, entry.status, entry.total_points) == (False, EntryStatus.COUNTERSIGNED, Decimal("2"))
    assert content_hash(entry, old_lines) == signed_hash == entry.countersignature.content_hash
    assert (revision.revision, revision.status, revision.supersedes_id, revision.total_points) == (
        2, EntryStatus.DRAFT, entry.pk, Decimal("5"))
    with pytest.raises(ValidationError, match="superseded"):
        entry_update(entry=entry, expected_lock_version=entry.lock_version, updated_by=manager, fields={}, lines=[])
    with pytest.raises(ValidationError, match="superseded"):
        entry_revise(entry=entry, revised_by=manager, reason="again")


def test_every_transition_is_audited_with_actor_and_ip(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1")
    entry = started(worker, manager, JULY)
    entry = completed(entry, manager)
    entry = entry_submit(entry=entry, submitted_by=manager, ip="203.0.113.9")
    entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker", ip="198.51.100.4")
    revision = entry_revise(entry=entry, revised_by=manager, reason="Correction", ip="203.0.113.9")

    events = [(e.action, e.actor, e.ip_address, e.entry_id) for e in AuditEvent.objects.order_by("at", "pk")]
    assert events == [
        ("entry.started", manager, "10.0.0.1", entry.pk),
        # the date of score is the supervision: saving it records the session (not entered twice)
        ("session.recorded", manager, "10.0.0.1", None),
        ("entry.updated", manager, "10.0.0.1", entry.pk),
        ("entry.submitted", manager, "203.0.113.9", entry.pk),
        ("entry.countersigned", worker.user, "198.51.100.4", entry.pk),
        ("entry.superseded", manager, "203.0.113.9", entry.pk),
        ("entry.revised", manager, "203.0.113.9", revision.pk),
    ]
    submitted_event = AuditEvent.objects.get(action="entry.submitted")
    assert submitted_event.data["content_hash"] == entry.content_hash


# ------------------------------------------------------------------------------------- team month


def test_team_month_update_is_locked_and_the_csm_comment_needs_a_head_of_service(setting):
    team, manager, worker = setting
    hos = head_of_service(team.service_area)
    fields = {"manager_comment": "All supervised.", "service_manager_comment": "", "suggestions": "",
              "unallocated_cases": 5}

    saved = team_month_update(team=team, month=JULY, updated_by=manager, expected_lock_version=0, **fields)
    assert (saved.manager_comment, saved.unallocated_cases, saved.lock_version) == ("All supervised.", 5, 1)
    with pytest.raises(PermissionDenied):
        team_month_update(team=team, month=JULY, updated_by=manager, expected_lock_version=1,
                          **{**fields, "service_manager_comment": "Extra support agreed."})
    with pytest.raises(EntryConflict, match="Someone else saved this team pro-forma"):
        team_month_update(team=team, month=JULY, updated_by=hos, expected_lock_version=0,
                          **{**fields, "service_manager_comment": "Extra support agreed."})
    team_month_update(team=team, month=JULY, updated_by=hos, expected_lock_version=1,
                      **{**fields, "service_manager_comment": "Extra support agreed."})
    assert TeamMonth.objects.get(team=team, month=JULY).service_manager_comment == "Extra support agreed."


def test_entry_submit_needs_a_date_of_score_inside_the_month(setting):
    team, manager, worker = setting
    allocate(worker, reference="F-1")
    entry = completed(started(worker, manager, JULY), manager, date_of_score=date(2025, 8, 1))

    with pytest.raises(ValidationError) as caught:
        entry_submit(entry=entry, submitted_by=manager)
    assert caught.value.message_dict == {"date_of_score": ["The date of score must be in July 2025."]}

    entry.refresh_from_db()
    entry = submitted(entry, manager, date_of_score=date(2025, 7, 31))  # the month's last day is inside it
    assert (entry.status, entry.date_of_score) == (EntryStatus.SUBMITTED, date(2025, 7, 31))
