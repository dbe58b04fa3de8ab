"""One pro-forma as the manager fills it in: its lines, its score, field 3 (capacity) and fields 7 and 8 (reasons).

Scored by supervision.entry_store.score_into and checked with supervision.rules, as entry_submit checks it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from supervision.entry_store import score_into, set_counts
from supervision.models import EntryLine, EntryStatus, ProformaEntry, SupervisionSession
from supervision.rules import caseload_panel, policy_triggers, required_reason_errors
from workload.coworking import line_is_co_worked
from workload.models import Position

from . import names
from .catalogue import NOTTS, SWINDON, WARRINGTON, TeamTemplate
from .grades import grade_for
from .people import SimWorker
from .simulate import AWAITING, CO_WORKER
from .state import BuildState


@dataclass(eq=False)
class EntryPlan:
    worker: SimWorker
    team: int
    month: date
    day: date
    status: str
    session: SupervisionSession
    lines: list[EntryLine]
    previous: ProformaEntry | None = None  # the worker's entry of the month before, if any
    dispute_line: EntryLine | None = None
    entry: ProformaEntry | None = None
    first: ProformaEntry | None = None
    first_lines: list[EntryLine] = field(default_factory=list)
    raised_at: datetime | None = None


class EntryStage(BuildState):
    """Builds one pro-forma (lines, score, capacity, reasons); ProformaStage writes them."""

    def _lines(self, w: SimWorker, allocs, day: date) -> list[EntryLine]:
        """The pro-forma's lines: the worker's allocations open on the day (REPORTS.md §1.1, REP-24)."""
        seat = w.seat_on(day)
        template = self.teams[seat.team].template
        cases = self.factory.cases
        lines = []
        for a in allocs:
            if not (a.start <= day and (a.end is None or a.end >= day)) or a.role == AWAITING:
                continue
            if a.role == CO_WORKER and not template.lists_cowork_lines:
                continue  # caseload count: case basis A lists allocated cases only
            case = cases[a.case]
            others = [o for o in case.allocs if o is not a and o.start <= day and (o.end is None or o.end >= day)]
            shared = line_is_co_worked(
                rules=self._tables(template.scheme).rules, role=a.role,
                other_positions=[self.workers[o.worker].position for o in others],
            )
            share = a.share if shared and template.scheme in (NOTTS, WARRINGTON) else None
            lines.append(EntryLine(
                case_id=self.case_rows[a.case].pk, reference=case.reference,
                children=case.children, category=case.category, factors=list(case.factors), co_worked=shared,
                co_work_share=share, not_allocated=a.role == CO_WORKER,
            ))
        lines.sort(key=lambda line: (line.not_allocated, line.reference))  # as supervision's entry_start orders them
        for position, line in enumerate(lines):
            line.position = position
        return lines

    def _entry(self, rng, plan: EntryPlan, *, revision: int = 1, lines: list[EntryLine] | None = None,
               count: bool = True) -> ProformaEntry:
        w, team = plan.worker, self.teams[plan.team]
        template = team.template
        lines = plan.lines if lines is None else lines
        tm = self.tms[plan.team]
        personal, hours, explanation, extras = self._capacity(w, template, plan.day)
        entry = ProformaEntry(
            worker_id=self.worker_rows[w.idx].pk, team_id=self.team_rows[plan.team].pk, month=plan.month,
            revision=revision, is_current=True, status=plan.status, scheme_version=self.versions[template.scheme],
            team_type=template.team_type, position=w.position, is_agency=w.agency, wte=w.wte,
            grade=grade_for(w, template.scheme, plan.day), date_of_score=plan.day, session_id=plan.session.pk,
            personal=personal, extra_duty_hours=hours, extra_duty_explanation=explanation, extras=extras,
            created_by_id=tm.pk,
        )
        # Scored and counted by the app's own functions, so the stored figures are the ones the editor stores.
        # Generated input is valid by construction: a scoring error here is a generator bug and fails loudly.
        score = score_into(entry, lines)
        set_counts(entry, lines)
        if plan.status == EntryStatus.DRAFT:  # scored as the editor would show it; not yet commented or submitted
            return entry
        if count:
            self.bands[entry.band] += 1
        self._reasons(rng, entry, plan, lines, score)
        entry.submitted_at = self.at(plan.day, rng.randint(10, 15), rng.randint(0, 59))
        entry.submitted_by_id = tm.pk
        return entry

    def _capacity(self, w: SimWorker, template: TeamTemplate, day: date):
        """Field 3: personal elements, extra duties and extras as the scheme knows them."""
        personal: list[str] = []
        extras: list[str] = []
        hours, explanation = Decimal(0), ""
        if template.scheme == NOTTS:
            if w.is_asye_on(day):  # Worker.is_asye_on: to the completion date when that is later (REPORTS 1.2)
                personal.append("nqsw_asye")
            if w.position == "trainee":
                personal.append("trainee_non_term" if day.month in (7, 8) else "trainee_term_time")
            if w.practice_educator:
                personal.append("practice_educator")
            if w.extra_duty_hours and (day.month + w.idx) % 3:  # extra duties in two months out of three
                hours, explanation = w.extra_duty_hours, w.extra_duty_explanation
        elif template.scheme == SWINDON:
            if w.extra_duty:
                extras.append("group_work")
            if grade_for(w, SWINDON, day) == "higher_specialist" and day.month % 2:
                extras.append("higher_specialist_psw")
        elif template.scheme == WARRINGTON:
            if w.extra_duty:
                extras.append("foster_panel_member")
            if w.practice_educator:
                extras.append("practice_teaching")
        if template.scheme in (SWINDON, WARRINGTON):
            extras += [code for code in w.extras if code not in extras]
        return personal[:2], hours, explanation, extras

    def _reasons(self, rng, entry: ProformaEntry, plan: EntryPlan, lines: list[EntryLine], score) -> None:
        """Fields 7 and 8 as the manager records them in supervision before submitting.

        Which reasons the month needs is decided by the app's own rules (supervision.rules), on the same inputs
        entry_submit gives them; the demo holds no capacity reductions (R25), so there are none to pass. Only
        the triggered reasons are filled, and a reason still blank afterwards is a generator bug."""
        w = plan.worker
        previous = plan.previous
        panel = caseload_panel(
            worker=self.worker_rows[w.idx], wte=entry.wte, position=entry.position, lines=lines,
            policy=self.policy_rows[plan.team], reductions=(), on=entry.date_of_score,
            band_thresholds=score.band_thresholds,
        )
        triggers = policy_triggers(band=score.band, extra_duty_hours=entry.extra_duty_hours, panel=panel,
                                   previous_band=previous.band if previous else None)
        day = entry.date_of_score
        if triggers & {"over_max", "high", "over_capacity"}:
            entry.workload_manageable = False
            entry.workload_comment = rng.choice(names.COMMENTS_STRETCHED)
            entry.workload_action = rng.choice(names.ACTIONS_HIGH)
        elif "demanding" in triggers or panel.deviation == "higher":
            entry.workload_manageable = rng.random() < 0.6
            entry.workload_comment = rng.choice(names.COMMENTS_STRETCHED)
        else:
            entry.workload_manageable = True
            entry.workload_comment = rng.choice(names.COMMENTS_MANAGEABLE)
        if "deviation" in triggers:
            asye = entry.position == Position.ASYE or self.worker_rows[w.idx].is_asye_on(day)
            entry.deviation_reason = rng.choice(names.DEVIATION_REASONS[("asye" if asye else "qualified",
                                                                          panel.deviation)])
        if "over_max" in triggers:
            # as entry_start carries them: last month's reason and time limit while the limit has not passed
            if previous and previous.over_max_until and previous.over_max_until >= day:
                entry.over_max_reason, entry.over_max_until = previous.over_max_reason, previous.over_max_until
            else:
                entry.over_max_reason = rng.choice(names.OVER_MAX_REASONS)
                entry.over_max_until = day + timedelta(weeks=rng.choice((6, 8, 10, 12)))
            # reviewed at every monthly supervision (R03): the next one, unless the time limit comes first
            entry.over_max_review_on = min(plan.session.next_due, entry.over_max_until)
        if "demanding" in triggers:
            if previous and previous.demanding_until and previous.demanding_until >= day:
                entry.demanding_until = previous.demanding_until
            else:
                entry.demanding_until = day + timedelta(weeks=rng.choice((6, 8, 10)))
        if "high" in triggers:
            entry.high_priorities = rng.choice(names.HIGH_PRIORITIES)
        if "over_capacity" in triggers:
            entry.over_capacity_reason = rng.choice(names.OVER_CAPACITY_REASONS)
        if "remedial" in triggers:
            entry.remedial_action = rng.choice(names.REMEDIAL_ACTIONS)
        errors = required_reason_errors(entry=entry, triggers=triggers, panel=panel)
        if errors:
            raise RuntimeError(f"Demo pro-forma of {w.full_name} for {entry.month:%B %Y} would fail submit: {errors}")
