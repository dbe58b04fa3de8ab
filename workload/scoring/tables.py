"""One scheme version's figures, read from its data (workload/schemes/<slug>.json or a SchemeVersion row),
checked once and indexed so that scoring is dictionary look-ups.

The data holds every figure and label; the rule family (`"rules"`) names the few behaviours that are
code (engine.py). A new version of a scheme with other figures is a new data file with the same rules.

Longer than most modules, on purpose: `_build` reads a version's data in the order SCHEMES.md lays it out
(worker fields, personal elements, extras, categories, factors, bands), so a reviewer checks it against the
spec section by section; splitting it would scatter one checklist over several files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from .decimals import plain
from .reasons import Reason

RULE_FAMILIES = frozenset({"nottinghamshire", "swindon", "rbwm", "warrington", "caseload_count"})

# How a category column or a factor multiplies (SCHEMES.md 3.2, 4.1, 5.2, 6.3).
PER_CASE = "per_case"  # once per line (family, case)
PER_CHILD = "per_child"  # × children (young people, carers, households)
PER_FURTHER_CHILD = "per_further_child"  # × (children − 1): Nottinghamshire column B
PER_GROUP = "per_group"  # × the CIN group multiplier g, optionally capped: Warrington CIN families
COMPONENT_UNITS = frozenset({PER_CASE, PER_CHILD, PER_FURTHER_CHILD})
FACTOR_UNITS = frozenset({PER_CASE, PER_CHILD, PER_GROUP})
BAND_OPS = frozenset({"lt", "le", "gt"})

EMPTY: Mapping[str, Any] = MappingProxyType({})


class SchemeDataError(ValueError):
    """The scheme data itself is unusable (a missing key, an unknown code, a figure that is not a number)."""


# ------------------------------------------------------------------------------------------ data readers


def _get(data: Mapping, key: str, where: str) -> Any:
    try:
        return data[key]
    except (KeyError, TypeError):
        raise SchemeDataError(f"{where}: '{key}' is missing") from None


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise SchemeDataError(f"{where} must be non-empty text, not {value!r}")
    return value


def _number(value: Any, where: str) -> Decimal:
    """A figure from the data as an exact Decimal. Data files write decimals as strings ("7.5"); a float can
    only arrive from a JSON decoder that made one, and its shortest repr is the figure that was written."""
    if isinstance(value, bool):
        raise SchemeDataError(f"{where} must be a number, not {value!r}")
    try:
        if isinstance(value, int | Decimal):
            result = Decimal(value)
        elif isinstance(value, str):
            result = Decimal(value.strip())
        elif isinstance(value, float):
            result = Decimal(repr(value))
        else:
            raise SchemeDataError(f"{where} must be a number, not {value!r}")
    except InvalidOperation:
        raise SchemeDataError(f"{where} must be a number, not {value!r}") from None
    if not result.is_finite():
        raise SchemeDataError(f"{where} must be a finite number, not {value!r}")
    return result


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise SchemeDataError(f"{where} must be a whole number, not {value!r}")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise SchemeDataError(f"{where} must be a list, not {value!r}")
    return list(value)


def _codes(value: Any, where: str, known: Mapping | frozenset | set) -> frozenset[str]:
    codes = [_text(code, where) for code in _list(value, where)]
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise SchemeDataError(f"{where} names unknown code(s): {', '.join(unknown)}")
    return frozenset(codes)


def _groups(value: Any, where: str, known: Mapping) -> tuple[frozenset[str], ...]:
    groups = tuple(_codes(group, where, known) for group in _list(value, where))
    if any(len(group) < 2 for group in groups):
        raise SchemeDataError(f"{where}: a mutually exclusive group needs at least two codes")
    return groups


# ------------------------------------------------------------------------------------------- the specs


@dataclass(frozen=True, slots=True)
class Component:
    """One scoring column of a category row, e.g. Nottinghamshire column A or Swindon's basic weight."""

    unit: str
    points: Decimal
    points_text: str
    label: str
    detail: str
    cap: Decimal | None = None
    cap_label: str = ""
    min_children: int = 1
    max_children: int | None = None
    reason: Reason | None = None  # per-case columns: the same reason every time


