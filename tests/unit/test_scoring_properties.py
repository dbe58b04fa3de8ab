"""Properties every scheme's scoring must have, over generated valid months (hypothesis)."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workload.scoring import (
    CaseInput,
    MonthInput,
    SchemeTables,
    ScoringInputError,
    WorkerInput,
    builtin_scheme_data,
    builtin_tables,
    decimal_to_json_number,
    score_month,
    validate_month,
)

SLUGS = sorted(builtin_scheme_data())
PROPERTY = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

# Exact decimals in (0, 1], e.g. 0.6, 0.35, 0.125
WTES = st.integers(1, 1000).map(lambda n: Decimal(n).scaleb(-3))
SHARES = st.integers(1, 100).map(lambda n: Decimal(n).scaleb(-2))


def is_valid(month: MonthInput, tables: SchemeTables) -> bool:
    try:
        validate_month(month, tables)
    except ScoringInputError:
        return False
    return True


def probe(tables: SchemeTables, team: str, grade: str | None, **worker) -> MonthInput:
    return MonthInput(tables.slug, team, WorkerInput(wte=Decimal(1), grade=grade, **worker), ())


def keep_valid(candidates, build, tables) -> tuple:
    """Add candidate codes one by one, keeping each that leaves the month valid (limits, exclusions)."""
    kept: list[str] = []
    for code in candidates:
        if is_valid(build((*kept, code)), tables):
            kept.append(code)
    return tuple(kept)


@st.composite
def cases(draw, tables: SchemeTables, team: str, grade: str | None) -> CaseInput:
    category = draw(st.sampled_from([code for code, _ in tables.categories_for(team)]))
    children = draw(st.integers(1, 12))
    allowed = [code for code, _ in tables.factors_for(team, category)]
    wanted = draw(st.lists(st.sampled_from(allowed), unique=True, max_size=4)) if allowed else []
    base = probe(tables, team, grade)
    factors = keep_valid(wanted, lambda fs: replace(base, cases=(CaseInput(children, category, fs),)), tables)
    co_worked = draw(st.booleans())
    share = draw(st.none() | SHARES) if co_worked and tables.accepts_co_work_share else None
    return CaseInput(children, category, factors, co_worked, share)


@st.composite
def months(draw, slug: str, max_cases: int = 8) -> tuple[MonthInput, SchemeTables]:
    tables = builtin_tables(slug)
    team = draw(st.sampled_from(sorted(tables.team_types)))
    if tables.requires_grade:
        grade = draw(st.sampled_from(sorted(tables.grades)))
    elif tables.accepts_grade:
        grade = draw(st.none() | st.sampled_from(sorted(tables.grades)))
    else:
        grade = None
    personal = keep_valid(
        draw(st.lists(st.sampled_from(sorted(tables.personal_elements)), unique=True, max_size=3))
        if tables.accepts_personal
        else [],
        lambda codes: probe(tables, team, grade, personal=codes),
        tables,
    )
    extras = keep_valid(
        draw(st.lists(st.sampled_from(sorted(tables.extras)), max_size=3)) if tables.accepts_extras else [],
        lambda codes: probe(tables, team, grade, extras=codes),
        tables,
    )
    hours = (
        draw(st.integers(0, 40).map(lambda n: Decimal(n) / 2))
        if tables.accepts_extra_duty_hours
        else Decimal(0)
    )
    worker = WorkerInput(
        wte=draw(WTES), grade=grade, personal=personal, extra_duty_hours=hours, extras=extras
    )
    lines = draw(st.lists(cases(tables, team, grade), max_size=max_cases))
    month = MonthInput(slug, team, worker, tuple(lines))
    validate_month(month, tables)  # the generator only makes valid months
    return month, tables


def score(month: MonthInput, tables: SchemeTables):
    return score_month(month=month, tables=tables)


@pytest.mark.parametrize("slug", SLUGS)
@PROPERTY
@given(data=st.data())
def test_adding_a_case_never_lowers_points(slug, data):
    month, tables = data.draw(months(slug))
    extra = data.draw(cases(tables, month.team_type, month.worker.grade))
    at = data.draw(st.integers(0, len(month.cases)))
    bigger = replace(month, cases=(*month.cases[:at], extra, *month.cases[at:]))
    before, after = score(month, tables), score(bigger, tables)
    assert after.case_points >= before.case_points
    assert after.total_points >= before.total_points
    assert after.band_thresholds == before.band_thresholds


@pytest.mark.parametrize("slug", SLUGS)
@PROPERTY
@given(data=st.data())
def test_co_working_never_raises_points(slug, data):
    month, tables = data.draw(months(slug))
    line = data.draw(cases(tables, month.team_type, month.worker.grade))
    share = data.draw(st.none() | SHARES) if tables.accepts_co_work_share else None
    alone = replace(line, co_worked=False, co_work_share=None)
    shared = replace(line, co_worked=True, co_work_share=share)
    solo = score(replace(month, cases=(*month.cases, alone)), tables)
    co = score(replace(month, cases=(*month.cases, shared)), tables)
    assert co.cases[-1].points <= solo.cases[-1].points
    assert co.case_points <= solo.case_points
    assert co.total_points <= solo.total_points


@pytest.mark.parametrize("slug", SLUGS)
@PROPERTY
@given(data=st.data())
def test_band_thresholds_scale_exactly_with_wte(slug, data):
    month, tables = data.draw(months(slug, max_cases=2))
    wte = month.worker.wte
    full_time = score(replace(month, worker=replace(month.worker, wte=Decimal(1))), tables)
    part_time = score(month, tables)
    assert part_time.band_thresholds == {key: value * wte for key, value in full_time.band_thresholds.items()}
    assert list(part_time.band_thresholds) == list(full_time.band_thresholds)  # same keys, same order
    assert part_time.total_points == full_time.total_points  # points are never pro-rated


@pytest.mark.parametrize("slug", SLUGS)
@PROPERTY
@given(data=st.data())
def test_order_of_cases_does_not_matter(slug, data):
    month, tables = data.draw(months(slug))
    shuffled = replace(month, cases=tuple(data.draw(st.permutations(month.cases))))
    a, b = score(month, tables), score(shuffled, tables)
    assert (a.case_points, a.personal_points, a.extra_points, a.total_points, a.band) == (
        b.case_points,
        b.personal_points,
        b.extra_points,
        b.total_points,
        b.band,
    )
    assert (a.workload_weight, a.case_count, a.case_band) == (b.workload_weight, b.case_count, b.case_band)
    assert sorted(c.points for c in a.cases) == sorted(c.points for c in b.cases)


@pytest.mark.parametrize("slug", SLUGS)
@PROPERTY
@given(data=st.data())
def test_reasons_add_up_to_every_figure(slug, data):
    month, tables = data.draw(months(slug))
    result = score(month, tables)
    for case in result.cases:
        assert sum((r.points for r in case.reasons), Decimal(0)) == case.points
    assert sum((r.points for r in result.personal_reasons), Decimal(0)) == result.personal_points
    assert sum((r.points for r in result.extra_reasons), Decimal(0)) == result.extra_points
    weight = sum((r.points for r in result.weight_reasons), Decimal(0))
    assert sum((c.points for c in result.cases), weight) == result.case_points
    assert result.total_points == result.case_points + result.personal_points + result.extra_points
    assert result.band_reason.startswith(decimal_to_json_number(result.total_points) + " is ")
