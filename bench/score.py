"""Benchmark the scoring core against a floor of bare table look-ups.

    .venv/bin/python bench/score.py [--lines 100000] [--repeat 5] [--seed 20250701]

Builds deterministic random valid case lines across every shipped scheme (categories, factors, co-working),
grouped into months of about 20 lines, then times:

- validate + score: validate_month + score_month per month (what the web form does);
- score alone: score_month per month;
- parse + score: parse_month from JSON-shaped dicts + score_month (what the score command does);
- floor: a plain loop over the same lines summing per-case points + per-child points × children + factor
  points from dicts of Decimals, with no validation, bands or reasons.

The first pass of each is reported separately: the engine remembers line results per category, and the
first pass is the one that fills those caches. No Django needed.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workload.scoring import (  # noqa: E402
    CaseInput,
    MonthInput,
    ScoringInputError,
    WorkerInput,
    builtin_scheme_data,
    builtin_tables,
    engine,
    parse_month,
    score_month,
    validate_month,
)
from workload.scoring.tables import PER_CASE, SchemeTables  # noqa: E402

WTES = [Decimal("1"), Decimal("0.8"), Decimal("0.6"), Decimal("0.5"), Decimal("0.4")]
SHARES = [Decimal("0.3"), Decimal("0.4"), Decimal("0.5"), Decimal("0.75")]


def _valid(tables: SchemeTables, team: str, grade: str | None, case: CaseInput) -> bool:
    probe = MonthInput(tables.slug, team, WorkerInput(wte=Decimal(1), grade=grade), (case,))
    try:
        validate_month(probe, tables)
    except ScoringInputError:
        return False
    return True


def _case(rng: random.Random, tables: SchemeTables, team: str, grade: str | None) -> CaseInput:
    category = rng.choice([code for code, _ in tables.categories_for(team)])
    children = rng.choice([1, 1, 1, 2, 2, 3, 4, 5, 7])
    allowed = [code for code, _ in tables.factors_for(team, category)]
    factors: list[str] = []
    for code in rng.sample(allowed, min(len(allowed), rng.choice([0, 0, 1, 1, 2, 3]))):
        trial = CaseInput(children, category, (*factors, code))
        if _valid(tables, team, grade, trial):
            factors.append(code)
    co_worked = rng.random() < 0.1
    share = rng.choice(SHARES) if co_worked and tables.accepts_co_work_share and rng.random() < 0.5 else None
    return CaseInput(
        children, category, tuple(factors), co_worked, share, reference=f"line-{rng.random():.6f}"
    )


def generate(lines: int, seed: int) -> list[tuple[MonthInput, SchemeTables]]:
    rng = random.Random(seed)
    all_tables = [builtin_tables(slug) for slug in sorted(builtin_scheme_data())]
    months: list[tuple[MonthInput, SchemeTables]] = []
    made = 0
    while made < lines:
        tables = rng.choice(all_tables)
        assert tables is not None
        team = rng.choice(list(tables.team_types))
        grade = rng.choice(list(tables.grades)) if tables.requires_grade else None
        extras = tuple(c for c, _ in tables.extras_for(team, grade))[:1] if tables.accepts_extras else ()
        personal = tuple(list(tables.personal_elements)[:1])
        hours = Decimal(rng.randint(0, 12)) if tables.accepts_extra_duty_hours else Decimal(0)
        size = min(rng.randint(15, 25), lines - made)
        cases = tuple(_case(rng, tables, team, grade) for _ in range(size))
        worker = WorkerInput(
            wte=rng.choice(WTES), grade=grade, personal=personal, extra_duty_hours=hours, extras=extras
        )
        month = MonthInput(tables.slug, team, worker, cases)
        validate_month(month, tables)
        months.append((month, tables))
        made += size
    return months


def as_json(month: MonthInput) -> dict:
    worker: dict = {"wte": month.worker.wte}
    if month.worker.grade is not None:
        worker["grade"] = month.worker.grade
    if month.worker.personal:
        worker["personal"] = list(month.worker.personal)
    if month.worker.extra_duty_hours:
        worker["extra_duty_hours"] = month.worker.extra_duty_hours
    if month.worker.extras:
        worker["extras"] = list(month.worker.extras)
    cases = []
    for case in month.cases:
        item: dict = {"children": case.children, "category": case.category}
        if case.factors:
            item["factors"] = list(case.factors)
        if case.co_worked:
            item["co_worked"] = True
        if case.co_work_share is not None:
            item["co_work_share"] = case.co_work_share
        cases.append(item)
    return {"scheme": month.scheme, "team_type": month.team_type, "worker": worker, "cases": cases}


def floor_tables(months: list[tuple[MonthInput, SchemeTables]]) -> dict:
    """(slug, team) -> ({category: (per-case points, per-child points)}, {factor: points})."""
    out: dict = {}
    for month, tables in months:
        key = (tables.slug, month.team_type)
        if key in out:
            continue
        team = tables.team_type_specs[month.team_type]
        cats = {}
        factor_points: dict[str, Decimal] = {}
        for code, spec in team.categories.items():
            a = sum((c.points for c in spec.components if c.unit == PER_CASE), Decimal(0))
            b = sum((c.points for c in spec.components if c.unit != PER_CASE), Decimal(0))
            cats[code] = (a, b)
            for fcode, use in spec.factors.items():
                factor_points[fcode] = use.points
        out[key] = (cats, factor_points)
    return out


def run_floor(months, tables_by_key) -> Decimal:
    grand = Decimal(0)
    for month, tables in months:
        cats, fpts = tables_by_key[(tables.slug, month.team_type)]
        total = Decimal(0)
        for case in month.cases:
            a, b = cats[case.category]
            points = a + b * (case.children - 1)
            for code in case.factors:
                points += fpts[code]
            total += points
        grand += total
    return grand


def run_score(months) -> Decimal:
    grand = Decimal(0)
    for month, tables in months:
        grand += score_month(month=month, tables=tables).total_points
    return grand


def run_validate_score(months) -> Decimal:
    grand = Decimal(0)
    for month, tables in months:
        validate_month(month, tables)
        grand += score_month(month=month, tables=tables).total_points
    return grand


def run_parse_score(json_months) -> Decimal:
    grand = Decimal(0)
    for obj in json_months:
        month, tables = parse_month(obj, tables_for=builtin_tables)
        grand += score_month(month=month, tables=tables).total_points
    return grand


def clear_caches(months) -> None:
    engine._LINES.clear()
    for _, tables in months:
        tables.scaled_cache.clear()
        for team in tables.team_type_specs.values():
            for spec in team.categories.values():
                spec.base_memo.clear()
                spec.valid_factor_lists.clear()
                for use in spec.factors.values():
                    use.memo.clear()


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20250701)
    args = parser.parse_args()

    months = generate(args.lines, args.seed)
    lines = sum(len(m.cases) for m, _ in months)
    json_months = [as_json(m) for m, _ in months]
    ftables = floor_tables(months)
    print(f"{lines} lines in {len(months)} months across {len({t.slug for _, t in months})} schemes")

    clear_caches(months)
    cold_vs = timed(run_validate_score, months)
    clear_caches(months)
    cold_s = timed(run_score, months)

    results = {}
    for name, fn, data in [
        ("floor", run_floor, (months, ftables)),
        ("score alone", run_score, (months,)),
        ("validate + score", run_validate_score, (months,)),
        ("parse + score", run_parse_score, (json_months,)),
    ]:
        results[name] = min(timed(fn, *data) for _ in range(args.repeat))

    floor = results["floor"]
    print(f"{'':18} {'lines/s':>12} {'× floor':>8}")
    for name, seconds in results.items():
        print(f"{name:18} {lines / seconds:12,.0f} {seconds / floor:8.2f}")
    print(f"{'first pass, score':18} {lines / cold_s:12,.0f} {cold_s / floor:8.2f}   (caches empty)")
    print(f"{'first pass, v + s':18} {lines / cold_vs:12,.0f} {cold_vs / floor:8.2f}   (caches empty)")


if __name__ == "__main__":
    main()