@dataclass(frozen=True, slots=True)
class FactorUse:
    """A factor as it scores on one category (unit, points and cap may differ by category)."""

    code: str
    label: str
    unit: str
    points: Decimal
    points_text: str
    cap: Decimal | None
    detail: str
    replaces_case_points: bool
    reason: Reason | None  # per-case factors: the same reason every time
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # children -> (points, reason)


@dataclass(frozen=True, slots=True, eq=False)
class CategorySpec:
    """A category as one team type scores it: its columns and the factors allowed on it."""

    code: str
    label: str
    short: str
    noun_one: str
    noun_many: str
    components: tuple[Component, ...]
    groups: tuple[tuple[int, int], ...]  # (minimum children, multiplier g), ascending
    counts_whole_case: bool  # RBWM case count: a CIN family is one case, otherwise each child
    factors: Mapping[str, FactorUse]
    # Scores of the category's own columns per number of children (engine), and factor lists already
    # found valid (validator): pure functions of their keys, remembered here and bounded by their users.
    base_memo: dict = field(default_factory=dict, repr=False)
    valid_factor_lists: dict = field(default_factory=dict, repr=False)

    def noun(self, n: int) -> str:
        return self.noun_one if n == 1 else self.noun_many

    def group(self, children: int) -> int:
        g = 1
        for minimum, multiplier in self.groups:
            if children >= minimum:
                g = multiplier
        return g


@dataclass(frozen=True, slots=True)
class Factor:
    """A factor's definition, for the UI and for explaining why a factor is not allowed."""

    code: str
    label: str
    short: str
    categories: frozenset[str] | None  # None: every category
    teams: frozenset[str] | None  # None: every team type
    excluded_teams: frozenset[str]
    standalone: bool  # cannot be combined with any other factor (Warrington closure)


@dataclass(frozen=True, slots=True)
class TeamType:
    code: str
    label: str
    table: str
    categories: Mapping[str, CategorySpec]
    thresholds: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class PersonalElement:
    code: str
    label: str
    points: Decimal
    reason: Reason


@dataclass(frozen=True, slots=True)
class Extra:
    code: str
    label: str
    points: Decimal
    repeatable: bool
    teams: frozenset[str] | None
    grades: frozenset[str] | None
    reason: Reason


@dataclass(frozen=True, slots=True)
class Grade:
    code: str
    label: str
    thresholds: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class BandRule:
    """First matching rule wins: `total <op> threshold[key]`; op None matches always; a rule whose key the
    worker's thresholds lack is skipped (the caseload-count escalation exists for Barnet only)."""

    code: str
    label: str
    op: str | None
    key: str | None


@dataclass(frozen=True, slots=True)
class Bonus:
    """A fixed worker-level figure: Warrington's stable element."""

    points: Decimal
    reason: Reason


@dataclass(frozen=True, slots=True)
class WeightRule:
    """Warrington's workload weight: 1 point per `per` case points accumulated."""

    per: int
    label: str
    detail: str


@dataclass(frozen=True, slots=True)
class DutyRate:
    """Nottinghamshire's extra duties: points per hour a month."""

    points_per_hour: Decimal
    label: str
    detail: str


# ---------------------------------------------------------------------------------------------- tables


