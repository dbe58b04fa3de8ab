"""M01–M22 for a scope and month (REPORTS 1.3 and (e)), computed in the database.

Every figure is an aggregate (Count / Sum / Min / Max with filters) over the month's snapshot rows grouped by
team, so a service or authority figure is the sum of its teams' sums: pooled worker rows, never the mean of
team averages. Python only combines per-team sums and formats; it never loops over worker rows."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Min, Q, Sum, Value

from reporting.measures.grouped import grouped_rows
from reporting.measures.inputs import (
    CONSULTANT,
    MANAGER,
    PRACTITIONER,
    TeamParams,
    Windows,
    month_rows,
    pairs_q,
    snapshot_dates_months,
    team_params,
    team_params_months,
)
from reporting.measures.scope import Scope
from reporting.measures.values import (
    DASH,
    EMPTY,
    NO_DATA,
    OK,
    MeasureValue,
    fmt,
    fmt_percent,
    percent,
    q,
    rag_average,
    rag_count,
    rag_percent_higher,
    rag_percent_zero,
    signed,
)
from reporting.models import (
    IMPORTED_MEASURES,
    Escalation,
    EscalationKind,
    ImportedAggregate,
    MeasureCode,
)
from supervision.models import EntryStatus, ProformaEntry
from workload.models import TeamSnapshot

SUPERVISION_TARGET = Decimal(100)  # REP-9 default: every in-scope worker supervised in the month
NOT_SCORED = "Not scored"
ZERO = Decimal(0)


def national_caseload() -> dict:
    """The latest national figure shown beside the averages for context (settings.NATIONAL_CASELOAD)."""
    figure = settings.NATIONAL_CASELOAD
    return {"value": Decimal(figure["value"]), "label": figure["label"]}


def label_for(measure: str, n=None) -> str:
    label = MeasureCode(measure).label
    if n is not None:
        label = label.replace("more than N", f"more than {n}")
    return label


# ============================================================================ per-team sums (the queries)


def _count_keys(params: dict[int, TeamParams], extra: frozenset[int] = frozenset()) -> tuple[set, set, set]:
    """The Ns counted: each team's reporting thresholds (M04 / M09) and ASYE limit (M05), plus any N a
    trend row asks for. A pooled scope counts every N of its teams, each team on its own threshold basis."""
    main = {n for p in params.values() if not p.care_leavers for n in p.thresholds} | extra
    leavers = {n for p in params.values() if p.care_leavers for n in p.thresholds} | extra
    asye = {p.asye_limit for p in params.values() if p.asye_limit is not None} | extra
    return main, leavers, asye


def _team_sums(data: MonthInputs, extra: frozenset[int]) -> tuple[dict[tuple, dict], dict[tuple, dict[str, int]]]:
    """One grouped statement (grouped.py) over the months' snapshot rows and fallback pro-formas: per month,
    team and combination of the population flags (role, long absence, absent all month, supervised,
    countersigned, ASYE, band), the counts, sums, minimum and maximum, and the "more than N" counts with each
    team's N × WTE or N. The flags' subqueries run once per row; the populations of REPORTS 1.2 are then sums
    over the groups (bounded by months × teams × flag combinations, never by workers). Keys are (month, team)."""
    main_ns, leaver_ns, asye_ns = set(extra), set(extra), set(extra)
    for params in data.params.values():
        main, leavers, asye = _count_keys(params)
        main_ns |= main
        leaver_ns |= leavers
        asye_ns |= asye
    groups = grouped_rows(data.params, data.dates, main_ns | leaver_ns | asye_ns, data.windows)
    sums: dict[tuple, dict] = {}
    bands: dict[tuple, dict[str, int]] = defaultdict(dict)
    for g in groups:
        from_proforma = g["from_proforma"]
        slot = (g["m"], g["team_id"])
        team = data.params[g["m"]][g["team_id"]]
        s = sums.setdefault(slot, defaultdict(int))
        s["rows"] += g["n"]
        s["from_proforma"] += g["n"] if from_proforma else 0
        practitioner = g["role"] == PRACTITIONER
        available = practitioner and not g["long_absent"]
        main = available and not team.care_leavers
        leaver = available and team.care_leavers
        asye = main and g["is_asye"]
        m10 = (practitioner or g["role"] == CONSULTANT) and not g["absent_all_month"]
        m19 = practitioner and g["worker__case_holding"] and not g["absent_all_month"]
        _fold(s, "all", g, available)
        _fold(s, "main", g, main)
        _fold(s, "cl", g, leaver, cases="cases_sum")
        _fold(s, "asye", g, asye)
        _fold(s, "rest", g, main and not g["is_asye"])
        if available:
            s["range_min"] = g["lo"] if s.get("range_min") is None else min(s["range_min"], g["lo"])
            s["range_max"] = g["hi"] if s.get("range_max") is None else max(s["range_max"], g["hi"])
        for n in main_ns if main else ():
            s[f"over_{n}"] += g[f"gt_{n}"]
            s[f"over_raw_{n}"] += g[f"gt_raw_{n}"]
        for n in leaver_ns if leaver else ():
            s[f"cl_over_{n}"] += g[f"gt_{n}"]
            s[f"cl_over_raw_{n}"] += g[f"gt_raw_{n}"]
        for n in asye_ns if asye else ():
            s[f"asye_over_{n}"] += g[f"gt_{n}"]
            s[f"asye_over_raw_{n}"] += g[f"gt_raw_{n}"]
        if g["role"] == MANAGER:
            s["managers"] += g["holding"]
        if g["long_absent"]:
            s["absent_held"] += g["alloc"] or 0
        if m10:
            s["m10_n"] += g["n"]
            s["m10_yes"] += g["n"] if g["supervised"] else 0
        if m19:
            s["m19_n"] += g["n"]
            if g["countersigned"]:
                s["m19_yes"] += g["n"]
                bands[slot][g["entry_band"]] = bands[slot].get(g["entry_band"], 0) + g["n"]
    return {t: dict(s) for t, s in sums.items()}, bands


def _fold(s: dict, prefix: str, g: dict, included: bool, cases: str = "alloc") -> None:
    if not included:
        return
    s[f"{prefix}_n"] += g["n"]
    s[f"{prefix}_wte"] += g["wte_sum"] or ZERO
    s[f"{prefix}_cases"] += g[cases] or 0
    s[f"{prefix}_n_nowte"] += g["nowte"]


def _team_snapshots(data: MonthInputs) -> dict[tuple, dict]:
    """Each team's TeamSnapshot on its snapshot date of each month, keyed (month, team id). One query."""
    month_of = {(t, d): m for m, per_team in data.dates.items() for t, d in per_team.items()}
    if not month_of:
        return {}
    out = {}
    for row in TeamSnapshot.objects.filter(pairs_q(data.dates)).order_by().values(
        "team_id", "taken_on", "unallocated_children", "establishment_fte", "vacant_fte", "agency_fte"
    ):
        team_id = row.pop("team_id")
        out[(month_of[(team_id, row.pop("taken_on"))], team_id)] = row
    return out


