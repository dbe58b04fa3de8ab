"""Score one worker's month: case points from the version's tables, then the rule family's totals and bands.

Pure: no ORM, no I/O. Assumes the month passed `validate_month` (or came from `parse_month`). Every figure
carries its reasons, which sum exactly to it, so the UI can explain a score line by line.

One module for the five rule families (a small function each, SCHEMES.md §3-7): they share the reason and
rounding helpers, and a family is read beside the others it differs from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_FLOOR, Decimal, localcontext
from functools import cached_property
from types import MappingProxyType

from .decimals import EXACT, ZERO, plain, tidy
from .inputs import CaseInput, MonthInput
from .reasons import CaseScore, Reason
from .tables import PER_CASE, PER_CHILD, PER_GROUP, BandRule, CategorySpec, FactorUse, SchemeTables

__all__ = ["CaseScore", "Reason", "Score", "score_case", "score_month"]

# A line's score is a pure function of its category spec, children, factors and co-working, and a month is
# mostly lines seen before (the same cases month after month), so scored lines are remembered: up to
# _LINES_LIMIT of them (a few MB), then the memory starts again. Below that, each category's own columns
# and each per-child factor are remembered per number of children, up to _CHILDREN_REMEMBERED children, and
# thresholds per (team type, grade, WTE) up to _MEMO_LIMIT per scheme version.
_LINES: dict[tuple, CaseScore] = {}
_LINES_LIMIT = 50_000
_CHILDREN_REMEMBERED = 100
_MEMO_LIMIT = 512


@dataclass(frozen=True)
class Score:
    """A month's score in the terms of SCHEMES.md 8.2, with the reasons behind each figure."""

    scheme: str
    case_points: Decimal
    personal_points: Decimal
    extra_points: Decimal
    total_points: Decimal
    band: str
    band_label: str
    band_thresholds: dict[str, Decimal]  # already × WTE, in the spec's key order
    cases: tuple[CaseScore, ...]
    workload_weight: int | None = None  # Warrington
    case_count: int | None = None  # RBWM
    case_band: str | None = None  # RBWM
    case_band_label: str | None = None
    wte: Decimal = Decimal(1)
    full_time_thresholds: Mapping[str, Decimal] = field(default_factory=dict, repr=False)  # WTE 1.0 figures
    month: MonthInput | None = field(default=None, repr=False, compare=False)
    tables: SchemeTables | None = field(default=None, repr=False, compare=False)

    # The worker-level explanations are built on demand (cached_property writes the instance dict, so it
    # works on a frozen dataclass): a page explains a handful of months, a report scores thousands.
    # Case reasons are built with the case points (and remembered per category), so they are always there.

    @cached_property
    def personal_reasons(self) -> tuple[Reason, ...]:
        """Nottinghamshire personal elements; Warrington's stable element."""
        if self.month is None or self.tables is None:
            return ()
        return _personal_reasons(self.month, self.tables)

    @cached_property
    def extra_reasons(self) -> tuple[Reason, ...]:
        """Nottinghamshire extra-duty hours; Swindon and Warrington extra responsibilities."""
        if self.month is None or self.tables is None:
            return ()
        return _extra_reasons(self.month, self.tables)

    @cached_property
    def weight_reasons(self) -> tuple[Reason, ...]:
        """What case_points adds to the sum of the lines: Warrington's workload weight."""
        if self.tables is None or self.tables.weight is None or self.workload_weight is None:
            return ()
        rule = self.tables.weight
        case_sum = self.case_points - self.workload_weight
        return (
            Reason(
                f"{rule.label}: floor({plain(case_sum)} / {rule.per}) = {self.workload_weight}",
                Decimal(self.workload_weight),
                rule.detail,
            ),
        )

    @cached_property
    def band_reason(self) -> str:
        """Why the band, e.g. "36.6 is below 45 (75 × WTE 0.6, sustainable minimum)"."""
        if self.tables is None:
            return ""
        return _band_reason(self.total_points, self.band, self.tables.bands, self)

    @cached_property
    def case_band_reason(self) -> str | None:
        if self.tables is None or self.case_count is None or self.case_band is None:
            return None
        return _band_reason(self.case_count, self.case_band, self.tables.case_bands, self)


