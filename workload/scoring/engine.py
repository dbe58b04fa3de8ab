"""Score one worker's month: case points from the version's tables, then the rule family's totals and bands.

Pure: no ORM, no I/O. Assumes the month passed `validate_month` (or came from `parse_month`). Every figure
carries its reasons, which sum exactly to it, so the UI can explain a score line by line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, localcontext

from .decimals import EXACT, ZERO, plain, tidy
from .inputs import CaseInput, MonthInput
from .reasons import CaseScore, Reason
from .tables import PER_CASE, PER_CHILD, PER_GROUP, BandRule, CategorySpec, FactorUse, SchemeTables

__all__ = ["CaseScore", "Reason", "Score", "score_case", "score_month"]

# Remembered case results per category (children, factors); beyond this many a category scores afresh.
_MEMO_LIMIT = 2048


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
    personal_reasons: tuple[Reason, ...] = ()
    extra_reasons: tuple[Reason, ...] = ()
    weight_reasons: tuple[Reason, ...] = ()  # what case_points adds to the per-case sum (Warrington)
    wte: Decimal = Decimal(1)
    tables: SchemeTables | None = field(default=None, repr=False, compare=False)

    @cached_property
    def band_reason(self) -> str:
        """Why the band, e.g. "36.6 is below 45 (75 × WTE 0.6, sustainable minimum)"."""
        return self._explain(self.total_points, self.tables.bands if self.tables else ())

    @cached_property
    def case_band_reason(self) -> str | None:
        if self.case_count is None or self.tables is None:
            return None
        return self._explain(self.case_count, self.tables.case_bands)

    def _explain(self, value: Decimal | int, rules: tuple[BandRule, ...]) -> str:
        # Built on demand: a page shows a handful of these, a report scores thousands of months.
        if self.tables is None:
            return ""
        full = self.tables.figures[(self.scheme_team, self.grade)] if False else None  # noqa: SIM108
        return _band_reason(value, rules, self.band_thresholds, self._full_time, self.wte,
                            dict(self.tables.threshold_keys))

    @cached_property
    def _full_time(self) -> dict[str, Decimal]:
        # scaled / wte would divide; the full-time figures are looked up again instead
        return {key: _FULL_TIME[key] for key in ()} if False else self.__dict__["_figures"]


# ------------------------------------------------------------------------------------------ case lines


def score_case(case: CaseInput, spec: CategorySpec, tables: SchemeTables) -> CaseScore:
    """One line's points after co-working, with its reasons."""
    factors = case.factors
    if type(factors) is not tuple:
        factors = tuple(factors)
    key = (case.children, factors)
    memo = spec.memo
    base = memo.get(key)
    if base is None:
        base = _score_line(case.children, factors, spec)
        if len(memo) < _MEMO_LIMIT:
            memo[key] = base
    if not case.co_worked:
        return base
    share = case.co_work_share
    if share is None:
        share = tables.co_work_default_share
        if share is None:  # co-worked lines count in full (caseload count, CNT-3)
            return CaseScore(base.points, (*base.reasons, Reason("Co-worked: counted in full", ZERO,
                                                                   "Co-worked cases count in full")))
        text, detail = tables.co_work_default_label, "Co-working: the scheme's share"
    else:
        text, detail = plain(share), "Co-working: this worker's agreed share"
    points = tidy(base.points * share)
    return CaseScore(points, (*base.reasons, Reason(f"Co-worked: × {text}", tidy(points - base.points), detail)))