@dataclass(frozen=True, eq=False)
class SchemeTables:
    """Everything figure-like of one scheme version, indexed for scoring and for the UI."""

    slug: str
    label: str
    authority: str
    rules: str
    source: str
    data: Mapping[str, Any] = field(repr=False)
    team_type_specs: Mapping[str, TeamType] = field(repr=False)
    factor_specs: Mapping[str, Factor] = field(repr=False)
    max_factors: int | None
    factor_groups: tuple[frozenset[str], ...]
    personal_specs: Mapping[str, PersonalElement] = field(repr=False)
    max_personal: int | None
    personal_groups: tuple[frozenset[str], ...]
    duty_rate: DutyRate | None
    extra_specs: Mapping[str, Extra] = field(repr=False)
    extra_groups: tuple[frozenset[str], ...]
    grade_specs: Mapping[str, Grade] = field(repr=False)
    requires_grade: bool
    default_grade: str | None
    co_work_default_share: Decimal | None  # None: co-working does not change the points (caseload count)
    co_work_default_label: str
    co_work_share_accepted: bool
    stable: Bonus | None
    weight: WeightRule | None
    threshold_keys: tuple[tuple[str, str], ...]  # (code, label), in output order
    bands: tuple[BandRule, ...]
    case_bands: tuple[BandRule, ...]
    band_labels: Mapping[str, str] = field(repr=False)
    # (team type, grade or None) -> ((key, full-time figure), ...) in output order
    figures: Mapping[tuple[str, str | None], tuple[tuple[str, Decimal], ...]] = field(repr=False)
    # (team type, grade, wte) -> thresholds × wte, filled and bounded by the engine
    scaled_cache: dict = field(default_factory=dict, repr=False)

    # ---- for the UI -------------------------------------------------------------------------------

    @property
    def team_types(self) -> dict[str, str]:
        return {code: team.label for code, team in self.team_type_specs.items()}

    def categories_for(self, team_type: str) -> list[tuple[str, str]]:
        team = self.team_type_specs.get(team_type)
        return [] if team is None else [(c.code, c.label) for c in team.categories.values()]

    def factors_for(self, team_type: str, category: str) -> list[tuple[str, str]]:
        team = self.team_type_specs.get(team_type)
        spec = None if team is None else team.categories.get(category)
        if spec is None:
            return []
        return [(code, self.factor_specs[code].label) for code in spec.factors]

    @property
    def personal_elements(self) -> dict[str, tuple[str, Decimal]]:
        return {code: (p.label, p.points) for code, p in self.personal_specs.items()}

    @property
    def extras(self) -> dict[str, Extra]:
        return dict(self.extra_specs)

    def extras_for(self, team_type: str, grade: str | None) -> list[tuple[str, str]]:
        return [
            (code, extra.label)
            for code, extra in self.extra_specs.items()
            if (extra.teams is None or team_type in extra.teams)
            and (extra.grades is None or grade in extra.grades)
        ]

    @property
    def grades(self) -> dict[str, str]:
        return {code: grade.label for code, grade in self.grade_specs.items()}

    def band_label(self, code: str) -> str:
        return self.band_labels.get(code, code.replace("_", " ").capitalize())

    def thresholds_full_time(self, team_type: str, grade: str | None = None) -> dict[str, Decimal]:
        """The WTE 1.0 figures for a team type and grade (grade None: the default grade, if any)."""
        return dict(self.figures.get((team_type, grade or self.default_grade), ()))

    @property
    def accepts_grade(self) -> bool:
        return bool(self.grade_specs)

    @property
    def accepts_personal(self) -> bool:
        return bool(self.personal_specs)

    @property
    def accepts_extra_duty_hours(self) -> bool:
        return self.duty_rate is not None

    @property
    def accepts_extras(self) -> bool:
        return bool(self.extra_specs)

    @property
    def accepts_co_work_share(self) -> bool:
        return self.co_work_share_accepted

    @property
    def accepts_factors(self) -> bool:
        return bool(self.factor_specs)

    # ---- building ---------------------------------------------------------------------------------

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> SchemeTables:
        """Check scheme data and index it. Raises SchemeDataError (a ValueError) naming the bad part."""
        return _build(data)


