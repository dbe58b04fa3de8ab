"""Input checks, in the order of SCHEMES.md 8.3: the first error found is the one reported.

`parse_month` reads JSON-shaped data (the score command); `validate_month` checks a MonthInput built in
code (the web form). Both call the same rule functions below, field by field in the same order, so a
rule lives once and reports the same field path whichever way the month arrived.

One module, though long: the checks must run in exactly the spec's order, and reading them top to bottom
in one place is how that order is kept and reviewed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from .decimals import plain
from .inputs import CaseInput, MonthInput, WorkerInput
from .tables import CategorySpec, SchemeTables, TeamType

TablesFor = Callable[[str], "SchemeTables | None"]

# Factor lists found valid, remembered per category up to this many (then the memory starts again).
_MEMO_LIMIT = 1024

# Bounds on input numbers (docs/scoring.md, "Choices where the spec is silent"). The spec sets no upper
# limits, but a line of 10**30 children or 1e99999999 extra-duty hours is a typo, and such figures cost real
# time: Decimal stores 1e999999999 in a few bytes, yet writing it in plain notation takes a billion digits.
MAX_CHILDREN = 999  # children on one line (one family group, or one person's list in caseload count)
MAX_EXTRA_DUTY_HOURS = Decimal(744)  # a 31-day month of 24-hour days
MAX_NUMBER_TEXT = 40  # characters of one JSON number
MAX_EXPONENT = 30  # |x| < 10**31, and no digit further than 30 places after the point

# Python's json module turns a lone surrogate escape ("\ud800") into a str that is not Unicode text;
# a correctly paired escape becomes one character, so any surrogate left in a str is a lone one.
_NOT_UNICODE = re.compile("[\ud800-\udfff]")


class UnusableNumber:
    """A JSON number too long or too far from 1 to be any figure of a month (`parse_json_int`,
    `parse_json_decimal`). It keeps only its text, so an error can quote it and nothing computes with it."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"UnusableNumber({show(self)})"

    @property
    def negative(self) -> bool:
        return self.text.startswith("-")


def _places_note(value: Any) -> str:
    """Added to a range message for an UnusableNumber: 1e-999999999 is "more than 0" but still refused."""
    return f", with at most {MAX_EXPONENT} decimal places" if isinstance(value, UnusableNumber) else ""


def parse_json_int(text: str) -> int | UnusableNumber:
    """`json.loads(parse_int=...)`: the length is checked before int() (int() of 5,000 digits raises)."""
    return int(text) if len(text) <= MAX_NUMBER_TEXT else UnusableNumber(text)


def parse_json_decimal(text: str) -> Decimal | UnusableNumber:
    """`json.loads(parse_float=...)`: exact Decimal, or UnusableNumber for 1e999999999 and the like."""
    if len(text) > MAX_NUMBER_TEXT:
        return UnusableNumber(text)
    value = Decimal(text)
    if value.as_tuple().exponent < -MAX_EXPONENT or value.adjusted() > MAX_EXPONENT:
        return UnusableNumber(text)
    return value


class ScoringInputError(ValueError):
    """An input the scheme cannot score. `field` is the spec path ("cases[0].factors[1]"); `message` is
    plain English for a team manager, naming the bad value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def show(value: Any) -> str:
    """A value as the user wrote it, for messages: 'text', 0.6, true, null, a list, an object."""
    if isinstance(value, str):
        if len(value) > 60:  # enough to recognise it; a message is not the place for a whole document
            value = value[:57] + "…"
        if _NOT_UNICODE.search(value):  # shown as its escape, so the message itself is valid Unicode
            value = value.encode("utf-8", "backslashreplace").decode("utf-8")
        return f"'{value}'" if value else "empty text"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, UnusableNumber):
        return _shorten(value.text)
    if isinstance(value, int):
        # str() of a 5,000-digit int raises ValueError; the sign and the size are what matter here
        return str(value) if -(10**MAX_NUMBER_TEXT) < value < 10**MAX_NUMBER_TEXT else _shorten(f"{value:e}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        if value.as_tuple().exponent < -MAX_EXPONENT or value.adjusted() > MAX_EXPONENT:
            return _shorten(str(value))  # scientific: plain notation could be a billion digits long
        return plain(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_NUMBER_TEXT else text[: MAX_NUMBER_TEXT - 1] + "…"


def _check_unicode(path: str, value: str, what: str) -> None:
    """Before "unknown code": a code holding a lone surrogate is not text at all, so say that."""
    if _NOT_UNICODE.search(value):
        raise ScoringInputError(
            path, f"The {what} {show(value)} is not valid Unicode text (it holds an unpaired surrogate)."
        )


def _is_number(value: Any) -> bool:
    """JSON numbers as parsed exactly: int or finite Decimal. Booleans and floats are not (section 8.1)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, Decimal) and value.is_finite()