_SCORE_FIELDS = tuple(f.name for f in fields(Score))


def _new_score(**values: object) -> Score:
    """Score(**values) without the frozen __init__, which sets each of its 20 fields through
    object.__setattr__ and costs more than scoring a 20-line month. Every field must be given."""
    score = object.__new__(Score)
    assert len(values) == len(_SCORE_FIELDS)
    score.__dict__.update(values)
    return score


# ------------------------------------------------------------------------------------------ case lines


def score_case(case: CaseInput, spec: CategorySpec, tables: SchemeTables) -> CaseScore:
    """One line's points after co-working, with its reasons."""
    factors = case.factors
    if type(factors) is not tuple:
        factors = tuple(factors)
    base = _score_line(case.children, factors, spec)
    if not case.co_worked:
        return base
    share = case.co_work_share
    if share is None:
        share = tables.co_work_default_share
        if share is None:  # co-worked lines count in full (caseload count, CNT-3)
            return CaseScore(
                base.points,
                (*base.reasons, Reason("Co-worked: counted in full", ZERO, "Co-worked cases count in full")),
            )
        text, detail = tables.co_work_default_label, "Co-working: the scheme's share"
    else:
        text, detail = plain(share), "Co-working: this worker's agreed share"
    points = tidy(base.points * share)
    return CaseScore(
        points, (*base.reasons, Reason(f"Co-worked: × {text}", tidy(points - base.points), detail))
    )


def _score_line(n: int, factors: tuple[str, ...], spec: CategorySpec) -> CaseScore:
    """A line before co-working: the category's columns, then each factor."""
    base = spec.base_memo.get(n)
    if base is None:
        base = _columns(n, spec)
        if n <= _CHILDREN_REMEMBERED:
            spec.base_memo[n] = base
    if not factors:
        return base
    uses = spec.factors
    total = base.points
    reasons = list(base.reasons)
    for code in factors:
        use = uses[code]
        reason = use.reason
        if reason is not None and not use.replaces_case_points:  # per case: static
            total += use.points
            reasons.append(reason)
            continue
        found = use.memo.get(n)
        if found is None:
            found = _factor(use, n, spec)
            if n <= _CHILDREN_REMEMBERED:
                use.memo[n] = found
        if use.replaces_case_points:  # Warrington closure: "replaces any other points allocated"
            return CaseScore(found[0], (found[1],))
        total += found[0]
        reasons.append(found[1])
    return CaseScore(total, tuple(reasons))


def _columns(n: int, spec: CategorySpec) -> CaseScore:
    reasons: list[Reason] = []
    total = ZERO
    for comp in spec.components:
        unit = comp.unit
        if unit == PER_CASE:
            if n < comp.min_children or (comp.max_children is not None and n > comp.max_children):
                continue
            total += comp.points
            reasons.append(comp.reason)  # type: ignore[arg-type]
            continue
        count = n if unit == PER_CHILD else n - 1
        if count <= 0:
            continue
        points = comp.points * count
        noun = spec.noun(count)
        further = "" if unit == PER_CHILD else "further "
        reasons.append(
            Reason(f"{count} {further}{noun} × {comp.points_text} ({comp.label})", points, comp.detail)
        )
        if comp.cap is not None and points > comp.cap:  # Swindon sibling cap (SWI-8)
            reasons.append(
                Reason(
                    f"Sibling cap: {comp.cap_label} capped at {plain(comp.cap)}",
                    comp.cap - points,
                    comp.detail,
                )
            )
            points = comp.cap
        total += points
    return CaseScore(total, tuple(reasons))


def _factor(use: FactorUse, n: int, spec: CategorySpec) -> tuple[Decimal, Reason]:
    if use.unit == PER_CASE:
        return use.points, use.reason  # type: ignore[return-value]
    if use.unit == PER_CHILD:
        points = use.points * n
        return points, Reason(
            f"{use.label}: {n} {spec.noun(n)} × {use.points_text}",
            points,
            f"{use.detail}, per {spec.noun_one}",
        )
    assert use.unit == PER_GROUP
    g = spec.group(n)
    points = use.points * g
    label = f"{use.label}: {use.points_text} × group multiplier {g} ({spec.short} of {n})"
    if use.cap is not None and points > use.cap:
        points = use.cap
        label += f", capped at {plain(use.cap)}"
    return points, Reason(label, points, f"{use.detail}, per group of children")


