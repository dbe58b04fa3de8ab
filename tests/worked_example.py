"""REPORTS.md "Worked example" in the database: team DA1 (BARNET_2019 Duty and Assessment on
nottinghamshire-wlm-2016) on 31 Jan 2025, with the weekly history the escalation dates need, and IP1 for the
authority roll-up. `build()` returns the objects by the example's names; tests assert the example's figures."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from reporting.models import Escalation, EscalationKind, EscalationState
from supervision.hashing import content_hash
from supervision.models import EntryStatus, ProformaEntry, SessionKind, SupervisionSession
from supervision.services import entry_countersign
from tests.factories import TeamFactory, UserFactory, WorkerFactory
from workload.models import (
    Absence,
    AbsenceType,
    CaseloadSnapshot,
    EmploymentType,
    Position,
    ServiceArea,
    SnapshotKind,
    TeamPolicy,
    TeamSnapshot,
)

MONTH = date(2025, 1, 1)
MONTH_END = date(2025, 1, 31)  # Fri 31 Jan 2025: month end and week end
SCHEME = "nottinghamshire-wlm-2016"
SCHEME_TEAM_TYPE = "assessment"
# Fridays of the weekly history: W6 over 22 from Fri 15 Nov 2024 (M18 (b) needs it from there)
WEEKLY = tuple(date(2024, 11, 15) + timedelta(weeks=k) for k in range(11))  # 15 Nov 2024 … 24 Jan 2025

# name: (position, employment, WTE, children on 31 Jan, family groups, ASYE start)
PEOPLE = {
    "TM": (Position.TEAM_MANAGER, EmploymentType.PERMANENT, "1.0", 2, 1, None),
    "W1": (Position.SENIOR_PRACTITIONER, EmploymentType.PERMANENT, "1.0", 16, 9, None),
    "W2": (Position.SOCIAL_WORKER, EmploymentType.AGENCY, "1.0", 24, 13, None),
    "W3": (Position.SOCIAL_WORKER, EmploymentType.PERMANENT, "0.6", 14, 7, None),
    "W4": (Position.ASYE, EmploymentType.PERMANENT, "1.0", 13, 6, date(2024, 9, 2)),
    "W5": (Position.ASYE, EmploymentType.PERMANENT, "0.8", 6, 4, date(2024, 10, 1)),
    "W6": (Position.SOCIAL_WORKER, EmploymentType.PERMANENT, "1.0", 29, 15, None),
    "W7": (Position.SOCIAL_WORKER, EmploymentType.PERMANENT, "1.0", 3, 2, None),
    "S1": (Position.STUDENT, EmploymentType.PERMANENT, "1.0", 0, 0, None),
}
# children before 31 Jan where they differ: W2 first over 22 on Fri 24 Jan, W3 first over 13.2 on Fri 31 Jan
EARLIER = {"W2": {date(2025, 1, 24): 24, None: 20}, "W3": {None: 13}}
# countersigned totals (case + personal + extra) and the band the scheme gives them; W5 awaits countersignature
ENTRIES = {"W1": "88", "W2": "115", "W4": "80", "W6": "121"}
IP1_CHILDREN = (10, 12, 14)


@dataclass
class WorkedExample:
    area: ServiceArea
    da1: object
    ip1: object
    people: dict = field(default_factory=dict)
    ip1_workers: list = field(default_factory=list)
    escalations: dict = field(default_factory=dict)


def band_for(tables, team_type: str, total: Decimal, wte: Decimal) -> str:
    """The band the scheme gives a total (first matching rule, thresholds × WTE), as the engine does."""
    scaled = {key: value * wte for key, value in tables.thresholds_full_time(team_type).items()}
    compare = {"lt": lambda a, b: a < b, "le": lambda a, b: a <= b, "gt": lambda a, b: a > b,
               "ge": lambda a, b: a >= b}
    for rule in tables.bands:
        if rule.op is None:
            return rule.code
        if rule.key in scaled and compare[rule.op](total, scaled[rule.key]):
            return rule.code
    raise AssertionError("no band")


def entry(worker, month: date, total: str | None, *, created_by, children: int = 0) -> ProformaEntry:
    """A current pro-forma submitted with the total and the band the team's scheme gives it (the engine does
    not rescore it), then, when a total is given, countersigned by the worker through the real service (the
    signature, its hash and the audit event); with no total it stays awaiting countersignature."""
    assignment = worker.team.scheme_assignments.select_related("scheme_version").get()
    tables = assignment.scheme_version.tables()
    points = None if total is None else Decimal(total)
    band = "" if points is None else band_for(tables, assignment.team_type, points, worker.wte)
    submitted = ProformaEntry.objects.create(
        worker=worker, team=worker.team, month=month, scheme_version=assignment.scheme_version,
        team_type=assignment.team_type, position=worker.position, wte=worker.wte, created_by=created_by,
        is_agency=worker.employment_type == EmploymentType.AGENCY, status=EntryStatus.SUBMITTED,
        total_points=points, band=band, band_label=tables.band_label(band) if band else "",
        submitted_at=timezone.now(), submitted_by=created_by, children_count=children,
    )
    submitted = ProformaEntry.objects.get(pk=submitted.pk)  # hash what the database holds
    ProformaEntry.objects.filter(pk=submitted.pk).update(content_hash=content_hash(submitted, []))
    if points is not None:
        if worker.user_id is None:
            worker.user = UserFactory(first_name=worker.first_name, last_name=worker.surname)
            worker.save(update_fields=["user"])
        entry_countersign(entry=submitted, user=worker.user, typed_name=worker.full_name)
    return ProformaEntry.objects.get(pk=submitted.pk)


def _children(name: str, day: date) -> int:
    earlier = EARLIER.get(name)
    if earlier is None or day == MONTH_END:
        return PEOPLE[name][3]
    return earlier.get(day, earlier[None])


def build(*, with_ip1: bool = True) -> WorkedExample:
    area = ServiceArea.objects.create(name="Children's Social Care")
    da1 = TeamFactory(name="Duty and Assessment", code="DA1", service_area=area, scheme=(SCHEME, SCHEME_TEAM_TYPE))
    # the example's extra reporting thresholds: 25 (S001) and ASYE 12 (S000)
    TeamPolicy.objects.filter(team=da1).update(overrides={"reporting_thresholds": [22, 25], "asye_limit_cases": 12})
    example = WorkedExample(area=area, da1=da1, ip1=None)
    tm_user = UserFactory(first_name="Tara", last_name="Manager")
    for name, (position, employment, wte, _count, _groups, asye_start) in PEOPLE.items():
        example.people[name] = WorkerFactory(
            team=da1, first_name=name, surname="Example", position=position, employment_type=employment,
            wte=Decimal(wte), asye_start=asye_start, case_holding=position != Position.STUDENT,
            user=tm_user if name == "TM" else None,
        )
    tm = example.people["TM"]
    type(tm).objects.filter(team=da1).exclude(pk=tm.pk).update(supervisor=tm)
    for day in (*WEEKLY, MONTH_END):
        kind = SnapshotKind.MONTH_END if day == MONTH_END else SnapshotKind.WEEKLY
        for name, worker in example.people.items():
            CaseloadSnapshot.objects.create(
                worker=worker, team=da1, taken_on=day, kind=kind, wte=worker.wte,
                allocated_children=_children(name, day), family_groups=PEOPLE[name][4],
                coworked_children=6 if name == "S1" else 0,
            )
        TeamSnapshot.objects.create(team=da1, taken_on=day, kind=kind, unallocated_children=5,
                                    establishment_fte=Decimal("7.4"), vacant_fte=Decimal("2.0"),
                                    agency_fte=Decimal("1.0"))
    Absence.objects.create(worker=example.people["W7"], kind=AbsenceType.SICKNESS, start=date(2024, 12, 2))
    for name in ("W1", "W2", "W4", "W5", "W6"):
        SupervisionSession.objects.create(worker=example.people[name], supervisor=tm_user, held_on=date(2025, 1, 10))
    SupervisionSession.objects.create(worker=example.people["W3"], supervisor=tm_user, held_on=date(2025, 1, 15),
                                      held=False, kind=SessionKind.WORKER)
    for name in ("W1", "W2", "W4", "W5", "W6"):
        entry(example.people[name], MONTH, ENTRIES.get(name), created_by=tm_user, children=PEOPLE[name][3])
    w2, w3, w6 = (example.people[n] for n in ("W2", "W3", "W6"))
    example.escalations = {
        "W2": Escalation.objects.create(kind=EscalationKind.HOS_AGREEMENT, team=da1, worker=w2, cases=24,
                                        first_over_on=date(2025, 1, 24), opened_on=date(2025, 1, 24),
                                        due_on=date(2025, 1, 31), threshold=Decimal(22)),
        "W3": Escalation.objects.create(kind=EscalationKind.HOS_AGREEMENT, team=da1, worker=w3, cases=14,
                                        first_over_on=MONTH_END, opened_on=MONTH_END, due_on=date(2025, 2, 7),
                                        threshold=Decimal("13.2")),
        "W6 agreed": Escalation.objects.create(
            kind=EscalationKind.HOS_AGREEMENT, team=da1, worker=w6, cases=29, first_over_on=date(2024, 11, 15),
            opened_on=date(2024, 11, 15), due_on=date(2024, 11, 22), state=EscalationState.AGREED,
            agreed_on=date(2024, 11, 20), action_plan="Reduce to 22 by reallocating on transfer.",
            threshold=Decimal(22)),
        "W6": Escalation.objects.create(kind=EscalationKind.SUSTAINED, team=da1, worker=w6, cases=29,
                                        first_over_on=date(2024, 11, 15), opened_on=date(2025, 1, 17),
                                        threshold=Decimal(22)),
    }
    if with_ip1:
        ip1 = TeamFactory(name="Intervention and Planning", code="IP1", service_area=area,
                          scheme=(SCHEME, SCHEME_TEAM_TYPE))
        TeamPolicy.objects.filter(team=ip1).update(team_type="intervention_and_planning")
        example.ip1 = ip1
        for n, children in enumerate(IP1_CHILDREN, start=1):
            worker = WorkerFactory(team=ip1, first_name=f"I{n}", surname="Example", wte=Decimal("1.0"))
            example.ip1_workers.append(worker)
            CaseloadSnapshot.objects.create(worker=worker, team=ip1, taken_on=MONTH_END, kind=SnapshotKind.MONTH_END,
                                            wte=worker.wte, allocated_children=children, family_groups=children)
        TeamSnapshot.objects.create(team=ip1, taken_on=MONTH_END, kind=SnapshotKind.MONTH_END,
                                    establishment_fte=Decimal("3.0"))
    return example