def _one_of(codes: Sequence[str] | Mapping[str, Any], limit: int = 12) -> str:
    codes = list(codes)
    text = ", ".join(codes[:limit])
    return text + (", …" if len(codes) > limit else "")


# ----------------------------------------------------------------------------------- shared rule checks
# Each takes typed values (whatever the caller has) and raises ScoringInputError at the given path.


def check_team_type(team_type: Any, tables: SchemeTables) -> TeamType:
    if not isinstance(team_type, str):
        raise ScoringInputError("team_type", f"The team type must be a code (text), not {show(team_type)}.")
    team = tables.team_type_specs.get(team_type)
    if team is None:
        _check_unicode("team_type", team_type, "team type")
        raise ScoringInputError(
            "team_type",
            f"{show(team_type)} is not a team type of scheme '{tables.slug}'; "
            f"use one of: {_one_of(tables.team_type_specs)}.",
        )
    return team


def check_wte(wte: Any) -> Decimal:
    if not _is_number(wte) and not isinstance(wte, UnusableNumber):
        raise ScoringInputError("worker.wte", f"WTE must be a number such as 1 or 0.6, not {show(wte)}.")
    if isinstance(wte, UnusableNumber) or not 0 < wte <= 1:
        raise ScoringInputError(
            "worker.wte",
            f"WTE must be more than 0 and at most 1 (1 = five days a week){_places_note(wte)}, "
            f"not {show(wte)}.",
        )
    return Decimal(wte)


def check_grade(grade: Any, present: bool, tables: SchemeTables) -> None:
    if not tables.accepts_grade:
        if present:
            raise ScoringInputError(
                "worker.grade", f"Scheme '{tables.slug}' does not use a grade; remove {show(grade)}."
            )
        return
    if not present:
        if tables.requires_grade:
            raise ScoringInputError(
                "worker.grade",
                f"Scheme '{tables.slug}' needs the worker's grade: one of {_one_of(tables.grade_specs)}.",
            )
        return
    if not isinstance(grade, str):
        raise ScoringInputError("worker.grade", f"The grade must be a code (text), not {show(grade)}.")
    if grade not in tables.grade_specs:
        _check_unicode("worker.grade", grade, "grade")
        raise ScoringInputError(
            "worker.grade",
            f"{show(grade)} is not a grade of scheme '{tables.slug}'; use one of: {_one_of(tables.grade_specs)}.",
        )


def check_personal_code(index: int, code: Any, tables: SchemeTables) -> None:
    path = f"worker.personal[{index}]"
    if not isinstance(code, str):
        raise ScoringInputError(path, f"Each personal element must be a code (text), not {show(code)}.")
    if code not in tables.personal_specs:
        _check_unicode(path, code, "personal element")
        if not tables.personal_specs:
            raise ScoringInputError(
                path, f"Scheme '{tables.slug}' has no personal elements; remove {show(code)}."
            )
        raise ScoringInputError(
            path,
            f"{show(code)} is not a personal element of scheme '{tables.slug}'; "
            f"use one of: {_one_of(tables.personal_specs)}.",
        )


