"""Starting a worker's month: the pro-forma pre-filled from last month and the allocations, scored at once."""
from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from supervision.audit import audit_event_record
from supervision.entry_scoring import scheme_tables
from supervision.entry_store import (
    EntryScoringError,
    clear_score,
    require_manager,
    save_lines,
    score_into,
    set_counts,
)
from supervision.models import (
    EntryLine,
    ProformaEntry,
    SessionKind,
    SupervisionSession,
)
from supervision.rules import NO_PROFORMA_POSITIONS
from workload.coworking import line_is_co_worked
from workload.models import AllocationRole, EmploymentType, Team, Worker
from workload.selectors import team_policy_on, team_scheme_on, worker_allocation_list, worker_team_in_month
from workload.workdays import month_end


@transaction.atomic
def entry_start(*, worker: Worker, month: date, started_by, ip: str | None = None,
                today: date | None = None, team: Team | None = None) -> ProformaEntry:
    """Start a worker's pro-forma for a month, pre-filled so an unchanged month takes a handful of clicks.

    From the worker record: position, agency, WTE, grade (only for schemes with grades). From last
    month's entry (same scheme and team type): personal elements, extras, extra duties and the standing
    comments (context, action, and end dates still in the future). Lines follow the team type's case basis
    (REPORTS.md 1.1) from the allocations open today (current month) or at month end (past month): each
    case's children and category from the case record, co-worked when the case has two open holders;
    last month's factors are kept for cases still held; closed or transferred cases drop out; new
    allocations are added. Scored at once; a line the scheme cannot score is kept for the TM to fix.

    The entry's team is the team the worker was a member of in that month (dated memberships), not their
    current team: `team` (the team month it was started from) if they were a member of it then, otherwise
    their team on the day the allocations are read."""
    today = today or timezone.localdate()
    team, day = _team_and_day(worker=worker, month=month, today=today, team=team)
    require_manager(started_by, team)
    Worker.objects.select_for_update().filter(pk=worker.pk).first()  # one start at a time per worker
    if ProformaEntry.objects.current().filter(worker=worker, month=month).exists():
        raise ValidationError(f"{worker.full_name}'s pro-forma for {month:%B %Y} has already been started.",
                              code="exists")
    assignment = team_scheme_on(team=team, month=month)
    if assignment is None:
        raise ValidationError(f"{team.name} has no weighting scheme for {month:%B %Y}; an administrator sets one.")
    tables = scheme_tables(assignment.scheme_version)
    policy = team_policy_on(team=team, month=month)
    basis = policy.preset.team_type(policy.team_type).get("case_basis", "A") if policy else "A"

    previous = (
        ProformaEntry.objects.current().filter(worker=worker, month__lt=month)
        .prefetch_related("lines__case").order_by("-month").first()
    )
    carry = previous is not None and (previous.scheme_version_id, previous.team_type) == (
        assignment.scheme_version_id, assignment.team_type)

    entry = _entry_from_worker(worker=worker, team=team, month=month, assignment=assignment, tables=tables,
                               started_by=started_by)
    if carry:
        _carry_standing_fields(entry, previous=previous, tables=tables, month=month)
    _asye_element(entry, worker=worker, tables=tables, day=day)
    entry.session = (
        SupervisionSession.objects.filter(worker=worker, held=True, kind=SessionKind.WORKER,
                                          held_on__range=(month, month_end(month)))
        .order_by("-held_on").first()
    )
    entry.date_of_score = entry.session.held_on if entry.session else (today if day == today else None)
    lines = _prefill_lines(worker=worker, tables=tables, basis=basis, day=day,
                           previous_lines=list(previous.lines.all()) if carry else [])

    scored = True
    try:
        score_into(entry, lines)
    except EntryScoringError:
        scored = False  # kept unscored: the entry page shows the error next to the line
        clear_score(entry, lines)
    set_counts(entry, lines)
    entry.full_clean()
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as exc:  # a concurrent start won the unique constraint
        raise ValidationError(f"{worker.full_name}'s pro-forma for {month:%B %Y} has already been started.",
                              code="exists") from exc
    save_lines(entry, lines)
    audit_event_record(
        actor=started_by, action="entry.started", target=entry, entry=entry, ip=ip,
        data={"lines": len(lines), "carried_from": previous.pk if carry else None, "scored": scored,
              "allocations_on": day.isoformat()},
    )
    return entry


def _entry_from_worker(*, worker: Worker, team: Team, month: date, assignment, tables, started_by) -> ProformaEntry:
    """Field 1 as the worker record stands: position, agency, WTE, and the grade only for schemes with grades."""
    grade = ""
    if tables.accepts_grade:
        grade = worker.grade if worker.grade in tables.grade_specs else (tables.default_grade or "")
    return ProformaEntry(
        worker=worker, team=team, month=month, scheme_version=assignment.scheme_version,
        team_type=assignment.team_type, position=worker.position,
        is_agency=worker.employment_type == EmploymentType.AGENCY, wte=worker.wte, grade=grade, created_by=started_by,
    )


