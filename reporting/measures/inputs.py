"""Who is counted, in the database (REPORTS 1.2): the snapshot rows of some months with per-row flags for the
population, long absence, ASYE status, supervision and countersigning. Per-team policy parameters are
resolved once per team and month (TeamParams) and injected as IN lists of team ids (teams_where), so no
figure loops over rows and the SQL does not grow one expression per team."""
from __future__ import annotations

from collections import defaultdict
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
    FilteredRelation,
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
    SchemeVersion,
    SnapshotKind,
    Team,
    TeamPolicy,
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


def team_params_months(team_ids: list[int], months: list[date]) -> dict[date, dict[int, TeamParams]]:
    """Each month's TeamParams, in three queries whatever the number of teams or months: teams with their
    scheme assignments up to the last month (no scheme JSON), their policies, then the data of only the scheme
    versions in force, each version once (its band labels for M20)."""
    last = max(months)
    policies: dict[int, list[TeamPolicy]] = defaultdict(list)  # newest first
    for policy in TeamPolicy.objects.filter(team_id__in=team_ids, valid_from__lte=last).select_related(
        "preset"
    ).order_by("team_id", "-valid_from"):
        policies[policy.team_id].append(policy)
    teams: dict[int, tuple[str, str]] = {}
    schemes: dict[int, list[tuple[date, int, str]]] = defaultdict(list)  # newest first
    for pk, code, name, valid_from, version_id, slug in (
        Team.objects.filter(pk__in=team_ids)
        # LEFT JOIN: a team with no assignment yet still has a row (NULLs)
        .annotate(assigned=FilteredRelation("scheme_assignments",
                                            condition=Q(scheme_assignments__valid_from__lte=last)))
        .order_by("pk", "-assigned__valid_from")
        .values_list("pk", "code", "name", "assigned__valid_from", "assigned__scheme_version_id",
                     "assigned__scheme_version__slug")
    ):
        teams[pk] = (code, name)
        if valid_from is not None:
            schemes[pk].append((valid_from, version_id, slug))

    def in_force(rows, month, when=lambda r: r[0]):
        return next((r for r in rows if when(r) <= month), None)

    chosen = {(m, pk): in_force(schemes.get(pk, ()), m) for m in months for pk in teams}
    needed = {c[1] for c in chosen.values() if c is not None}
    tables = {v.pk: v.tables() for v in SchemeVersion.objects.filter(pk__in=needed)} if needed else {}
    settings_of: dict[int, dict] = {}  # one merge per policy row, shared by the months it covers
    out: dict[date, dict[int, TeamParams]] = {}
    for month in months:
        params = out[month] = {}
        for pk, (code, name) in teams.items():
            scheme = chosen[(month, pk)]
            slug = scheme[2] if scheme else ""
            table = tables.get(scheme[1]) if scheme else None
            policy = in_force(policies.get(pk, ()), month, when=lambda p: p.valid_from)
            if policy is None:
                params[pk] = TeamParams(pk, code, name, warrington=slug.startswith(WARRINGTON_PREFIX), tables=table)
                continue
            s = settings_of.get(policy.pk)
            if s is None:
                s = settings_of[policy.pk] = policy.settings()
            dp = s.get("average_dp") or {}
            params[pk] = TeamParams(
                team_id=pk,
                code=code,
                name=name,
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
                tables=table,
                team_type=policy.team_type,
            )
    return out


def team_params(team_ids: list[int], month: date) -> dict[int, TeamParams]:
    """One month's TeamParams (team_params_months for a single month)."""
    return team_params_months(team_ids, [month])[month]


Windows = dict[date, tuple[date, date]]  # month -> (first, last day) of the snapshot searched instead of its days


def counted_range(month: date, windows: Windows | None = None) -> tuple[date, date]:
    """The days a month's snapshot is searched in: the month's, or the window given for it (a week's report and
    the quarter block's "w/e" column, reporting/documents). The pro-forma fallback looks in the same days."""
    return (windows or {}).get(month) or (month, month_end(month))