def _escalations(data: MonthInputs) -> dict[tuple, dict[str, int]]:
    """M18 on each team's snapshot date: Escalation.objects.open_on(day), for all teams and months in one query
    grouped by team, with one pair of filtered counts per distinct snapshot date (a handful per month)."""
    days = sorted({d for per_team in data.dates.values() for d in per_team.values()})
    if not days:
        return {}
    team_ids = sorted({t for per_team in data.dates.values() for t in per_team})
    aggregates = {}
    for i, day in enumerate(days):
        open_on = Q(opened_on__lte=day) & (Q(closed_on__isnull=True) | Q(closed_on__gt=day))
        # awaiting the head of service's agreement on that day: none given yet, or the one given had ended
        # (an agreement lapses at its end date, R04), so a past date counts as it stood then
        in_force = Q(agreed_on__lte=day) & (Q(agreed_until__isnull=True) | Q(agreed_until__gte=day))
        awaiting = open_on & Q(kind=EscalationKind.HOS_AGREEMENT) & ~in_force
        sustained = open_on & Q(kind=EscalationKind.SUSTAINED)
        aggregates[f"awaiting_{i}"] = Count("pk", filter=awaiting)
        aggregates[f"sustained_{i}"] = Count("pk", filter=sustained)
        # the dates a manager asks first (REPORTS worked example, M18): over since when, action due when
        aggregates[f"since_{i}"] = Min("first_over_on", filter=awaiting | sustained)
        aggregates[f"due_{i}"] = Min("due_on", filter=awaiting | sustained)
    rows = {
        row["team_id"]: row
        for row in Escalation.objects.filter(team_id__in=team_ids, opened_on__lte=days[-1])
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=days[0]))
        .order_by().values("team_id").annotate(**aggregates)
    }
    index = {day: i for i, day in enumerate(days)}
    out = {}
    for month, per_team in data.dates.items():
        for team_id, day in per_team.items():
            if team_id in rows:
                row, i = rows[team_id], index[day]
                out[(month, team_id)] = {"awaiting": row[f"awaiting_{i}"], "sustained": row[f"sustained_{i}"],
                                         "since": row[f"since_{i}"], "due": row[f"due_{i}"]}
    return out