def check_personal_list(codes: Sequence[str], tables: SchemeTables) -> None:
    path = "worker.personal"
    _no_duplicates(path, codes, "personal element")
    if tables.max_personal is not None and len(codes) > tables.max_personal:
        raise ScoringInputError(
            path,
            f"A worker can have at most {tables.max_personal} personal elements; "
            f"{len(codes)} are listed ({', '.join(codes)}).",
        )
    _exclusive(path, codes, tables.personal_groups, "for one worker")


def check_extra_duty_hours(hours: Any, present: bool, tables: SchemeTables) -> None:
    path = "worker.extra_duty_hours"
    if not present:
        return
    if not tables.accepts_extra_duty_hours:
        raise ScoringInputError(
            path, f"Scheme '{tables.slug}' does not score extra-duty hours; remove {show(hours)}."
        )
    if isinstance(hours, UnusableNumber):
        negative = hours.negative
    elif not _is_number(hours):
        raise ScoringInputError(
            path, f"Extra-duty hours must be a number such as 8 or 2.5, not {show(hours)}."
        )
    else:
        negative = hours < 0
    if negative:
        raise ScoringInputError(path, f"Extra-duty hours cannot be negative ({show(hours)}).")
    if isinstance(hours, UnusableNumber) or hours > MAX_EXTRA_DUTY_HOURS:
        raise ScoringInputError(
            path,
            f"Extra-duty hours must be at most {MAX_EXTRA_DUTY_HOURS} (a 31-day month of 24-hour days)"
            f"{_places_note(hours)}, not {show(hours)}.",
        )


def check_extra_code(index: int, code: Any, tables: SchemeTables, team_type: str, grade: str | None) -> None:
    path = f"worker.extras[{index}]"
    if not isinstance(code, str):
        raise ScoringInputError(path, f"Each extra responsibility must be a code (text), not {show(code)}.")
    extra = tables.extra_specs.get(code)
    if extra is None:
        _check_unicode(path, code, "extra responsibility")
        if not tables.extra_specs:
            raise ScoringInputError(
                path, f"Scheme '{tables.slug}' has no extra responsibilities; remove {show(code)}."
            )
        raise ScoringInputError(
            path,
            f"{show(code)} is not an extra responsibility of scheme '{tables.slug}'; "
            f"use one of: {_one_of(tables.extra_specs)}.",
        )
    if extra.teams is not None and team_type not in extra.teams:
        raise ScoringInputError(
            path,
            f"{show(code)} is not available to team type '{team_type}' (only {_one_of(sorted(extra.teams))}).",
        )
    grade = grade or tables.default_grade
    if extra.grades is not None and grade not in extra.grades:
        raise ScoringInputError(
            path,
            f"{show(code)} is only for grade {_one_of(sorted(extra.grades))}, "
            f"not {show(grade) if grade else 'a worker with no grade'}.",
        )


def check_extras_list(codes: Sequence[str], tables: SchemeTables) -> None:
    path = "worker.extras"
    _no_duplicates(path, [c for c in codes if not tables.extra_specs[c].repeatable], "extra responsibility")
    _exclusive(path, codes, tables.extra_groups, "for one worker")


def check_children(index: int, children: Any) -> None:
    if type(children) is not int or not 1 <= children <= MAX_CHILDREN:
        raise ScoringInputError(
            f"cases[{index}].children",
            f"children must be a whole number of at least 1 and at most {MAX_CHILDREN}, not {show(children)}.",
        )


def check_category(index: int, category: Any, team: TeamType) -> CategorySpec:
    path = f"cases[{index}].category"
    if not isinstance(category, str):
        raise ScoringInputError(path, f"The category must be a code (text), not {show(category)}.")
    spec = team.categories.get(category)
    if spec is None:
        _check_unicode(path, category, "category")
        raise ScoringInputError(
            path,
            f"{show(category)} is not a category of team type '{team.code}'; "
            f"use one of: {_one_of(team.categories)}.",
        )
    return spec