def snapshot_dates_months(team_ids: list[int], months: list[date],
                          windows: Windows | None = None) -> dict[date, dict[int, date]]:
    """The monthly snapshot of each team in each month (REPORTS 1.1): its month-end snapshot if there is one,
    else its last weekly snapshot in the month (or in the month's window). One query for all the months; the
    choice runs over at most a handful of dates per team and month."""
    ranges = {m: counted_range(m, windows) for m in set(months)}
    rows = (
        CaseloadSnapshot.objects.filter(team_id__in=team_ids)
        .filter(reduce(or_, (Q(taken_on__range=r) for r in ranges.values())))
        .order_by()
        .values_list("team_id", "taken_on", "kind")
        .distinct()
    )
    best: dict[tuple[date, int], tuple[bool, date]] = {}
    for team_id, taken_on, kind in rows:
        key = (kind == SnapshotKind.MONTH_END, taken_on)
        for month in ([taken_on.replace(day=1)] if not windows else
                      [m for m, (lo, hi) in ranges.items() if lo <= taken_on <= hi]):
            slot = (month, team_id)
            if slot not in best or key > best[slot]:
                best[slot] = key
    out: dict[date, dict[int, date]] = {m: {} for m in months}
    for (month, team_id), key in sorted(best.items()):
        out[month][team_id] = key[1]
    return out


def pairs_q(dates: dict[date, dict[int, date]]) -> Q:
    """(team, snapshot date) pairs as one OR per distinct date with an IN list of its teams: small to build and
    compile whatever the number of teams (teams of an authority share their snapshot dates)."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for per_team in dates.values():
        for team_id, day in per_team.items():
            by_day[day].append(team_id)
    return reduce(or_, (Q(taken_on=day, team_id__in=sorted(ids)) for day, ids in sorted(by_day.items())))


def teams_where(params: dict[date, dict[int, TeamParams]], test) -> Q:
    """The rows of (month, team) pairs whose policy passes `test`, as IN lists over the row's month `m`; months
    with the same teams share one term, so a policy that never changes is one `team_id IN (…)`."""
    groups: dict[tuple[int, ...], list[date]] = defaultdict(list)
    for month, per_team in params.items():
        groups[tuple(sorted(t for t, p in per_team.items() if test(p)))].append(month)
    if len(groups) == 1:
        return Q(team_id__in=next(iter(groups)))
    terms = [Q(m__in=months, team_id__in=ids) for ids, months in groups.items() if ids]
    return reduce(or_, terms) if terms else Q(team_id__in=[])


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
    """The snapshot rows of some months for some teams, annotated with the row's month `m`, and the Q objects
    that pick each population."""

    months: list[date]
    params: dict[date, dict[int, TeamParams]]
    dates: dict[date, dict[int, date]]
    rows: object  # QuerySet[CaseloadSnapshot], flagged
    fallback: object  # QuerySet[ProformaEntry] with the snapshot's columns, flagged (workers with no snapshot)
    pro_rata: Q
    available: Q
    main: Q
    care_leaver: Q
    asye: Q
    managers_holding: Q
    m10: Q
    m19: Q

    def limit(self, n: int):
        """N, or N × WTE for teams whose preset counts "more than N" pro rata (REPORTS 1.3)."""
        return Case(
            When(self.pro_rata, then=Value(Decimal(n)) * F("wte")),
            default=Value(Decimal(n)),
            output_field=DecimalField(max_digits=9, decimal_places=3),
        )


def month_rows(params: dict[int, TeamParams], month: date,
               window: tuple[date, date] | None = None) -> MonthRows | None:
    """One month's rows (months_rows for a single month); `window`: the snapshot within those days instead."""
    return months_rows({month: params}, {month: window} if window else None) if params else None