def _imported(team_ids: list[int], months: list[date]) -> dict[tuple, dict[str, tuple[int, int]]]:
    out: dict[tuple, dict[str, tuple[int, int]]] = defaultdict(dict)
    for team_id, month, measure, numerator, denominator in ImportedAggregate.objects.filter(
        team_id__in=team_ids, month__in=months
    ).values_list("team_id", "month", "measure", "numerator", "denominator"):
        out[(month, team_id)][measure] = (numerator, denominator)
    return out


def _manager_rows(team_ids: list[int], months: list[date]) -> tuple[list[dict], list[dict]]:
    """M22 (REP-25): countersigned points of each month per supervisor, and per supervisor's supervisor."""
    entries = ProformaEntry.objects.filter(
        team_id__in=team_ids, month__in=months, is_current=True, status=EntryStatus.COUNTERSIGNED
    ).order_by()
    direct = list(
        entries.filter(worker__supervisor__isnull=False)
        .values("month", "team_id", "worker__supervisor_id", "worker__supervisor__first_name",
                "worker__supervisor__surname")
        .annotate(points=Sum("total_points"), workers=Count("worker_id", distinct=True))
    )
    through = list(
        entries.filter(worker__supervisor__supervisor__isnull=False)
        .values(
            "month", "team_id", "worker__supervisor__supervisor_id", "worker__supervisor__supervisor__first_name",
            "worker__supervisor__supervisor__surname",
        )
        .annotate(points=Sum("total_points"), workers=Count("worker_id", distinct=True))
    )
    return direct, through


@dataclass
class MonthInputs:
    """Each month's team policies and snapshot dates: all the grouped statements need."""

    params: dict[date, dict[int, TeamParams]]
    dates: dict[date, dict[int, date]]
    windows: Windows | None = None


class MonthsData:
    """Everything some months need for some teams: a fixed number of queries whatever the teams, workers or
    months (each query is grouped by month). `month(m)` gives one month's view for values_for. `windows`
    (month -> first and last day): the snapshot within those days instead of the month's (a week's report);
    calendar-month measures still read the month."""

    def __init__(self, team_ids: Sequence[int], months: Sequence[date],
                 extra_thresholds: frozenset[int] = frozenset(), windows: Windows | None = None):
        self.months = sorted(set(months))
        self.team_ids = list(team_ids)
        self.params = team_params_months(self.team_ids, self.months) if self.team_ids and self.months else {}
        present = sorted({t for per_team in self.params.values() for t in per_team})
        self.rows = (MonthInputs(self.params, snapshot_dates_months(present, self.months, windows), windows)
                     if present else None)
        if self.rows is not None:
            self.sums, self.bands = _team_sums(self.rows, extra_thresholds)
            self.team_snaps = _team_snapshots(self.rows)
            self.escalations = _escalations(self.rows)
        else:
            self.sums, self.bands, self.team_snaps, self.escalations = {}, {}, {}, {}
        self.imported = _imported(self.team_ids, self.months) if self.params else {}
        self.direct, self.through = _manager_rows(self.team_ids, self.months) if self.params else ([], [])

    def month(self, month: date) -> MonthData:
        def of(by_slot: dict) -> dict:
            return {t: v for (m, t), v in by_slot.items() if m == month}

        return MonthData(
            month=month, params=self.params.get(month, {}),
            dates=self.rows.dates.get(month, {}) if self.rows else {},
            sums=of(self.sums), bands=of(self.bands), team_snaps=of(self.team_snaps),
            escalations=of(self.escalations), imported=of(self.imported),
            direct=[r for r in self.direct if r["month"] == month],
            through=[r for r in self.through if r["month"] == month],
        )


@dataclass
class MonthData:
    """One month of MonthsData, by team id: what values_for reads."""

    month: date
    params: dict[int, TeamParams]
    dates: dict[int, date]
    sums: dict[int, dict]
    bands: dict[int, dict[str, int]]
    team_snaps: dict[int, dict]
    escalations: dict[int, dict[str, int]]
    imported: dict[int, dict[str, tuple[int, int]]]
    direct: list[dict]
    through: list[dict]