# -------------------------------------------------------------------------------------- worker figures


def _personal_points(month: MonthInput, tables: SchemeTables) -> Decimal:
    stable = tables.stable  # Warrington: 15 stable points for every worker, never pro-rated
    points = ZERO if stable is None else stable.points
    codes = month.worker.personal
    if codes:
        specs = tables.personal_specs
        for code in codes:
            points += specs[code].points
        points = tidy(points)
    return points


def _personal_reasons(month: MonthInput, tables: SchemeTables) -> tuple[Reason, ...]:
    reasons = tuple(tables.personal_specs[code].reason for code in month.worker.personal)
    return reasons if tables.stable is None else (tables.stable.reason, *reasons)


def _extra_points(month: MonthInput, tables: SchemeTables) -> Decimal:
    worker = month.worker
    hours = worker.extra_duty_hours
    if not worker.extras and not hours:
        return ZERO
    specs = tables.extra_specs
    points = sum([specs[code].points for code in worker.extras], ZERO)
    if hours and tables.duty_rate is not None:
        points += hours * tables.duty_rate.points_per_hour
    return tidy(points)


def _extra_reasons(month: MonthInput, tables: SchemeTables) -> tuple[Reason, ...]:
    worker = month.worker
    reasons = [tables.extra_specs[code].reason for code in worker.extras]
    rate, hours = tables.duty_rate, worker.extra_duty_hours
    if rate is not None and hours:
        with localcontext(EXACT):
            points = tidy(hours * rate.points_per_hour)
        reasons.append(
            Reason(f"{rate.label}: {plain(hours)} hours × {plain(rate.points_per_hour)}", points, rate.detail)
        )
    return tuple(reasons)


# --------------------------------------------------------------------------------- rule family totals
# Each returns (case_points, workload_weight, case_count) from the per-case sum.

FamilyTotals = tuple[Decimal, int | None, int | None]


def _plain_totals(month: MonthInput, tables: SchemeTables, case_sum: Decimal) -> FamilyTotals:
    """Nottinghamshire, Swindon, caseload count: case points are the sum of the lines."""
    return case_sum, None, None


def _rbwm_totals(month: MonthInput, tables: SchemeTables, case_sum: Decimal) -> FamilyTotals:
    """RBWM also counts cases: a CIN family is one case, each CiC/CP child, care leaver or carer one
    (RBW-5), co-worked lines in full."""
    cats = tables.team_type_specs[month.team_type].categories
    count = sum([1 if cats[c.category].counts_whole_case else c.children for c in month.cases])
    return case_sum, None, count


def _warrington_totals(month: MonthInput, tables: SchemeTables, case_sum: Decimal) -> FamilyTotals:
    """Warrington: +1 workload-weight point per 10 case points after co-working, not compounding (WAR-3)."""
    rule = tables.weight
    assert rule is not None
    whole = int(case_sum.to_integral_value(rounding=ROUND_FLOOR))
    weight = whole // rule.per  # floor(S / per) == floor(floor(S) / per) for S >= 0; no decimal division
    return case_sum + weight, weight, None


RULES: dict[str, Callable[[MonthInput, SchemeTables, Decimal], FamilyTotals]] = {
    "nottinghamshire": _plain_totals,
    "swindon": _plain_totals,
    "rbwm": _rbwm_totals,
    "warrington": _warrington_totals,
    "caseload_count": _plain_totals,
}


# --------------------------------------------------------------------------------------------- bands


def _band(value: Decimal | int, rules: tuple[BandRule, ...], scaled: dict[str, Decimal]) -> BandRule:
    """The first rule that matches; a rule whose threshold this worker lacks is skipped."""
    for rule in rules:
        op = rule.op
        if op is None:
            return rule
        limit = scaled.get(rule.key)  # type: ignore[arg-type]
        if limit is None:
            continue
        if (
            (op == "lt" and value < limit)
            or (op == "le" and value <= limit)
            or (op == "gt" and value > limit)
        ):
            return rule
    raise AssertionError("band rules end with a catch-all")  # from_data guarantees it