def _score_line(n: int, factors: tuple[str, ...], spec: CategorySpec) -> CaseScore:
    uses = spec.factors
    reasons: list[Reason] = []
    total = ZERO
    replacing = None
    for code in factors:
        use = uses[code]
        if use.replaces_case_points:
            replacing = use
    if replacing is not None:  # Warrington closure: "replaces any other points allocated"
        points, reason = _factor(replacing, n, spec)
        return CaseScore(points, (reason,))
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
        reasons.append(Reason(f"{count} {further}{noun} × {comp.points_text} ({comp.label})", points, comp.detail))
        if comp.cap is not None and points > comp.cap:  # Swindon sibling cap (SWI-8)
            reasons.append(Reason(f"Sibling cap: {comp.cap_label} capped at {plain(comp.cap)}",
                                  comp.cap - points, comp.detail))
            points = comp.cap
        total += points
    for code in factors:
        use = uses[code]
        if use.reason is not None:
            total += use.points
            reasons.append(use.reason)
        else:
            points, reason = _factor(use, n, spec)
            total += points
            reasons.append(reason)
    return CaseScore(total, tuple(reasons))


def _factor(use: FactorUse, n: int, spec: CategorySpec) -> tuple[Decimal, Reason]:
    if use.unit == PER_CASE:
        return use.points, use.reason  # type: ignore[return-value]
    if use.unit == PER_CHILD:
        points = use.points * n
        return points, Reason(f"{use.label}: {n} {spec.noun(n)} × {use.points_text}", points,
                              f"{use.detail}, per {spec.noun_one}")
    assert use.unit == PER_GROUP
    g = spec.group(n)
    points = use.points * g
    label = f"{use.label}: {use.points_text} × group multiplier {g} ({spec.short} of {n})"
    if use.cap is not None and points > use.cap:
        points = use.cap
        label += f", capped at {plain(use.cap)}"
    return points, Reason(label, points, f"{use.detail}, per group of children")


# -------------------------------------------------------------------------------------- worker figures


def _personal(month: MonthInput, tables: SchemeTables) -> tuple[Decimal, tuple[Reason, ...]]:
    specs = tables.personal_specs
    reasons = tuple(specs[code].reason for code in month.worker.personal)
    if tables.stable is not None:  # Warrington: 15 stable points for every worker, never pro-rated
        reasons = (tables.stable.reason, *reasons)
    return sum((r.points for r in reasons), ZERO), reasons


def _extras(month: MonthInput, tables: SchemeTables) -> tuple[Decimal, tuple[Reason, ...]]:
    worker = month.worker
    specs = tables.extra_specs
    reasons = [specs[code].reason for code in worker.extras]
    rate = tables.duty_rate
    if rate is not None and worker.extra_duty_hours:
        hours = worker.extra_duty_hours
        reasons.append(Reason(f"{rate.label}: {plain(hours)} hours × {plain(rate.points_per_hour)}",
                              tidy(hours * rate.points_per_hour), rate.detail))
    return sum((r.points for r in reasons), ZERO), tuple(reasons)


# --------------------------------------------------------------------------------- rule family totals
# Each returns (case_points, workload_weight, weight reasons, case_count) from the per-case sum.

FamilyTotals = tuple[Decimal, int | None, tuple[Reason, ...], int | None]


def _plain_totals(month: MonthInput, tables: SchemeTables, case_sum: Decimal) -> FamilyTotals:
    """Nottinghamshire, Swindon, caseload count: case points are the sum of the lines."""
    return case_sum, None, (), None


def _rbwm_totals(month: MonthInput, tables: SchemeTables, case_sum: Decimal) -> FamilyTotals:
    """RBWM also counts cases: a CIN family is one case, each CiC/CP child, care leaver or carer one
    (RBW-5), co-worked lines in full."""
    cats = tables.team_type_specs[month.team_type].categories
    count = sum(1 if cats[c.category].counts_whole_case else c.children for c in month.cases)
    return case_sum, None, (), count


def _warrington_totals(month: MonthInput, tables: SchemeTables, case_sum: Decimal) -> FamilyTotals:
    """Warrington: +1 workload-weight point per 10 case points after co-working, not compounding (WAR-3)."""
    rule = tables.weight
    assert rule is not None
    whole = int(case_sum.to_integral_value(rounding=ROUND_FLOOR))
    weight = whole // rule.per  # floor(S / per) == floor(floor(S) / per) for S >= 0; no division of decimals
    reason = Reason(f"{rule.label}: floor({plain(case_sum)} / {rule.per}) = {weight}", Decimal(weight),
                    rule.detail)
    return case_sum + weight, weight, (reason,), None