# ============================================================================ combining and formatting


def _add(rows: list[dict], key: str):
    values = [r.get(key) for r in rows if r.get(key) is not None]
    return sum(values, ZERO if values and isinstance(values[0], Decimal) else 0) if values else None


class _Pool:
    """The sums of the teams a figure is about: one team, or every team of a service area or the authority."""

    def __init__(self, data: MonthData, scope: Scope, team_ids: list[int]):
        self.data, self.scope = data, scope
        self.params = [data.params[t] for t in team_ids if t in data.params]
        self.team_ids = [p.team_id for p in self.params]
        self.sums = [data.sums[t] for t in self.team_ids if t in data.sums]
        self.dates = [data.dates[t] for t in self.team_ids if t in data.dates]
        self.snapshot_on = max(self.dates) if self.dates else None
        # rows to count: snapshot rows, or pro-formas standing in for workers without one (REPORTS 1.1)
        self.no_rows = not any(r.get("rows") for r in self.sums)

    def total(self, key: str):
        value = _add(self.sums, key)
        return 0 if value is None else value

    def least(self, key: str):
        values = [r[key] for r in self.sums if r.get(key) is not None]
        return min(values) if values else None

    def most(self, key: str):
        values = [r[key] for r in self.sums if r.get(key) is not None]
        return max(values) if values else None

    @property
    def dp(self) -> int:
        if not self.params:
            return 1
        if self.scope.pooled:
            return max(p.dp_aggregate for p in self.params)
        return self.params[0].dp_team

    def basis(self, attribute: str, teams: list[TeamParams] | None = None) -> str:
        values = {getattr(p, attribute) for p in (self.params if teams is None else teams)}
        return values.pop() if len(values) == 1 else ("fte" if attribute == "average_basis" else "mixed")

    def value(self, measure, *, snapshot=True, **fields) -> MeasureValue:
        fields.setdefault("label", label_for(measure))
        return MeasureValue(
            measure=measure, scope=self.scope, month=self.data.month,
            snapshot_on=self.snapshot_on if snapshot else None, **fields,
        )

    def blank(self, measure, status, *, snapshot=True, **fields) -> MeasureValue:
        return self.value(measure, snapshot=snapshot, value=None, display=DASH, status=status, **fields)


def _weighted_target(pool: _Pool, teams: list[TeamParams], basis: str, prefix: str) -> Decimal | None:
    """Aggregate target (REPORTS 1.3): Σ(team target × team WTE) ÷ Σ team WTE, or weighted by headcount.
    None when a team with staff in the population has no target."""
    weight_key = f"{prefix}_wte" if basis == "fte" else f"{prefix}_n"
    total_weight, weighted = ZERO, ZERO
    for p in teams:
        weight = Decimal((pool.data.sums.get(p.team_id) or {}).get(weight_key) or 0)
        if weight == 0:
            continue
        if p.target is None:
            return None
        total_weight += weight
        weighted += p.target * weight
    if len(teams) == 1 and teams[0].target is not None and total_weight == 0:
        return teams[0].target
    return weighted / total_weight if total_weight else None


def _average(pool: _Pool, measure: str, prefix: str, teams: list[TeamParams]) -> list[MeasureValue]:
    """M01 + M02 (prefix main) or M08 (prefix cl): Σ cases ÷ Σ WTE or headcount, the team average RAG."""
    basis = pool.basis("average_basis", teams)
    if pool.no_rows:
        out = [pool.blank(measure, NO_DATA, basis=basis)]
        return out + ([pool.blank("M02", NO_DATA)] if measure == "M01" else [])
    n, wte, cases = pool.total(f"{prefix}_n"), pool.total(f"{prefix}_wte"), pool.total(f"{prefix}_cases")
    target = _weighted_target(pool, teams, basis, prefix)
    if n == 0:
        out = [pool.blank(measure, EMPTY, basis=basis, target=target)]
        return out + ([pool.blank("M02", EMPTY, target=target)] if measure == "M01" else [])
    if pool.total(f"{prefix}_n_nowte") and basis == "fte":
        # a snapshot row without a WTE (recorded as 0): the FTE average cannot be worked out (REPORTS 1.3 "No data")
        out = [pool.blank(measure, NO_DATA, basis=basis, target=target)]
        return out + ([pool.blank("M02", NO_DATA, target=target)] if measure == "M01" else [])
    denominator = Decimal(wte) if basis == "fte" else Decimal(n)
    dp = pool.dp
    value = Decimal(cases) / denominator
    rag = rag_average(q(value, dp), target)
    dfe = Decimal(cases) / Decimal(wte) if wte and not pool.total(f"{prefix}_n_nowte") else None
    detail = {"dfe_per_fte": dfe, "dfe_display": fmt(dfe, dp) if dfe is not None else "–",
              "headcount": n, "wte": Decimal(wte), "from_proforma": pool.total("from_proforma")}
    out = [pool.value(measure, value=value, display=fmt(value, dp), status=OK, rag=rag, target=target, basis=basis,
                      numerator=Decimal(cases), denominator=denominator, detail=detail)]
    if measure == "M01":
        if target is None:
            out.append(pool.blank("M02", NO_DATA))
        else:
            variance = value - target
            share = variance * 100 / target
            out.append(pool.value("M02", value=variance, display=f"{signed(variance, dp)} ({signed(share, 0)} %)",
                                  status=OK, rag=rag, target=ZERO, basis=basis, numerator=value, denominator=target,
                                  detail={"percent": share}))
    return out


