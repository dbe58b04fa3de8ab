"""The demo and large seeders: the data they write is valid, scored by the engine and internally consistent.

seed_demo runs once for the module inside a transaction that is rolled back at the end; each test then
reads it inside its own savepoint (pytest-django's `db`).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from supervision.hashing import content_hash
from supervision.models import AuditEvent, Countersignature, EntryLine, EntryStatus, ProformaEntry
from workload.models import (
    Allocation,
    AllocationRole,
    Case,
    CaseloadSnapshot,
    Membership,
    SnapshotKind,
    Team,
    TeamScheme,
    TeamSnapshot,
    Worker,
)
from workload.roles import Role
from workload.scoring.engine import score_month
from workload.scoring.inputs import CaseInput, MonthInput, WorkerInput
from workload.scoring.validate import validate_month


def add_months(month, n):
    index = month.year * 12 + month.month - 1 + n
    return month.replace(year=index // 12, month=index % 12 + 1, day=1)




def test_seed_demo_builds_teams_on_several_schemes_with_their_presets(demo):
    assert Team.objects.count() >= 6
    assert TeamScheme.objects.values("team_type").distinct().count() >= 4
    da1 = Team.objects.get(code="DA1")
    scheme = da1.scheme_assignments.get()
    policy = da1.policy_assignments.get()
    first_month = add_months(timezone.localdate().replace(day=1), -11)
    assert (scheme.scheme_version.slug, scheme.team_type, scheme.valid_from) == (
        "nottinghamshire-wlm-2016", "assessment", first_month)
    assert (policy.preset.code, policy.team_type) == ("BARNET_2019", "duty_and_assessment")
    assert set(TeamScheme.objects.values_list("scheme_version__slug", flat=True)) >= {
        "nottinghamshire-wlm-2016", "caseload-count-v1"}
    assert all(t.service_manager_id and t.managers.exists() for t in Team.objects.all())


def test_seed_demo_has_about_45_workers_one_mover_and_one_agency_worker_without_login(demo):
    assert 40 <= Worker.objects.count() <= 50
    movers = Worker.objects.annotate(n=Count("memberships")).filter(n=2)
    assert movers.count() == 1
    mover = movers.get()
    old, new = mover.memberships.order_by("start")
    assert (old.end + timedelta(days=1), new.end, mover.team_id) == (new.start, None, new.team_id)
    assert old.team_id != new.team_id
    assert Worker.objects.filter(employment_type="agency", user=None).count() == 1
    assert Worker.objects.exclude(user=None).count() == Worker.objects.count() - 1
    assert Membership.objects.filter(end=None).count() == Worker.objects.count()


def test_every_role_has_a_user_in_its_group(demo):
    users = get_user_model().objects
    for role in Role:
        assert users.filter(groups__name=role.value).exists(), role
    assert users.get(username="admin").is_superuser
    assert users.get(username="tm.da1").managed_teams.get().code == "DA1"
    assert users.filter(username__startswith="sw.", groups__name=Role.SOCIAL_WORKER).count() == 44
    assert users.get(username="admin").check_password("caseweight-demo")


def test_case_holding_worker_has_a_month_end_snapshot_for_every_completed_month_and_eight_fridays(demo):
    today = timezone.localdate()
    worker = Worker.objects.get(team__code="CIC1", position="senior_practitioner")
    months = [add_months(today.replace(day=1), k) for k in range(-11, 1)]
    # This month's month end has not happened yet; the weekly snapshots cover it (REPORTS §1.1).
    month_ends = {add_months(m, 1) - timedelta(days=1) for m in months[:-1]}
    snapshots = dict(worker.snapshots.values_list("taken_on", "kind"))
    assert {day for day, kind in snapshots.items() if kind == SnapshotKind.MONTH_END} == month_ends
    last_friday = today - timedelta(days=(today.weekday() - 4) % 7)
    fridays = {last_friday - timedelta(weeks=n) for n in range(8)}
    assert {day for day, kind in snapshots.items() if kind == SnapshotKind.WEEKLY} == fridays - month_ends
    assert TeamSnapshot.objects.filter(kind=SnapshotKind.MONTH_END).count() == 11 * Team.objects.count()


def test_snapshot_counts_match_the_allocations_open_that_day(demo):
    day = timezone.localdate().replace(day=1) - timedelta(days=1)  # last month's month end
    open_on = Allocation.objects.current_on(day).select_related("case")
    expected = defaultdict(Counter)
    for a in open_on:
        expected[a.worker_id][a.role] += a.case.children
    for snap in CaseloadSnapshot.objects.filter(taken_on=day):
        counts = expected[snap.worker_id]
        assert (snap.allocated_children, snap.coworked_children, snap.awaiting_allocation_children) == (
            counts[AllocationRole.ALLOCATED], counts[AllocationRole.CO_WORKER], counts[AllocationRole.AWAITING])
    held = set(open_on.values_list("case_id", flat=True))
    for team_snap in TeamSnapshot.objects.filter(taken_on=day):
        waiting = Case.objects.for_team(team_snap.team_id).open_on(day).exclude(pk__in=held)
        assert team_snap.unallocated_children == (waiting.aggregate(n=Sum("children"))["n"] or 0)


_TABLES = {}  # slug -> SchemeTables; each select_related row is a fresh SchemeVersion without its cache


def _rescore(entry: ProformaEntry, lines: list[EntryLine]):
    month = MonthInput(
        scheme=entry.scheme_version.slug,
        team_type=entry.team_type,
        worker=WorkerInput(wte=entry.wte, grade=entry.grade or None, personal=tuple(entry.personal),
                           extra_duty_hours=entry.extra_duty_hours, extras=tuple(entry.extras)),
        cases=tuple(CaseInput(children=ln.children, category=ln.category, factors=tuple(ln.factors),
                              co_worked=ln.co_worked, co_work_share=ln.co_work_share) for ln in lines),
    )
    slug = entry.scheme_version.slug
    if slug not in _TABLES:
        _TABLES[slug] = entry.scheme_version.tables()
    tables = _TABLES[slug]
    validate_month(month, tables)
    return score_month(month=month, tables=tables)


def test_every_scored_entry_equals_a_fresh_score_of_its_lines(demo):
    entries = (ProformaEntry.objects.exclude(status=EntryStatus.DRAFT)
               .select_related("scheme_version").prefetch_related("lines"))
    assert entries.filter(status=EntryStatus.COUNTERSIGNED).count() > 400
    for entry in entries:
        lines = list(entry.lines.all())
        score = _rescore(entry, lines)
        assert (entry.case_points, entry.personal_points, entry.extra_points, entry.total_points, entry.band) == (
            score.case_points, score.personal_points, score.extra_points, score.total_points, score.band), entry.pk
        assert [line.points for line in lines] == [case.points for case in score.cases]
        assert entry.children_count == sum(ln.children for ln in lines if not ln.not_allocated)
    bands = set(entries.filter(scheme_version__slug="nottinghamshire-wlm-2016").values_list("band", flat=True))
    assert bands == {"below_sustainable", "sustainable", "demanding", "high"}


def test_each_countersignature_hashes_exactly_what_was_signed(demo):
    signatures = Countersignature.objects.select_related("entry__worker", "signed_by").prefetch_related("entry__lines")
    assert signatures.count() == ProformaEntry.objects.filter(status=EntryStatus.COUNTERSIGNED).count()
    for signature in signatures:
        entry = signature.entry
        assert signature.content_hash == entry.content_hash == content_hash(entry, list(entry.lines.all()))
        assert signature.typed_name == entry.worker.full_name
        assert signature.signed_at > entry.submitted_at


def test_coworked_lines_score_half_under_nottinghamshire(demo):
    line = (EntryLine.objects.filter(co_worked=True, co_work_share=None, not_allocated=False,
                                     entry__scheme_version__slug="nottinghamshire-wlm-2016", entry__status="countersigned")
            .select_related("entry__scheme_version").first())
    assert line is not None
    alone = EntryLine(children=line.children, category=line.category, factors=line.factors, co_worked=False)
    assert line.points * 2 == _rescore(line.entry, [alone]).cases[0].points
    assert Allocation.objects.filter(role=AllocationRole.CO_WORKER, co_work_share=None).exists()


def test_students_co_work_but_never_hold_an_allocation(demo):
    students = Worker.objects.filter(position="student")
    assert students.exists()
    assert not Allocation.objects.filter(worker__in=students, role=AllocationRole.ALLOCATED).exists()
    assert Allocation.objects.filter(worker__in=students, role=AllocationRole.CO_WORKER).exists()
    assert not ProformaEntry.objects.filter(worker__in=students).exists()


def test_no_case_ever_has_more_than_two_workers_at_once(demo):
    assert not Case.objects.annotate(n=Count("allocations", filter=Q(allocations__end=None))).filter(n__gt=2).exists()
    by_case = defaultdict(list)
    for a in Allocation.objects.only("case_id", "start", "end"):
        by_case[a.case_id].append(a)
    for allocations in by_case.values():
        for a in allocations:
            overlapping = [b for b in allocations if b.start <= a.start and (b.end is None or b.end >= a.start)]
            assert len(overlapping) <= 2


def test_last_month_has_a_disputed_revision_and_this_month_a_mix_of_statuses(demo):
    first = ProformaEntry.objects.get(status=EntryStatus.DISPUTED)
    second = first.superseded_by
    assert (first.revision, first.is_current, second.revision, second.is_current, second.status) == (
        1, False, 2, True, EntryStatus.COUNTERSIGNED)
    assert first.disputes.get().resolved_at == second.submitted_at
    assert first.total_points != second.total_points
    assert set(AuditEvent.objects.filter(entry__in=[first, second]).values_list("action", flat=True)) == {
        "entry.created", "entry.submitted", "entry.disputed", "entry.revised", "entry.countersigned"}
    this_month = timezone.localdate().replace(day=1)
    statuses = Counter(ProformaEntry.objects.filter(month=this_month).values_list("status", flat=True))
    holders = Worker.objects.filter(case_holding=True).count()
    assert statuses[EntryStatus.SUBMITTED] and statuses[EntryStatus.DRAFT]
    assert sum(statuses.values()) < holders  # some not started yet


def test_seed_demo_twice_changes_nothing_and_prints_the_logins_again(demo):
    before = (Team.objects.count(), Worker.objects.count(), ProformaEntry.objects.count(),
              get_user_model().objects.count())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert (Team.objects.count(), Worker.objects.count(), ProformaEntry.objects.count(),
            get_user_model().objects.count()) == before
    assert "already exists" in out.getvalue()
    assert "| tm.da1 " in out.getvalue() and "caseweight-demo" in out.getvalue()
    assert "| tm.da1 " in demo


def test_seed_large_small_run_is_in_proportion(db):
    out = StringIO()
    call_command("seed_large", teams=3, workers=20, children=300, months=3, reset=True, stdout=out)
    assert (Team.objects.count(), Worker.objects.count()) == (3, 20)
    children = Case.objects.aggregate(n=Sum("children"))["n"]
    assert 200 <= children <= 400, children
    # at most one current entry per worker and month; past months complete for case-holders present then
    entries = ProformaEntry.objects.filter(is_current=True)
    assert entries.count() <= 20 * 3
    assert entries.exclude(month=timezone.localdate().replace(day=1)).count() >= 15 * 2
    assert CaseloadSnapshot.objects.filter(kind=SnapshotKind.MONTH_END).values("taken_on").distinct().count() == 2
    assert "total" in out.getvalue() and "Rows:" in out.getvalue()