def check_factor_code(
    index: int, j: int, code: Any, spec: CategorySpec, tables: SchemeTables, team_type: str
) -> None:
    if isinstance(code, str) and code in spec.factors:
        return
    path = f"cases[{index}].factors[{j}]"
    if not isinstance(code, str):
        raise ScoringInputError(path, f"Each factor must be a code (text), not {show(code)}.")
    factor = tables.factor_specs.get(code)
    if factor is None:
        _check_unicode(path, code, "factor")
        if not tables.factor_specs:
            raise ScoringInputError(
                path,
                f"Scheme '{tables.slug}' takes no additional factors: it counts children only; "
                f"remove {show(code)}.",
            )
        raise ScoringInputError(path, f"{show(code)} is not an additional factor of scheme '{tables.slug}'.")
    if team_type in factor.excluded_teams or (factor.teams is not None and team_type not in factor.teams):
        raise ScoringInputError(path, f"{show(code)} is not applicable to team type '{team_type}'.")
    allowed = sorted(factor.categories or ())
    raise ScoringInputError(
        path, f"{show(code)} cannot be used on a '{spec.code}' case; it is for {_one_of(allowed)} cases only."
    )


def check_factor_list(index: int, codes: Sequence[str], spec: CategorySpec, tables: SchemeTables) -> None:
    path = f"cases[{index}].factors"
    if tables.max_factors is not None and len(codes) > tables.max_factors:
        raise ScoringInputError(
            path,
            f"A case can have at most {tables.max_factors} additional factors; "
            f"this one has {len(codes)} ({', '.join(codes)}).",
        )
    _no_duplicates(path, codes, "factor")
    _exclusive(path, codes, tables.factor_groups, "on one case")
    if len(codes) > 1:
        for code in codes:
            if tables.factor_specs[code].standalone:
                others = ", ".join(f"'{c}'" for c in codes if c != code)
                raise ScoringInputError(
                    path,
                    f"'{code}' replaces all other points of the case, so it cannot be combined with {others}.",
                )


def check_co_worked(index: int, co_worked: Any) -> None:
    if not isinstance(co_worked, bool):
        raise ScoringInputError(
            f"cases[{index}].co_worked", f"co_worked must be true or false, not {show(co_worked)}."
        )


def check_co_work_share(index: int, share: Any, present: bool, co_worked: bool, tables: SchemeTables) -> None:
    if not present:
        return
    path = f"cases[{index}].co_work_share"
    if not tables.accepts_co_work_share:
        how = (
            "co-worked cases count in full"
            if tables.co_work_default_share is None
            else f"a co-worked case scores × {tables.co_work_default_label}"
        )
        raise ScoringInputError(path, f"Scheme '{tables.slug}' takes no co-working share ({how}); remove it.")
    if not co_worked:
        raise ScoringInputError(path, "A co-working share is only allowed when co_worked is true.")
    if not _is_number(share) and not isinstance(share, UnusableNumber):
        raise ScoringInputError(
            path, f"The co-working share must be a number such as 0.5, not {show(share)}."
        )
    if isinstance(share, UnusableNumber) or not 0 < share <= 1:
        raise ScoringInputError(
            path,
            f"The co-working share must be more than 0 and at most 1{_places_note(share)}, "
            f"not {show(share)}.",
        )


def _no_duplicates(path: str, codes: Sequence[str], what: str) -> None:
    if len(set(codes)) != len(codes):
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise ScoringInputError(path, f"{show(code)} is listed twice; each {what} counts once.")
            seen.add(code)


def _exclusive(path: str, codes: Sequence[str], groups: Sequence[frozenset[str]], where: str) -> None:
    for group in groups:
        clash = [code for code in codes if code in group]
        if len(set(clash)) > 1:
            raise ScoringInputError(
                path,
                f"{' and '.join(repr(c) for c in dict.fromkeys(clash))} cannot be used together {where}; "
                f"choose one.",
            )