def _counts(pool: _Pool, measure: str, ns, key: str, headcount_key: str, teams: list[TeamParams]) -> list[MeasureValue]:
    """Workers with more than N cases, one value per N (M04, M05, M09), with the raw reading beside."""
    basis = pool.basis("threshold_basis", teams)
    out = []
    for n in sorted(ns):
        label, threshold = label_for(measure, n), Decimal(n)
        if pool.no_rows:
            out.append(pool.blank(measure, NO_DATA, label=label, threshold=threshold, basis=basis, target=ZERO))
            continue
        headcount = pool.total(headcount_key)
        if headcount == 0:
            out.append(pool.blank(measure, EMPTY, label=label, threshold=threshold, basis=basis, target=ZERO))
            continue
        if basis != "raw" and pool.total(f"{headcount_key}_nowte"):
            # pro rata needs every WTE: a row without one makes the count unknown, not smaller
            out.append(pool.blank(measure, NO_DATA, label=label, threshold=threshold, basis=basis, target=ZERO))
            continue
        count, raw = pool.total(f"{key}_{n}"), pool.total(f"{key.replace('over', 'over_raw')}_{n}")
        share = percent(count, headcount)
        display = f"{count} ({fmt_percent(share)})"
        if raw != count:  # the worked example shows the raw reading where it differs
            display += f"; {raw} without pro rata"
        out.append(pool.value(
            measure, label=label, value=Decimal(count), display=display, status=OK,
            rag=rag_count(count, headcount), target=ZERO, threshold=threshold, basis=basis,
            numerator=Decimal(count), denominator=Decimal(headcount),
            detail={"raw_reading": raw, "raw_rag": rag_count(raw, headcount), "percent": share,
                    "percent_display": fmt_percent(share)},
        ))
    return out


def _percentage(pool: _Pool, measure: str, yes: int, of: int, *, target: Decimal | None, snapshot=False,
                rag_rule=rag_percent_higher, label=None, threshold=None) -> MeasureValue:
    fields = {"label": label or label_for(measure), "target": target, "threshold": threshold}
    if of == 0:
        return pool.blank(measure, EMPTY, snapshot=snapshot, **fields)
    value = percent(yes, of)
    rag = rag_rule(q(value, 0), target) if rag_rule is rag_percent_higher else rag_rule(q(value, 0))
    return pool.value(measure, snapshot=snapshot, value=value, display=fmt_percent(value), status=OK, rag=rag,
                      numerator=Decimal(yes), denominator=Decimal(of), **fields)