def _build(data: Mapping[str, Any]) -> SchemeTables:
    if not isinstance(data, Mapping):
        raise SchemeDataError(f"scheme data must be an object, not {type(data).__name__}")
    slug = _text(_get(data, "slug", "scheme"), "slug")
    where = f"scheme {slug}"
    rules = _text(_get(data, "rules", where), f"{where}: rules")
    if rules not in RULE_FAMILIES:
        raise SchemeDataError(f"{where}: unknown rules '{rules}' (known: {', '.join(sorted(RULE_FAMILIES))})")

    # Factors first: category rows resolve them per category.
    raw_factors = _list(data.get("factors"), f"{where}: factors")
    raw_tables = _get(data, "tables", where)
    if not isinstance(raw_tables, Mapping) or not raw_tables:
        raise SchemeDataError(f"{where}: tables must be a non-empty object")
    all_categories: set[str] = set()
    for tname, table in raw_tables.items():
        for row in _list(_get(table, "categories", f"{where}: table {tname}"), f"{where}: table {tname}"):
            all_categories.add(_text(_get(row, "code", f"{where}: table {tname} row"), "category code"))
    raw_teams = _list(_get(data, "team_types", where), f"{where}: team_types")
    team_codes = {_text(_get(t, "code", f"{where}: team type"), "team type code") for t in raw_teams}
    if not team_codes:
        raise SchemeDataError(f"{where}: at least one team type is needed")

    factors: dict[str, Factor] = {}
    factor_raw: dict[str, Mapping] = {}
    for raw in raw_factors:
        code = _text(_get(raw, "code", f"{where}: factor"), "factor code")
        fw = f"{where}: factor {code}"
        if code in factors:
            raise SchemeDataError(f"{fw} is defined twice")
        label = _text(_get(raw, "label", fw), f"{fw}: label")
        cats = raw.get("categories")
        teams = raw.get("teams")
        factors[code] = Factor(
            code=code,
            label=label,
            short=raw.get("short") or label,
            categories=None if cats is None else _codes(cats, f"{fw}: categories", all_categories),
            teams=None if teams is None else _codes(teams, f"{fw}: teams", team_codes),
            excluded_teams=_codes(raw.get("excluded_teams"), f"{fw}: excluded_teams", team_codes),
            standalone=bool(raw.get("replaces_case_points") or raw.get("standalone")),
        )
        _check_factor_use(raw, fw, all_categories)
        factor_raw[code] = raw

    columns = _get(data, "columns", where)
    if not isinstance(columns, Mapping):
        raise SchemeDataError(f"{where}: columns must be an object")

    tables: dict[str, tuple[Mapping, list[Mapping]]] = {}
    for tname, table in raw_tables.items():
        rows = _list(table["categories"], f"{where}: table {tname}")
        tables[tname] = (table, rows)

    teams: dict[str, TeamType] = {}
    for raw in raw_teams:
        code = raw["code"]
        tw = f"{where}: team type {code}"
        if code in teams:
            raise SchemeDataError(f"{tw} is defined twice")
        tname = _text(_get(raw, "table", tw), f"{tw}: table")
        if tname not in tables:
            raise SchemeDataError(f"{tw}: unknown table '{tname}'")
        table, rows = tables[tname]
        allowed = raw.get("categories")
        row_codes = {row["code"] for row in rows}
        allowed_set = row_codes if allowed is None else _codes(allowed, f"{tw}: categories", row_codes)
        categories: dict[str, CategorySpec] = {}
        for row in rows:
            if row["code"] in allowed_set:
                spec = _category(row, code, table, columns, factors, factor_raw, f"{where}: table {tname}")
                categories[spec.code] = spec
        teams[code] = TeamType(
            code=code,
            label=_text(_get(raw, "label", tw), f"{tw}: label"),
            table=tname,
            categories=MappingProxyType(categories),
            thresholds=_figures(raw.get("thresholds"), f"{tw}: thresholds"),
        )

    factor_rules = data.get("factor_rules") or {}
    max_factors = factor_rules.get("max_per_case")
    personal_rules = data.get("personal_rules") or {}
    max_personal = personal_rules.get("max")

    personal: dict[str, PersonalElement] = {}
    for raw in _list(data.get("personal_elements"), f"{where}: personal_elements"):
        code = _text(_get(raw, "code", f"{where}: personal element"), "personal element code")
        pw = f"{where}: personal element {code}"
        label = _text(_get(raw, "label", pw), f"{pw}: label")
        points = _number(_get(raw, "points", pw), f"{pw}: points")
        personal[code] = PersonalElement(
            code, label, points, Reason(raw.get("short") or label, points, "Personal element")
        )

    grades: dict[str, Grade] = {}
    for raw in _list(data.get("grades"), f"{where}: grades"):
        code = _text(_get(raw, "code", f"{where}: grade"), "grade code")
        gw = f"{where}: grade {code}"
        grades[code] = Grade(
            code,
            _text(_get(raw, "label", gw), f"{gw}: label"),
            _figures(raw.get("thresholds"), f"{gw}: thresholds"),
        )
    requires_grade = bool(data.get("grade_required", False))
    default_grade = data.get("default_grade")
    if default_grade is not None and default_grade not in grades:
        raise SchemeDataError(f"{where}: default_grade '{default_grade}' is not a grade")
    if requires_grade and not grades:
        raise SchemeDataError(f"{where}: grade_required needs grades")

    extras: dict[str, Extra] = {}
    for raw in _list(data.get("extras"), f"{where}: extras"):
        code = _text(_get(raw, "code", f"{where}: extra"), "extra code")
        ew = f"{where}: extra {code}"
        label = _text(_get(raw, "label", ew), f"{ew}: label")
        points = _number(_get(raw, "points", ew), f"{ew}: points")
        teams_allowed = raw.get("teams")
        grades_allowed = raw.get("grades")
        extras[code] = Extra(
            code=code,
            label=label,
            points=points,
            repeatable=bool(raw.get("repeatable", False)),
            teams=None if teams_allowed is None else _codes(teams_allowed, f"{ew}: teams", teams),
            grades=None if grades_allowed is None else _codes(grades_allowed, f"{ew}: grades", grades),
            reason=Reason(raw.get("short") or label, points, raw.get("detail") or "Extra responsibility"),
        )

    duty = data.get("extra_duty_hours")
    duty_rate = None
    if duty is not None:
        duty_rate = DutyRate(
            _number(_get(duty, "points_per_hour", f"{where}: extra_duty_hours"), f"{where}: points_per_hour"),
            duty.get("label") or "Extra duties",
            duty.get("detail") or "Extra duties",
        )

    co = data.get("co_working") or {}
    share = co.get("default_share")
    share = None if share is None else _number(share, f"{where}: co_working.default_share")
    if share is not None and not (0 < share <= 1):
        raise SchemeDataError(f"{where}: co_working.default_share must be more than 0 and at most 1")

    stable = data.get("stable_points")
    stable_bonus = None
    if stable is not None:
        points = _number(_get(stable, "points", f"{where}: stable_points"), f"{where}: stable_points")
        stable_bonus = Bonus(
            points,
            Reason(stable.get("label") or "Stable element", points, stable.get("detail") or "Stable element"),
        )
    weight = data.get("workload_weight")
    weight_rule = None
    if weight is not None:
        per = _whole(_get(weight, "per", f"{where}: workload_weight"), f"{where}: workload_weight.per")
        if per < 1:
            raise SchemeDataError(f"{where}: workload_weight.per must be at least 1")
        weight_rule = WeightRule(per, weight.get("label") or "Workload weight", weight.get("detail") or "")
    if rules == "warrington" and (stable_bonus is None or weight_rule is None):
        raise SchemeDataError(f"{where}: the warrington rules need stable_points and workload_weight")

    threshold_keys = []
    for raw in _list(_get(data, "threshold_keys", where), f"{where}: threshold_keys"):
        threshold_keys.append(
            (
                _text(_get(raw, "code", f"{where}: threshold key"), "threshold key"),
                raw.get("label") or raw["code"].replace("_", " "),
            )
        )
    key_codes = {code for code, _ in threshold_keys}
    base_thresholds = _figures(data.get("thresholds"), f"{where}: thresholds")

    bands = _band_rules(_get(data, "bands", where), f"{where}: bands", key_codes)
    case_bands = (
        _band_rules(data.get("case_bands"), f"{where}: case_bands", key_codes)
        if data.get("case_bands")
        else ()
    )
    if rules == "rbwm" and not case_bands:
        raise SchemeDataError(f"{where}: the rbwm rules need case_bands")
    band_labels = {rule.code: rule.label for rule in (*bands, *case_bands)}

    figures: dict[tuple[str, str | None], tuple[tuple[str, Decimal], ...]] = {}
    grade_options: list[str | None] = list(grades) if grades else [None]
    if grades and not requires_grade:
        grade_options.append(None)
    for team in teams.values():
        for grade in grade_options:
            merged = dict(base_thresholds)
            merged.update(team.thresholds)
            chosen = grade or default_grade
            if chosen is not None:
                merged.update(grades[chosen].thresholds)
            unknown = set(merged) - key_codes
            if unknown:
                raise SchemeDataError(
                    f"{where}: threshold(s) {', '.join(sorted(unknown))} not in threshold_keys"
                )
            ordered = tuple((key, merged[key]) for key, _ in threshold_keys if key in merged)
            for rule in (*bands, *case_bands):
                if rule.key is not None and rule.key not in merged and rule.op != "gt":
                    raise SchemeDataError(
                        f"{where}: team type {team.code} (grade {chosen}) has no figure for band key {rule.key}"
                    )
            figures[(team.code, grade)] = ordered

    return SchemeTables(
        slug=slug,
        label=_text(_get(data, "label", where), f"{where}: label"),
        authority=str(data.get("authority") or ""),
        rules=rules,
        source=str(data.get("source") or ""),
        data=MappingProxyType(dict(data)),
        team_type_specs=MappingProxyType(teams),
        factor_specs=MappingProxyType(factors),
        max_factors=None if max_factors is None else _whole(max_factors, f"{where}: max_per_case"),
        factor_groups=_groups(factor_rules.get("exclusive_groups"), f"{where}: factor groups", factors),
        personal_specs=MappingProxyType(personal),
        max_personal=None if max_personal is None else _whole(max_personal, f"{where}: personal max"),
        personal_groups=_groups(
            personal_rules.get("exclusive_groups"), f"{where}: personal groups", personal
        ),
        duty_rate=duty_rate,
        extra_specs=MappingProxyType(extras),
        extra_groups=_groups(
            (data.get("extra_rules") or {}).get("exclusive_groups"), f"{where}: extra groups", extras
        ),
        grade_specs=MappingProxyType(grades),
        requires_grade=requires_grade,
        default_grade=default_grade,
        co_work_default_share=share,
        co_work_default_label=str(co.get("default_label") or (plain(share) if share is not None else "")),
        co_work_share_accepted=bool(co.get("accepts_share", False)),
        stable=stable_bonus,
        weight=weight_rule,
        threshold_keys=tuple(threshold_keys),
        bands=bands,
        case_bands=case_bands,
        band_labels=MappingProxyType(band_labels),
        figures=MappingProxyType(figures),
    )


