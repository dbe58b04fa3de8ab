"""Who is counted, in the database (REPORTS 1.2): the snapshot rows of a month with per-row flags for the
population, long absence, ASYE status, supervision and countersigning. Per-team policy parameters are
resolved once per team (TeamParams) and injected with Case(When(team_id…)) so no figure loops over rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Least

from supervision.models import EntryStatus, ProformaEntry, SessionKind, SupervisionSession
from supervision.rules import LONG_ABSENCE_WORKING_DAYS
from workload.models import (
    Absence,
    CaseloadSnapshot,
    Position,
    SnapshotKind,
    Team,
    TeamPolicy,
    TeamScheme,
)
from workload.workdays import bank_holidays, month_end

# Case-holding practitioners (REPORTS 1.2). SWA / alternatively qualified only where the preset's
# include_aqp says so; practice managers only on Warrington's scheme (POLICIES R01, POL-23).
PRACTITIONERS = (
    Position.SOCIAL_WORKER,
    Position.SENIOR_PRACTITIONER,
    Position.ASYE,
    Position.TRAINEE,
    Position.PERSONAL_ADVISER,
    Position.IRO,
    Position.CPA,
)
PRACTITIONER, CONSULTANT, MANAGER, OTHER = "practitioner", "consultant", "manager", "other"
WARRINGTON_PREFIX = "warrington-"


@dataclass(frozen=True)
class TeamParams:
    """One team's policy for a month: the preset in force, merged with its team type and overrides."""

    team_id: int
    code: str
    name: str
    average_basis: str = "fte"
    threshold_basis: str = "pro_rata"
    dp_team: int = 1
    dp_aggregate: int = 1
    target: Decimal | None = None
    care_leavers: bool = False
    case_basis: str = "A"
    include_aqp: bool = False
    thresholds: tuple[int, ...] = ()
    asye_limit: int | None = None
    warrington: bool = False
    tables: object | None = field(default=None, repr=False, compare=False)
    team_type: str = ""


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def team_params(team_ids: list[int], month: date) -> dict[int, TeamParams]:
    """Three queries whatever the number of teams: teams, their policies and their schemes up to the month."""
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids)}
    policies: dict[int, TeamPolicy] = {}
    for policy in TeamPolicy.objects.filter(team_id__in=team_ids, valid_from__lte=month).select_related(
        "preset"
    ).order_by("team_id", "-valid_from"):
        policies.setdefault(policy.team_id, policy)
    schemes: dict[int, TeamScheme] = {}
    for scheme in TeamScheme.objects.filter(team_id__in=team_ids, valid_from__lte=month).select_related(
        "scheme_version"
    ).order_by("team_id", "-valid_from"):
        schemes.setdefault(scheme.team_id, scheme)
    params = {}
    for pk, team in teams.items():
        scheme = schemes.get(pk)
        slug = scheme.scheme_version.slug if scheme else ""
        tables = scheme.scheme_version.tables() if scheme else None
        policy = policies.get(pk)
        if policy is None:
            params[pk] = TeamParams(pk, team.code, team.name, warrington=slug.startswith(WARRINGTON_PREFIX),
                                    tables=tables)
            continue
        s = policy.settings()
        dp = s.get("average_dp") or {}
        params[pk] = TeamParams(
            team_id=pk,
            code=team.code,
            name=team.name,
            average_basis=s.get("average_basis", "fte"),
            threshold_basis=s.get("threshold_basis", "pro_rata"),
            dp_team=int(dp.get("team", 1)),
            dp_aggregate=int(dp.get("aggregate", 1)),
            target=_decimal(s.get("target_high")),
            care_leavers=bool(s.get("care_leavers")),
            case_basis=s.get("case_basis", "A") if s.get("care_leavers") else "A",
            include_aqp=bool(s.get("include_aqp")),
            thresholds=tuple(sorted({int(n) for n in s.get("reporting_thresholds") or []})),
            asye_limit=None if s.get("asye_limit_cases") is None else int(s["asye_limit_cases"]),
            warrington=slug.startswith(WARRINGTON_PREFIX),
            tables=tables,
            team_type=policy.team_type,
        )
    return params


def snapshot_dates(team_ids: list[int], month: date, window: tuple[date, date] | None = None) -> dict[int, date]:
    """The monthly snapshot of each team (REPORTS 1.1): its month-end snapshot if there is one, else its last
    weekly snapshot in the month. One query; the choice runs over at most a handful of dates per team.
    `window` (first, last day) replaces the month's days: a week's snapshot for the weekly report and the
    quarter block's "w/e" column (reporting/documents)."""
    rows = (
        CaseloadSnapshot.objects.filter(team_id__in=team_ids, taken_on__range=window or (month, month_end(month)))
        .order_by()
        .values_list("team_id", "taken_on", "kind")
        .distinct()
    )
    best: dict[int, tuple[bool, date]] = {}
    for team_id, taken_on, kind in rows:
        key = (kind == SnapshotKind.MONTH_END, taken_on)
        if team_id not in best or key > best[team_id]:
            best[team_id] = key
    return {team_id: key[1] for team_id, key in best.items()}