def _asye(pool: _Pool, teams: list[TeamParams], limits: set[int]) -> list[MeasureValue]:
    out = _counts(pool, "M05", limits, "asye_over", "asye_n", teams)
    for n in sorted(limits):
        label = label_for("M06", n)
        if pool.no_rows:
            out.append(pool.blank("M06", NO_DATA, label=label, threshold=Decimal(n), target=ZERO))
            continue
        out.append(_percentage(pool, "M06", pool.total(f"asye_over_{n}"), pool.total("asye_n"), target=ZERO,
                               snapshot=True, rag_rule=rag_percent_zero, label=label, threshold=Decimal(n)))
    if pool.no_rows:
        out.append(pool.blank("M07", NO_DATA, basis="fte"))
    elif pool.total("asye_n") == 0:
        out.append(pool.blank("M07", EMPTY, basis="fte"))
    elif pool.total("asye_n_nowte") or not pool.total("asye_wte"):
        out.append(pool.blank("M07", NO_DATA, basis="fte"))
    else:
        dp = pool.dp
        value = Decimal(pool.total("asye_cases")) / Decimal(pool.total("asye_wte"))
        rest_wte = Decimal(pool.total("rest_wte"))
        rest = Decimal(pool.total("rest_cases")) / rest_wte if rest_wte else None
        ratio = value * 100 / rest if rest else None
        display = fmt(value, dp) + (f" / {fmt_percent(ratio)}" if ratio is not None else "")
        out.append(pool.value("M07", value=value, display=display, status=OK, basis="fte",
                              numerator=Decimal(pool.total("asye_cases")), denominator=Decimal(pool.total("asye_wte")),
                              detail={"ratio": ratio, "rest_per_fte": rest}))
    return out


def _bands(pool: _Pool, not_scored: int) -> dict:
    """M20: band label -> workers, in each scheme's band order, then "Not scored" (labels, never codes)."""
    counts: dict[str, int] = {}
    for p in pool.params:
        tables = p.tables
        codes = [] if tables is None else list(dict.fromkeys(rule.code for rule in tables.bands))
        for code in codes:
            counts.setdefault(tables.band_label(code), 0)
        for code, n in pool.data.bands.get(p.team_id, {}).items():
            label = tables.band_label(code) if tables is not None else code.replace("_", " ").capitalize()
            counts[label] = counts.get(label, 0) + n
    counts[NOT_SCORED] = not_scored
    return counts


def _manager_workload(pool: _Pool) -> list[dict]:
    """M22 (REP-25, pooled): each supervisor's supervisees' points; a supervisor of supervisors adds theirs."""
    ids = set(pool.team_ids)
    people: dict[int, dict] = {}

    def add(row, prefix, via):
        pk = row[f"{prefix}_id"]
        person = people.setdefault(pk, {"name": f"{row[prefix + '__first_name']} {row[prefix + '__surname']}",
                                        "direct_points": ZERO, "direct_workers": 0, "points": ZERO, "workers": 0})
        person["points"] += row["points"] or ZERO
        person["workers"] += row["workers"]
        if not via:
            person["direct_points"] += row["points"] or ZERO
            person["direct_workers"] += row["workers"]

    for row in pool.data.direct:
        if row["team_id"] in ids:
            add(row, "worker__supervisor", via=False)
    for row in pool.data.through:
        if row["team_id"] in ids:
            add(row, "worker__supervisor__supervisor", via=True)
    out = []
    for person in sorted(people.values(), key=lambda p: p["name"]):
        person["average"] = person["points"] / person["workers"] if person["workers"] else None
        out.append(person)
    return out