def _figures(raw: Any, where: str) -> Mapping[str, Decimal]:
    if raw is None:
        return EMPTY
    if not isinstance(raw, Mapping):
        raise SchemeDataError(f"{where} must be an object")
    return MappingProxyType({_text(k, where): _number(v, f"{where}.{k}") for k, v in raw.items()})


def _band_rules(raw: Any, where: str, keys: set[str]) -> tuple[BandRule, ...]:
    rules = []
    for item in _list(raw, where):
        code = _text(_get(item, "code", where), f"{where}: code")
        cond = item.get("if")
        op = key = None
        if cond is not None:
            if (
                not isinstance(cond, list | tuple)
                or len(cond) != 2
                or cond[0] not in BAND_OPS
                or cond[1] not in keys
            ):
                raise SchemeDataError(f"{where}: band {code} has a bad condition {cond!r}")
            op, key = cond
        rules.append(BandRule(code, item.get("label") or code.replace("_", " ").capitalize(), op, key))
    if not rules or rules[-1].op is not None:
        raise SchemeDataError(f"{where}: the last band must have no condition (it catches the rest)")
    return tuple(rules)


def _check_factor_use(raw: Mapping, where: str, categories: set[str]) -> None:
    _number(_get(raw, "points", where), f"{where}: points")
    unit = raw.get("unit", PER_CASE)
    if unit not in FACTOR_UNITS:
        raise SchemeDataError(f"{where}: unknown unit '{unit}'")
    by_category = raw.get("by_category") or {}
    if not isinstance(by_category, Mapping):
        raise SchemeDataError(f"{where}: by_category must be an object")
    for cat, override in by_category.items():
        if cat not in categories:
            raise SchemeDataError(f"{where}: by_category names unknown category '{cat}'")
        if override.get("unit", unit) not in FACTOR_UNITS:
            raise SchemeDataError(f"{where}: unknown unit '{override.get('unit')}' for {cat}")