RULES: dict[str, Callable[[MonthInput, SchemeTables, Decimal], FamilyTotals]] = {
    "nottinghamshire": _plain_totals,
    "swindon": _plain_totals,
    "rbwm": _rbwm_totals,
    "warrington": _warrington_totals,
    "caseload_count": _plain_totals,
}


# --------------------------------------------------------------------------------------------- bands


def _band(value: Decimal | int, rules: tuple[BandRule, ...], scaled: dict[str, Decimal],
          figures: dict[str, Decimal], wte: Decimal, labels: dict[str, str]) -> tuple[BandRule, str]:
    """First matching rule, and a sentence saying why ("36.6 is below 45 (75 × WTE 0.6)")."""
    v = plain(value)

    def said(key: str) -> str:
        return f"{plain(scaled[key])} ({plain(figures[key])} × WTE {plain(wte)}, {labels[key]})"

    previous: BandRule | None = None
    for rule in rules:
        if rule.key is not None and rule.key not in scaled:
            continue
        op = rule.op
        if op is None:
            assert previous is not None and previous.key is not None
            return rule, f"{v} is above {said(previous.key)}"
        limit = scaled[rule.key]  # type: ignore[index]
        if op == "lt" and value < limit:
            return rule, f"{v} is below {said(rule.key)}"  # type: ignore[arg-type]
        if op == "le" and value <= limit:
            lower = f" and not below {said(previous.key)}" if previous is not None and previous.op == "lt" else ""
            if previous is not None and previous.op == "le":
                lower = f" and above {said(previous.key)}"  # type: ignore[arg-type]
            return rule, f"{v} is at most {said(rule.key)}{lower}"  # type: ignore[arg-type]
        if op == "gt" and value > limit:
            return rule, f"{v} is above {said(rule.key)}"  # type: ignore[arg-type]
        previous = rule
    raise AssertionError("band rules end with a catch-all")  # from_data guarantees it


# ---------------------------------------------------------------------------------------------- month


def score_month(*, month: MonthInput, tables: SchemeTables) -> Score:
    """Score a valid month (see validate_month) exactly: no rounding but Warrington's explicit floor."""
    team = tables.team_type_specs[month.team_type]
    categories = team.categories
    wte = month.worker.wte
    with localcontext(EXACT):
        scores = tuple([score_case(case, categories[case.category], tables) for case in month.cases])
        case_sum = sum([s.points for s in scores], ZERO)
        case_points, weight, weight_reasons, case_count = RULES[tables.rules](month, tables, case_sum)
        personal_points, personal_reasons = _personal(month, tables)
        extra_points, extra_reasons = _extras(month, tables)
        case_points, personal_points, extra_points = tidy(case_points), tidy(personal_points), tidy(extra_points)
        total = tidy(case_points + personal_points + extra_points)
        figures = tables.figures[(month.team_type, month.worker.grade)]
        full = dict(figures)
        scaled = {key: tidy(figure * wte) for key, figure in figures}
        labels = dict(tables.threshold_keys)
        band, band_reason = _band(total, tables.bands, scaled, full, wte, labels)
        case_band = case_band_reason = None
        if tables.case_bands and case_count is not None:
            case_band, case_band_reason = _band(case_count, tables.case_bands, scaled, full, wte, labels)
    return Score(
        scheme=tables.slug,
        case_points=case_points,
        personal_points=personal_points,
        extra_points=extra_points,
        total_points=total,
        band=band.code,
        band_label=band.label,
        band_thresholds=scaled,
        cases=scores,
        workload_weight=weight,
        case_count=case_count,
        case_band=None if case_band is None else case_band.code,
        case_band_label=None if case_band is None else case_band.label,
        personal_reasons=personal_reasons,
        extra_reasons=extra_reasons,
        weight_reasons=weight_reasons,
        band_reason=band_reason,
        case_band_reason=case_band_reason,
        wte=wte,
    )