def _band_reason(value: Decimal | int, band: str, rules: tuple[BandRule, ...], score: Score) -> str:
    scaled, full = score.band_thresholds, score.full_time_thresholds
    labels = dict(score.tables.threshold_keys) if score.tables else {}

    def said(key: str) -> str:
        return f"{plain(scaled[key])} ({plain(full[key])} × WTE {plain(score.wte)}, {labels.get(key, key)})"

    v = plain(value)
    previous: BandRule | None = None
    for rule in rules:
        if rule.key is not None and rule.key not in scaled:
            continue
        if rule.code == band:
            if rule.op is None:
                return f"{v} is above {said(previous.key)}" if previous and previous.key else v
            if rule.op == "lt":
                return f"{v} is below {said(rule.key)}"  # type: ignore[arg-type]
            if rule.op == "gt":
                return f"{v} is above {said(rule.key)}"  # type: ignore[arg-type]
            text = f"{v} is at most {said(rule.key)}"  # type: ignore[arg-type]
            if previous is not None and previous.key is not None:
                text += f" and {'not below' if previous.op == 'lt' else 'above'} {said(previous.key)}"
            return text
        previous = rule
    return v


# ---------------------------------------------------------------------------------------------- month


def _thresholds(
    tables: SchemeTables, team_type: str, grade: str | None, wte: Decimal
) -> tuple[dict[str, Decimal], Mapping[str, Decimal]]:
    key = (team_type, grade, wte)
    found = tables.scaled_cache.get(key)
    if found is None:
        figures = tables.figures[(team_type, grade)]
        found = ({k: tidy(figure * wte) for k, figure in figures}, MappingProxyType(dict(figures)))
        if len(tables.scaled_cache) >= _MEMO_LIMIT:
            tables.scaled_cache.clear()
        tables.scaled_cache[key] = found
    return found


def score_month(*, month: MonthInput, tables: SchemeTables) -> Score:
    """Score a valid month (see validate_month) exactly: no rounding but Warrington's explicit floor."""
    categories = tables.team_type_specs[month.team_type].categories
    worker = month.worker
    wte = worker.wte
    with localcontext(EXACT):
        # score_case inlined for the common line (remembered, not co-worked): this loop is the hot path.
        scores = []
        append = scores.append
        case_sum = ZERO
        for case in month.cases:
            spec = categories[case.category]
            factors = case.factors
            if type(factors) is tuple:
                if case.co_worked:
                    key = (spec, case.children, factors, case.co_work_share)
                else:
                    key = (spec, case.children, factors)
                line = _LINES.get(key)
                if line is None:
                    line = score_case(case, spec, tables)
                    if len(_LINES) >= _LINES_LIMIT:  # bounded: start again rather than grow
                        _LINES.clear()
                    _LINES[key] = line
            else:
                line = score_case(case, spec, tables)
            append(line)
            case_sum += line.points
        case_points, weight, case_count = RULES[tables.rules](month, tables, case_sum)
        case_points = tidy(case_points)
        personal_points = _personal_points(month, tables)
        extra_points = _extra_points(month, tables)
        total = tidy(case_points + personal_points + extra_points)
        scaled, full = _thresholds(tables, month.team_type, worker.grade, wte)
        band = _band(total, tables.bands, scaled)
        case_band = None
        if case_count is not None and tables.case_bands:
            case_band = _band(case_count, tables.case_bands, scaled)
    return _new_score(
        scheme=tables.slug,
        case_points=case_points,
        personal_points=personal_points,
        extra_points=extra_points,
        total_points=total,
        band=band.code,
        band_label=band.label,
        band_thresholds=dict(scaled),  # a copy: the cached one is shared
        cases=tuple(scores),
        workload_weight=weight,
        case_count=case_count,
        case_band=None if case_band is None else case_band.code,
        case_band_label=None if case_band is None else case_band.label,
        wte=wte,
        full_time_thresholds=full,  # read-only, shared
        month=month,
        tables=tables,
    )