def _category(
    row: Mapping,
    team: str,
    table: Mapping,
    columns: Mapping,
    factors: Mapping[str, Factor],
    factor_raw: Mapping[str, Mapping],
    where: str,
) -> CategorySpec:
    code = row["code"]
    cw = f"{where} row {code}"
    label = _text(_get(row, "label", cw), f"{cw}: label")
    short = row.get("short") or label
    noun = row.get("noun") or ["child", "children"]
    if not isinstance(noun, list | tuple) or len(noun) != 2:
        raise SchemeDataError(f"{cw}: noun must be [singular, plural]")
    source = table.get("source") or table.get("label") or ""
    points = _get(row, "points", cw)
    if not isinstance(points, Mapping) or not points:
        raise SchemeDataError(f"{cw}: points must be a non-empty object of column: figure")
    components = []
    for key, figure in points.items():
        column = columns.get(key)
        if column is None:
            raise SchemeDataError(f"{cw}: unknown column '{key}'")
        unit = column.get("unit")
        if unit not in COMPONENT_UNITS:
            raise SchemeDataError(f"{where}: column {key} has unknown unit {unit!r}")
        value = _number(figure, f"{cw}.{key}")
        col_label = _text(column.get("label"), f"column {key}: label").format(category=short)
        detail = f"{source} row {code}, {column.get('detail') or key}"
        cap = column.get("cap")
        comp = Component(
            unit=unit,
            points=value,
            points_text=plain(value),
            label=col_label,
            detail=detail,
            cap=None if cap is None else _number(cap, f"column {key}: cap"),
            cap_label=column.get("cap_label") or col_label,
            min_children=_whole(column.get("min_children", 1), f"column {key}: min_children"),
            max_children=None
            if column.get("max_children") is None
            else _whole(column["max_children"], f"column {key}: max_children"),
            reason=Reason(col_label, value, detail) if unit == PER_CASE else None,
        )
        components.append(comp)
    groups = tuple(
        sorted(
            (_whole(m, f"{cw}: groups"), _whole(g, f"{cw}: groups"))
            for m, g in _list(row.get("groups"), f"{cw}: groups")
        )
    )
    uses: dict[str, FactorUse] = {}
    for fcode, factor in factors.items():
        if factor.categories is not None and code not in factor.categories:
            continue
        if team in factor.excluded_teams or (factor.teams is not None and team not in factor.teams):
            continue
        raw = factor_raw[fcode]
        override = (raw.get("by_category") or {}).get(code, {})
        unit = override.get("unit", raw.get("unit", PER_CASE))
        value = _number(override.get("points", raw["points"]), f"factor {fcode}: points")
        cap = override.get("cap", raw.get("cap"))
        if unit == PER_GROUP and not groups:
            raise SchemeDataError(f"factor {fcode}: per_group on category {code}, which has no groups")
        detail = raw.get("detail") or "Additional factor"
        uses[fcode] = FactorUse(
            code=fcode,
            label=factor.short,
            unit=unit,
            points=value,
            points_text=plain(value),
            cap=None if cap is None else _number(cap, f"factor {fcode}: cap"),
            detail=detail,
            replaces_case_points=bool(raw.get("replaces_case_points", False)),
            reason=Reason(factor.short, value, f"{detail}, per case") if unit == PER_CASE else None,
        )
    return CategorySpec(
        code=code,
        label=label,
        short=short,
        noun_one=str(noun[0]),
        noun_many=str(noun[1]),
        components=tuple(components),
        groups=groups,
        counts_whole_case=row.get("counts_as", "children") == "case",
        factors=MappingProxyType(uses),
    )