def _carry_standing_fields(entry: ProformaEntry, *, previous: ProformaEntry, tables, month: date) -> None:
    """What was agreed last month and still applies: personal elements, extras, extra duties, the standing
    comments, end dates (Demanding, over the maximum) that have not passed, the priorities agreed for a High
    month and a remedial plan for over capacity."""
    entry.personal = [c for c in previous.personal if c in tables.personal_specs]
    entry.extras = [c for c in previous.extras if c in tables.extra_specs]
    if tables.accepts_extra_duty_hours:
        entry.extra_duty_hours = previous.extra_duty_hours
        entry.extra_duty_explanation = previous.extra_duty_explanation
    entry.workload_context, entry.workload_action = previous.workload_context, previous.workload_action
    if previous.demanding_until and previous.demanding_until >= month:
        entry.demanding_until = previous.demanding_until
    if previous.over_max_until and previous.over_max_until >= month:
        entry.over_max_reason = previous.over_max_reason
        entry.over_max_until, entry.over_max_review_on = previous.over_max_until, previous.over_max_review_on
    # Agreed for a High month or a second month over capacity: the priorities and the remedial plan stand until
    # the manager changes them (the month's own reasons, deviation and over capacity, are asked afresh).
    if previous.band == "high":
        entry.high_priorities = previous.high_priorities
    if previous.band == "over_capacity":
        entry.remedial_action = previous.remedial_action


def _asye_element(entry: ProformaEntry, *, worker: Worker, tables, day: date) -> None:
    """The Nottinghamshire NQSW/ASYE personal element follows ASYE status on the day (Worker.is_asye_on, the
    completion date included), added or dropped whatever last month said."""
    if "nqsw_asye" not in tables.personal_specs:
        return
    if worker.is_asye_on(day) and "nqsw_asye" not in entry.personal and len(entry.personal) < (
            tables.max_personal or 99):
        entry.personal = [*entry.personal, "nqsw_asye"]
    elif not worker.is_asye_on(day) and "nqsw_asye" in entry.personal:
        entry.personal = [c for c in entry.personal if c != "nqsw_asye"]


def _prefill_lines(*, worker: Worker, tables, basis: str, day: date, previous_lines: list[EntryLine]) -> list[EntryLine]:
    """Field 4 from the allocations open on the day, on the team type's case basis (REPORTS.md 1.1: A counts
    allocated cases only; B co-worked and awaiting too): children and category from the case record, last
    month's factors for cases still held, co-worked when the scheme's co-working rule says so. Work on
    someone else's case stays while that case is open; manual lines stay for the manager to remove."""
    roles = {AllocationRole.ALLOCATED} if basis == "A" else {AllocationRole.ALLOCATED, AllocationRole.CO_WORKER,
                                                              AllocationRole.AWAITING}
    carried = {line.case_id: line for line in previous_lines if line.case_id}
    lines: list[EntryLine] = []
    held_cases = set()
    for allocation in worker_allocation_list(worker=worker, day=day):
        if allocation.role not in roles:
            continue
        case = allocation.case
        held_cases.add(case.pk)
        co_worked = line_is_co_worked(
            rules=tables.rules, role=allocation.role,
            other_positions=[a.worker.position for a in allocation.case.open_allocations if a.pk != allocation.pk],
        )
        last = carried.get(case.pk)
        share = None
        if co_worked and tables.accepts_co_work_share:
            share = allocation.co_work_share or (last.co_work_share if last and last.co_worked else None)
        lines.append(EntryLine(
            case=case, reference=case.reference, children=case.children, category=case.category,
            factors=list(last.factors) if last else list(case.factors or []), co_worked=co_worked,
            co_work_share=share, not_allocated=False,
        ))
    for line in previous_lines:
        keep = line.case_id is None or (
            line.not_allocated and line.case_id not in held_cases and line.case.opened <= day
            and (line.case.closed is None or line.case.closed >= day)
        )
        if keep:
            lines.append(EntryLine(
                case_id=line.case_id, reference=line.reference, children=line.children, category=line.category,
                factors=list(line.factors), co_worked=line.co_worked, co_work_share=line.co_work_share,
                not_allocated=line.not_allocated,
            ))
    lines.sort(key=lambda line: (line.not_allocated, line.reference))
    return lines


def _team_and_day(*, worker: Worker, month: date, today: date, team: Team | None) -> tuple[Team, date]:
    """Whether the month can be started for this worker, and in which team: the month has begun, the position
    has a pro-forma, and the worker was a member of the team that month. The day is when allocations are
    read: today in the current month, else the month's end."""
    if month.day != 1:
        raise ValidationError({"month": "A reporting month starts on the 1st."})
    if month > today.replace(day=1):
        raise ValidationError({"month": "A pro-forma cannot be started for a month that has not begun."})
    if worker.position in NO_PROFORMA_POSITIONS:
        # students co-work only and managers hold no cases: neither has a monthly pro-forma (R01, R12)
        raise ValidationError(f"{worker.full_name} is a {worker.get_position_display().lower()}: "
                              "that position has no monthly workload pro-forma.", code="position")
    day = today if month == today.replace(day=1) else month_end(month)
    member_of = worker_team_in_month(worker=worker, month=month, on=day, team=team)
    if member_of is None:
        where = team.name if team is not None else "a team"
        raise ValidationError(f"{worker.full_name} was not a member of {where} in {month:%B %Y}.")
    return member_of, day