# ---- working days in SQL: the long-absence test of supervision.rules.long_absent as an Exists ----------

_EPOCH = date(2000, 1, 2)  # a Sunday: day n after it is a weekday when n % 7 is 1..5


class _DaysSinceEpoch(Func):
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: date - date is a whole number of days
        return super().as_sql(compiler, connection, template=f"(%(expressions)s - DATE '{_EPOCH}')", **extra)

    def as_sqlite(self, compiler, connection, **extra):  # the zero-setup demo runs on SQLite
        return super().as_sql(
            compiler, connection,
            template=f"CAST(julianday(%(expressions)s) - julianday('{_EPOCH}') AS INTEGER)", **extra,
        )


def _holidays_between(first_year: int, last_year: int) -> list[date]:
    return sorted(day for year in range(first_year, last_year + 1) for day in bank_holidays(year))


def _holiday_count(expression, holidays: list[date]):
    """How many of the (sorted) holidays fall on or before the day."""
    return Case(
        *[When(LessThan(expression, day), then=Value(i)) for i, day in enumerate(holidays)],
        default=Value(len(holidays)),
        output_field=IntegerField(),
    )


class LessThan(Func):
    """expression < DATE literal, usable inside When() for any expression (OuterRef included)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression, day: date):
        super().__init__(expression, Value(day, output_field=DateField()))

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" < ", **extra)


def _wd_index(expression, holidays: list[date]):
    """Working days in (epoch, day]: weekdays minus the bank holidays up to the day (one CASE over ordered
    dates), so that workdays.working_days_after(a, b) == index(b) - index(a) for days in the holidays' years."""
    n = _DaysSinceEpoch(expression)
    weekdays = Value(5) * (n / Value(7)) + Least(n % Value(7), Value(5))
    return weekdays - _holiday_count(expression, holidays) if holidays else weekdays


def long_absence_exists(holidays: list[date], on=None):
    """Exists an absence of the row's worker that is long on the row's snapshot date (POLICIES R14, as
    supervision.rules.long_absent): started on or before it, not returned by it, and either expected to
    last more than 15 working days, or with no expected end and 15 working days passed."""
    on = on if on is not None else OuterRef("taken_on")
    days = LONG_ABSENCE_WORKING_DAYS
    return Exists(
        Absence.objects.filter(worker_id=OuterRef("worker_id"), start__lte=on)
        .filter(Q(actual_return__isnull=True) | Q(actual_return__gt=on))
        .annotate(
            _from=_wd_index(F("start"), holidays),
            _to=_wd_index(F("expected_return"), holidays),
            _now=_wd_index(on, holidays),
        )
        .filter(
            Q(expected_return__isnull=False, _to__gt=F("_from") + days)
            | Q(expected_return__isnull=True, _now__gte=F("_from") + days)
        )
    )


@dataclass
class MonthRows:
    """The month's snapshot rows for some teams, annotated, and the Q objects that pick each population."""

    month: date
    params: dict[int, TeamParams]
    dates: dict[int, date]
    rows: object  # QuerySet[CaseloadSnapshot], flagged
    fallback: object  # QuerySet[ProformaEntry] with the snapshot's columns, flagged (workers with no snapshot)
    available: Q
    main: Q
    care_leaver: Q
    asye: Q
    managers_holding: Q
    m10: Q
    m19: Q

    def limit(self, n: int):
        """N, or N × WTE for teams whose preset counts "more than N" pro rata (REPORTS 1.3)."""
        pro_rata = [t for t, p in self.params.items() if p.threshold_basis == "pro_rata"]
        return Case(
            When(team_id__in=pro_rata, then=Value(Decimal(n)) * F("wte")),
            default=Value(Decimal(n)),
            output_field=DecimalField(max_digits=9, decimal_places=3),
        )