def values_for(data: MonthData, scope: Scope, team_ids: list[int], thresholds=None) -> list[MeasureValue]:
    """Every measure of one month for the given teams, pooled (REPORTS 1.3), in M01…M22 order.
    `thresholds` (a trend row's N) replaces the teams' own Ns for M04, M05, M06 and M09."""
    pool = _Pool(data, scope, team_ids)
    main_teams = [p for p in pool.params if not p.care_leavers]
    leaver_teams = [p for p in pool.params if p.care_leavers]
    out: list[MeasureValue] = []
    out += _average(pool, "M01", "main", main_teams or pool.params)
    # M03: raw counts of the whole 1.2 population (not pro-rated; REP-13)
    if pool.no_rows:
        out.append(pool.blank("M03", NO_DATA))
    elif pool.total("all_n") == 0:
        out.append(pool.blank("M03", EMPTY))
    else:
        low, high = pool.least("range_min"), pool.most("range_max")
        out.append(pool.value("M03", value=None, display=f"{low} – {high}", status=OK,
                              detail={"min": low, "max": high}))
    main_ns, leaver_ns, asye_ns = _count_keys({p.team_id: p for p in pool.params})
    if thresholds is not None:
        main_ns = leaver_ns = asye_ns = set(thresholds)
    out += _counts(pool, "M04", main_ns, "over", "main_n", main_teams or pool.params)
    out += _asye(pool, main_teams or pool.params, asye_ns)
    if leaver_teams:
        out += _average(pool, "M08", "cl", leaver_teams)
        out += _counts(pool, "M09", leaver_ns, "cl_over", "cl_n", leaver_teams)
    # M10 / M19: calendar month, population from the month's snapshot (1.2)
    if pool.no_rows:
        out.append(pool.blank("M10", NO_DATA, snapshot=False, target=SUPERVISION_TARGET))
    else:
        out.append(_percentage(pool, "M10", pool.total("m10_yes"), pool.total("m10_n"), target=SUPERVISION_TARGET))
    for measure in IMPORTED_MEASURES:
        rows = [pool.data.imported[t][measure] for t in pool.team_ids if measure in pool.data.imported.get(t, {})]
        if not rows:
            out.append(pool.blank(measure.value, NO_DATA, snapshot=False))
        else:
            out.append(_percentage(pool, measure.value, sum(r[0] for r in rows), sum(r[1] for r in rows), target=None))
    snaps = [pool.data.team_snaps[t] for t in pool.team_ids if t in pool.data.team_snaps]
    if pool.snapshot_on is None or not snaps:
        out.append(pool.blank("M15", NO_DATA))
        out.append(pool.blank("M16", NO_DATA))
    else:
        unallocated, held = _add(snaps, "unallocated_children"), pool.total("absent_held")
        out.append(pool.value("M15", value=Decimal(unallocated), status=OK,
                              display=f"{unallocated}; {held} held by absent workers",
                              detail={"unallocated": unallocated, "held_by_absent": held}))
        vacant, agency, establishment = (_add(snaps, k) for k in ("vacant_fte", "agency_fte", "establishment_fte"))
        out.append(pool.value("M16", value=vacant, status=OK,
                              display=f"{fmt(vacant, 2)} vacant, {fmt(agency, 2)} covered by agency staff",
                              detail={"vacant_fte": vacant, "agency_fte": agency, "establishment_fte": establishment}))
    if pool.no_rows:
        out.append(pool.blank("M17", NO_DATA, target=ZERO))
    else:
        managers = pool.total("managers")
        out.append(pool.value("M17", value=Decimal(managers), display=str(managers), status=OK, target=ZERO,
                              rag=rag_count(managers, pool.total("main_n"))))
    if pool.snapshot_on is None:  # escalations are evaluated on snapshots
        out.append(pool.blank("M18", NO_DATA, target=ZERO))
    else:
        esc = [pool.data.escalations[t] for t in pool.team_ids if t in pool.data.escalations]
        awaiting, sustained = _add(esc, "awaiting") or 0, _add(esc, "sustained") or 0
        out.append(pool.value(
            "M18", value=Decimal(awaiting + sustained), status=OK, target=ZERO,
            display=f"{awaiting} awaiting agreement; {sustained} over the maximum too long",
            rag=rag_count(awaiting + sustained, pool.total("main_n")),
            detail={"awaiting_agreement": awaiting, "over_maximum_too_long": sustained,
                    "oldest_since": min((e["since"] for e in esc if e.get("since")), default=None),
                    "earliest_due": min((e["due"] for e in esc if e.get("due")), default=None)},
        ))
    if pool.no_rows:
        out.append(pool.blank("M19", NO_DATA, snapshot=False, target=SUPERVISION_TARGET))
        out.append(pool.blank("M20", NO_DATA, snapshot=False))
    else:
        signed_n, of = pool.total("m19_yes"), pool.total("m19_n")
        out.append(_percentage(pool, "M19", signed_n, of, target=SUPERVISION_TARGET))
        if of == 0:
            out.append(pool.blank("M20", EMPTY, snapshot=False))
        else:
            bands = _bands(pool, of - signed_n)
            out.append(pool.value("M20", snapshot=False, value=Decimal(signed_n), status=OK,
                                  display=", ".join(f"{label} {n}" for label, n in bands.items()), detail=bands))
    managers = _manager_workload(pool)
    if managers:
        out.append(pool.value("M22", snapshot=False, value=None, status=OK, detail={"rows": managers},
                              display="; ".join(
                                  f"{m['name']}: {fmt(m['points'], 1)} points, {m['workers']} "
                                  f"worker{'' if m['workers'] == 1 else 's'}" for m in managers)))
    else:
        # no rows at all is a month with no data, not a month with no managers
        out.append(pool.blank("M22", NO_DATA if pool.no_rows else EMPTY, snapshot=False, detail={"rows": []}))
    return out


# ============================================================================ public entry points