def _check_factors(
    index: int, factors: Sequence[Any], spec: CategorySpec, tables: SchemeTables, team_type: str
) -> None:
    """Element rules in order, then list rules; a list already found valid for this category is not
    checked again (validity depends only on the list, the category and the team type of the spec)."""
    try:
        if factors in spec.valid_factor_lists:
            return
    except TypeError:  # an unhashable element: not a code, the checks below say so
        pass
    for j, code in enumerate(factors):
        check_factor_code(index, j, code, spec, tables, team_type)
    check_factor_list(index, factors, spec, tables)
    if type(factors) is tuple:
        if len(spec.valid_factor_lists) >= _MEMO_LIMIT:
            spec.valid_factor_lists.clear()
        spec.valid_factor_lists[factors] = True


# ------------------------------------------------------------------------------------- typed months


def validate_month(month: MonthInput, tables: SchemeTables) -> None:
    """Check a MonthInput built in code against its scheme's rules; raise the first ScoringInputError.

    A typed month cannot tell "not given" from a default, so grade None, extra_duty_hours 0 and
    co_work_share None count as not given."""
    if month.scheme != tables.slug:
        raise ScoringInputError("scheme", f"The month is for scheme '{month.scheme}', not '{tables.slug}'.")
    team = check_team_type(month.team_type, tables)
    worker = month.worker
    check_wte(worker.wte)
    check_grade(worker.grade, worker.grade is not None, tables)
    personal = worker.personal
    if personal:
        for i, code in enumerate(personal):
            check_personal_code(i, code, tables)
        check_personal_list(personal, tables)
    hours = worker.extra_duty_hours
    if hours is not None and not (_is_number(hours) and hours == 0):
        check_extra_duty_hours(hours, True, tables)
    elif hours is None:
        check_extra_duty_hours(hours, True, tables)  # None is not a number of hours
    if worker.extras:
        for i, code in enumerate(worker.extras):
            check_extra_code(i, code, tables, team.code, worker.grade)
        check_extras_list(worker.extras, tables)
    categories = team.categories
    for i, case in enumerate(month.cases):
        n = case.children
        if type(n) is not int or n < 1 or n > MAX_CHILDREN:
            check_children(i, n)
        category = case.category
        spec = categories.get(category) if type(category) is str else None
        if spec is None:
            spec = check_category(i, category, team)
        factors = case.factors
        if factors:
            _check_factors(i, factors, spec, tables, team.code)
        co_worked = case.co_worked
        if co_worked is not False and co_worked is not True:
            check_co_worked(i, co_worked)
        if case.co_work_share is not None:
            check_co_work_share(i, case.co_work_share, True, co_worked, tables)


# -------------------------------------------------------------------------------------- JSON months

_MISSING = object()