def months_rows(params: dict[date, dict[int, TeamParams]], windows: Windows | None = None) -> MonthRows | None:
    """The rows each team's figures read in each month: its monthly snapshot's rows, and, for a worker with no
    snapshot in the month, their countersigned pro-forma's counts (REPORTS 1.1 "Fallback", REP-18). One query
    for the snapshot dates of all the months; the rows are lazy querysets with the same columns and flags,
    each row carrying its month `m` and month end `m_end`, so one grouped query serves every month.

    Per-team policy enters as IN lists of team ids (one per distinct set of teams, see teams_where), never as
    one expression per team, so the SQL is as quick to build for 100 teams as for one."""
    months = sorted(params)
    ids = sorted({t for per_team in params.values() for t in per_team})
    if not ids:
        return None
    dates = snapshot_dates_months(ids, months, windows)
    ends = {m: month_end(m) for m in months}
    ranges = {m: counted_range(m, windows) for m in months}
    all_dates = {d for per_team in dates.values() for d in per_team.values()}
    holidays = _holidays_between(min([*all_dates, *ends.values()]).year - 1, max(ends.values()).year + 1)
    aqp = teams_where(params, lambda p: p.include_aqp)
    warrington = teams_where(params, lambda p: p.warrington)
    care_leavers = teams_where(params, lambda p: p.care_leavers)
    basis_b = teams_where(params, lambda p: p.case_basis == "B")
    pro_rata = teams_where(params, lambda p: p.threshold_basis == "pro_rata")
    year_before = {d: _year_before(d) for d in {*all_dates, *ends.values()}}
    snapshots = (
        CaseloadSnapshot.objects.filter(pairs_q(dates)) if all_dates else CaseloadSnapshot.objects.none()
    ).annotate(
        m=Case(*[When(taken_on__range=r, then=Value(m)) for m, r in ranges.items()], output_field=DateField()),
    )
    fallback = (
        ProformaEntry.objects.filter(team_id__in=ids, month__in=months, is_current=True,
                                     status=EntryStatus.COUNTERSIGNED)
        .annotate(m=F("month"), m_end=Case(*[When(month=m, then=Value(end)) for m, end in ends.items()],
                                           output_field=DateField()),
                  w_start=Case(*[When(month=m, then=Value(r[0])) for m, r in ranges.items()],
                               output_field=DateField()),
                  w_end=Case(*[When(month=m, then=Value(r[1])) for m, r in ranges.items()],
                             output_field=DateField()))
        .filter(~Exists(CaseloadSnapshot.objects.filter(worker_id=OuterRef("worker_id"), taken_on__gte=OuterRef("w_start"),
                                                        taken_on__lte=OuterRef("w_end"))))
        .annotate(  # the snapshot's columns, from the pro-forma (counted on the month's last day)
            taken_on=F("m_end"),
            allocated_children=F("children_count"),
            coworked_children=Value(0, output_field=IntegerField()),
            awaiting_allocation_children=Value(0, output_field=IntegerField()),
        )
    )
    snapshots = snapshots.annotate(
        m_end=Case(*[When(taken_on__range=ranges[m], then=Value(end)) for m, end in ends.items()],
                   output_field=DateField()),
    )
    practitioner = (
        Q(worker__position__in=PRACTITIONERS)
        | (Q(worker__position=Position.SWA) & aqp)
        | (Q(worker__position=Position.PRACTICE_MANAGER) & warrington)
    )
    available = practitioner & Q(long_absent=False)
    care_leaver = care_leavers
    asye = (
        Q(worker__asye_start__lte=F("taken_on"))
        & (Q(worker__asye_start__gt=F("asye_after")) | Q(worker__asye_completed__gt=F("taken_on")))
    ) | Q(worker__position=Position.ASYE, worker__asye_start__isnull=True)
    manager = Q(worker__position=Position.TEAM_MANAGER) | (
        Q(worker__position=Position.PRACTICE_MANAGER) & ~warrington
    )

    def flagged(rows):
        rows = rows.order_by().annotate(
            long_absent=long_absence_exists(holidays),
            absent_all_month=Exists(
                Absence.objects.filter(worker_id=OuterRef("worker_id"), start__lte=OuterRef("m")).filter(
                    Q(actual_return__isnull=True) | Q(actual_return__gt=OuterRef("m_end"))
                )
            ),
            supervised=Exists(
                SupervisionSession.objects.filter(
                    worker_id=OuterRef("worker_id"), held=True, kind=SessionKind.WORKER,
                    held_on__gte=OuterRef("m"), held_on__lte=OuterRef("m_end"),
                )
            ),
            countersigned=Exists(
                ProformaEntry.objects.filter(
                    worker_id=OuterRef("worker_id"), month=OuterRef("m"), is_current=True,
                    status=EntryStatus.COUNTERSIGNED,
                )
            ),
            cases=Case(
                When(basis_b,
                     then=F("allocated_children") + F("coworked_children") + F("awaiting_allocation_children")),
                default=F("allocated_children"),
                output_field=IntegerField(),
            ),
            asye_after=Case(
                *[When(taken_on=d, then=Value(before)) for d, before in sorted(year_before.items())],
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
                    worker_id=OuterRef("worker_id"), month=OuterRef("m"), is_current=True,
                    status=EntryStatus.COUNTERSIGNED,
                ).values("band")[:1]
            ),
        )

    return MonthRows(
        months=months,
        params=params,
        dates=dates,
        rows=flagged(snapshots),
        fallback=flagged(fallback),
        pro_rata=pro_rata,
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