def measure_workers(scope: Scope, month: date, measure: str, threshold: int | None = None,
                    window: tuple[date, date] | None = None) -> list[dict]:
    """The worker rows behind a count (the drill-down): initials, team, cases and WTE, ordered by team and
    initials. M04 / M05 / M09 need the threshold; M17 lists managers holding cases; M15 the absent holders.
    `window` (first, last day): the snapshot within those days instead of the month's.

    A worker with no snapshot in the month is counted from their countersigned pro-forma (REPORTS 1.1
    "Fallback"), so they are listed from it too (`from_proforma`): the list's length is the count shown. The
    snapshot rows and the pro-forma rows are one UNION query, whatever the number of rows."""
    team_ids = scope.team_ids()
    params = team_params(team_ids, month)
    data = month_rows(params, month, window) if params else None
    if data is None:
        return []
    if measure == "M17":
        condition = data.managers_holding
    elif measure == "M15":
        condition = Q(long_absent=True) & Q(allocated_children__gte=1)
    elif measure in ("M04", "M05", "M09") and threshold is not None:
        population, field = {"M04": (data.main, "allocated_children"), "M05": (data.asye, "allocated_children"),
                             "M09": (data.care_leaver, "cases")}[measure]
        condition = population & Q(**{f"{field}__gt": data.limit(threshold)})
    else:
        raise ValueError(f"There is no worker list for this measure ({measure}).")
    # the same columns, in the same order, from both sides (values() keeps the order given, Django 5.2)
    columns = ("worker_id", "worker__first_name", "worker__surname", "team__code", "team__name", "cases",
               "allocated_children", "wte", "from_proforma")
    snapshots = data.rows.filter(condition).annotate(from_proforma=Value(False)).values_list(*columns)
    proformas = data.fallback.filter(condition).annotate(from_proforma=Value(True)).values_list(*columns)
    rows = [dict(zip(columns, row, strict=True)) for row in snapshots.union(proformas, all=True)]
    # sorted here: an ORDER BY on a UNION of two models' joins is not portable to SQLite
    rows.sort(key=lambda r: (r["team__code"], r["worker__surname"], r["worker__first_name"], r["worker_id"]))
    return [
        {"worker_id": r["worker_id"],
         "initials": f"{r['worker__first_name'][:1]}{r['worker__surname'][:1]}".upper(),
         "name": f"{r['worker__first_name']} {r['worker__surname']}", "team": r["team__name"],
         "team_code": r["team__code"], "cases": r["cases"], "allocated_children": r["allocated_children"],
         "wte": r["wte"], "from_proforma": bool(r["from_proforma"])}
        for r in rows
    ]


def measures_for(scope: Scope, months: Sequence[date]) -> list[MeasureValue]:
    """Every measure for one scope and each month (trends): a fixed number of queries whatever the months."""
    team_ids = scope.team_ids()
    data = MonthsData(team_ids, months)
    out: list[MeasureValue] = []
    for month in months:
        out += values_for(data.month(month), scope, team_ids)
    return out


def measures_with_teams(scope: Scope, months: Sequence[date], team_ids: Sequence[int]
                        ) -> tuple[list[MeasureValue], dict[int, list[MeasureValue]]]:
    """measures_for(scope, months) and measures_by_team(team_ids, last month) from one load: a dashboard's
    cards and trends and its table of teams share the same grouped queries."""
    scope_ids = scope.team_ids()
    data = MonthsData(sorted({*scope_ids, *team_ids}), months)
    out: list[MeasureValue] = []
    for month in months:
        out += values_for(data.month(month), scope, scope_ids)
    last = data.month(months[-1])
    return out, {t: values_for(last, Scope("team", t, last.params[t].name), [t]) for t in team_ids if t in last.params}


def measures_by_team(team_ids: Sequence[int], month: date) -> dict[int, list[MeasureValue]]:
    """Per-team rows of a table: the same queries once for all the teams, then each team's own figures."""
    data = MonthsData(team_ids, [month]).month(month)
    return {
        t: values_for(data, Scope("team", t, data.params[t].name), [t]) for t in team_ids if t in data.params
    }


def measures_on(scope: Scope, month: date, window: tuple[date, date]) -> list[MeasureValue]:
    """Every measure for one scope from the snapshot in `window` (a week's), calendar-month measures of
    `month`: the weekly report and the quarter block's "w/e" column."""
    team_ids = scope.team_ids()
    return values_for(MonthsData(team_ids, [month], windows={month: window}).month(month), scope, team_ids)