def parse_month(obj: Any, *, tables_for: TablesFor) -> tuple[MonthInput, SchemeTables]:
    """Read one input element (JSON-shaped: dicts, lists, str, int, Decimal, bool) into a MonthInput.

    Checks run in SCHEMES.md 8.3 order and the first failure is raised as ScoringInputError. Numbers must
    be int or Decimal (parse JSON with parse_float=parse_json_decimal, parse_int=parse_json_int, which
    turn absurd numbers into UnusableNumber); floats and booleans are rejected."""
    if not isinstance(obj, Mapping):
        raise ScoringInputError("$", f"Each input must be an object {{...}}, not {show(obj)}.")
    # (2) scheme
    slug = obj.get("scheme", _MISSING)
    if slug is _MISSING:
        raise ScoringInputError("scheme", "The scheme is missing.")
    if not isinstance(slug, str):
        raise ScoringInputError("scheme", f"The scheme must be a slug (text), not {show(slug)}.")
    _check_unicode("scheme", slug, "scheme")  # before the look-up: a database cannot store such text
    tables = tables_for(slug)
    if tables is None:
        raise ScoringInputError("scheme", f"{show(slug)} is not a known scheme.")
    # (3) team_type
    team_type = obj.get("team_type", _MISSING)
    if team_type is _MISSING:
        raise ScoringInputError("team_type", "The team type is missing.")
    team = check_team_type(team_type, tables)
    # (4) worker
    worker = obj.get("worker", _MISSING)
    if worker is _MISSING:
        raise ScoringInputError("worker", "The worker is missing.")
    if not isinstance(worker, Mapping):
        raise ScoringInputError("worker", f"The worker must be an object {{...}}, not {show(worker)}.")
    # (5) wte
    wte = worker.get("wte", _MISSING)
    if wte is _MISSING:
        raise ScoringInputError("worker.wte", "The worker's WTE is missing (1 = full time).")
    wte = check_wte(wte)
    # (6) grade
    grade = worker.get("grade", _MISSING)
    check_grade(grade, grade is not _MISSING, tables)
    grade = None if grade is _MISSING else grade
    # (7) personal: elements in order, then list rules
    personal = _list_of(worker, "personal", "worker.personal", "personal elements")
    for i, code in enumerate(personal):
        check_personal_code(i, code, tables)
    check_personal_list(personal, tables)
    # (8) extra_duty_hours
    hours = worker.get("extra_duty_hours", _MISSING)
    check_extra_duty_hours(hours, hours is not _MISSING, tables)
    hours = Decimal(0) if hours is _MISSING else Decimal(hours)
    # (9) extras
    extras = _list_of(worker, "extras", "worker.extras", "extra responsibilities")
    for i, code in enumerate(extras):
        check_extra_code(i, code, tables, team.code, grade)
    check_extras_list(extras, tables)
    # (10) cases
    raw_cases = obj.get("cases", _MISSING)
    if raw_cases is _MISSING:
        raise ScoringInputError("cases", "The list of cases is missing (it may be empty: []).")
    if not isinstance(raw_cases, list):
        raise ScoringInputError("cases", f"cases must be a list [...], not {show(raw_cases)}.")
    # (11) each case
    cases = tuple(_parse_case(i, raw, team, tables) for i, raw in enumerate(raw_cases))
    month = MonthInput(
        scheme=slug,
        team_type=team.code,
        worker=WorkerInput(
            wte=wte, grade=grade, personal=tuple(personal), extra_duty_hours=hours, extras=tuple(extras)
        ),
        cases=cases,
    )
    return month, tables


def _list_of(obj: Mapping, key: str, path: str, what: str) -> list:
    value = obj.get(key, _MISSING)
    if value is _MISSING:
        return []
    if not isinstance(value, list):
        raise ScoringInputError(path, f"{key} must be a list [...] of {what}, not {show(value)}.")
    return value


def _parse_case(index: int, raw: Any, team: TeamType, tables: SchemeTables) -> CaseInput:
    if not isinstance(raw, Mapping):
        raise ScoringInputError(f"cases[{index}]", f"Each case must be an object {{...}}, not {show(raw)}.")
    children = raw.get("children", _MISSING)
    if children is _MISSING:
        raise ScoringInputError(f"cases[{index}].children", "The number of children is missing.")
    check_children(index, children)
    category = raw.get("category", _MISSING)
    if category is _MISSING:
        raise ScoringInputError(f"cases[{index}].category", "The category is missing.")
    spec = check_category(index, category, team)
    factors = tuple(_list_of(raw, "factors", f"cases[{index}].factors", "factor codes"))
    if factors:
        _check_factors(index, factors, spec, tables, team.code)
    co_worked = raw.get("co_worked", _MISSING)
    if co_worked is _MISSING:
        co_worked = False
    else:
        check_co_worked(index, co_worked)
    share = raw.get("co_work_share", _MISSING)
    check_co_work_share(index, share, share is not _MISSING, co_worked, tables)
    reference = raw.get("reference")
    return CaseInput(
        children=children,
        category=category,
        factors=factors,
        co_worked=co_worked,
        co_work_share=None if share is _MISSING else Decimal(share),
        reference=reference if isinstance(reference, str) else "",
    )