def month_rows(params: dict[int, TeamParams], month: date, window: tuple[date, date] | None = None) -> MonthRows | None:
    """The rows each team's figures read: its monthly snapshot's rows, and, for a worker with no snapshot in
    the month, their countersigned pro-forma's counts (REPORTS 1.1 "Fallback", REP-18). One query for the
    snapshot dates; the rows are lazy querysets with the same columns and flags. `window` (first, last day):
    the snapshot within those days instead of the month's (reporting/documents: a week's report)."""
    if not params:
        return None
    dates = snapshot_dates(list(params), month, window)
    end = month_end(month)
    holidays = _holidays_between(min([*dates.values(), end]).year - 1, end.year + 1)
    ids = list(params)
    aqp = [t for t in ids if params[t].include_aqp]
    warrington = [t for t in ids if params[t].warrington]
    care_leavers = [t for t in ids if params[t].care_leavers]
    basis_b = [t for t in ids if params[t].case_basis == "B"]
    year_before = {d: _year_before(d) for d in {*dates.values(), end}}
    snapshots = (
        CaseloadSnapshot.objects.filter(reduce(or_, (Q(team_id=t, taken_on=d) for t, d in dates.items())))
        if dates else CaseloadSnapshot.objects.none()
    )
    fallback = (
        ProformaEntry.objects.filter(team_id__in=ids, month=month, is_current=True, status=EntryStatus.COUNTERSIGNED)
        .filter(~Exists(CaseloadSnapshot.objects.filter(worker_id=OuterRef("worker_id"),
                                                        taken_on__range=window or (month, end))))
        .annotate(  # the snapshot's columns, from the pro-forma (counted on the month's last day)
            taken_on=Value(end, output_field=DateField()),
            allocated_children=F("children_count"),
            coworked_children=Value(0, output_field=IntegerField()),
            awaiting_allocation_children=Value(0, output_field=IntegerField()),
        )
    )
    practitioner = (
        Q(worker__position__in=PRACTITIONERS)
        | Q(worker__position=Position.SWA, team_id__in=aqp)
        | Q(worker__position=Position.PRACTICE_MANAGER, team_id__in=warrington)
    )
    available = practitioner & Q(long_absent=False)
    care_leaver = Q(team_id__in=care_leavers)
    asye = (
        Q(worker__asye_start__lte=F("taken_on"))
        & (Q(worker__asye_start__gt=F("asye_after")) | Q(worker__asye_completed__gt=F("taken_on")))
    ) | Q(worker__position=Position.ASYE, worker__asye_start__isnull=True)
    manager = Q(worker__position=Position.TEAM_MANAGER) | (
        Q(worker__position=Position.PRACTICE_MANAGER) & ~Q(team_id__in=warrington)
    )

    def flagged(rows):
        rows = rows.order_by().annotate(
            long_absent=long_absence_exists(holidays),
            absent_all_month=Exists(
                Absence.objects.filter(worker_id=OuterRef("worker_id"), start__lte=month).filter(
                    Q(actual_return__isnull=True) | Q(actual_return__gt=end)
                )
            ),
            supervised=Exists(
                SupervisionSession.objects.filter(
                    worker_id=OuterRef("worker_id"), held=True, kind=SessionKind.WORKER,
                    held_on__range=(month, end),
                )
            ),
            countersigned=Exists(
                ProformaEntry.objects.filter(
                    worker_id=OuterRef("worker_id"), month=month, is_current=True, status=EntryStatus.COUNTERSIGNED
                )
            ),
            cases=Case(
                When(team_id__in=basis_b,
                     then=F("allocated_children") + F("coworked_children") + F("awaiting_allocation_children")),
                default=F("allocated_children"),
                output_field=IntegerField(),
            ),
            asye_after=Case(
                *[When(taken_on=d, then=Value(before)) for d, before in year_before.items()],
                output_field=DateField(),
            ),
        )
        # The same decisions as columns, so one grouped query evaluates each Exists once per row (GROUP BY by
        # column position) and every figure is a sum over the groups (compute._team_sums).
        return rows.annotate(
            role=Case(
                When(practitioner, then=Value(PRACTITIONER)),
                When(worker__position=Position.CONSULTANT, then=Value(CONSULTANT)),
                When(manager, then=Value(MANAGER)),
                default=Value(OTHER),
            ),
            is_asye=Case(When(asye, then=Value(True)), default=Value(False), output_field=BooleanField()),
            entry_band=Subquery(
                ProformaEntry.objects.filter(
                    worker_id=OuterRef("worker_id"), month=month, is_current=True,
                    status=EntryStatus.COUNTERSIGNED,
                ).values("band")[:1]
            ),
        )

    return MonthRows(
        month=month,
        params=params,
        dates=dates,
        rows=flagged(snapshots),
        fallback=flagged(fallback),
        available=available,
        main=available & ~care_leaver,
        care_leaver=available & care_leaver,
        asye=available & ~care_leaver & asye,
        managers_holding=manager & Q(allocated_children__gte=1),
        m10=(practitioner | Q(worker__position=Position.CONSULTANT)) & Q(absent_all_month=False),
        m19=practitioner & Q(worker__case_holding=True) & Q(absent_all_month=False),
    )


def _year_before(day: date) -> date:
    """ASYE status lasts while start + 12 months > day, i.e. start > day − 12 months (Worker.asye_until)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
