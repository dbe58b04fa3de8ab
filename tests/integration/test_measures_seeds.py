"""The seeds' tables regenerated from per-worker fixtures of our own, at the seeds' own precision:
S000 measures 1–8 (PERF_2017, the M21 trend table), S001 §1.2 team table (PROGRESS_2022, headcount, raw N 25),
S002 North teams (CAMBRIDGESHIRE_2018, headcount). Expected tables are copied from the seeds as literals."""
from datetime import date
from decimal import Decimal

import pytest

from reporting.measures import Scope, measures_by_team, measures_for, trend_table
from reporting.models import TrendRow
from tests.factories import TeamFactory
from workload.models import (
    CaseloadPreset,
    CaseloadSnapshot,
    Position,
    ServiceArea,
    TeamPolicy,
    TeamScheme,
    Worker,
)
from workload.workdays import add_months, month_end

pytestmark = pytest.mark.django_db
SINCE = date(2015, 1, 1)  # the seeds' months are before the factories' history start


def team_on(code: str, preset: str, team_type: str, area: ServiceArea, name: str | None = None):
    team = TeamFactory(code=code, name=name or code, service_area=area)
    TeamPolicy.objects.filter(team=team).update(preset=CaseloadPreset.objects.get(code=preset), team_type=team_type,
                                                valid_from=SINCE)
    TeamScheme.objects.filter(team=team).update(valid_from=SINCE)
    return team


def add_rows(team, day: date, counts, *, position=Position.SOCIAL_WORKER, wte="1.0", asye_start=None, **extra):
    """One worker per count with a month-end snapshot on `day` (bulk: the fixtures are large)."""
    workers = Worker.objects.bulk_create(
        Worker(first_name="F", surname=f"{team.code}-{day:%y%m}-{i}", team=team, position=position,
               wte=Decimal(wte) if Decimal(wte) > 0 else Decimal("1.0"), asye_start=asye_start)
        for i in range(len(counts))
    )
    CaseloadSnapshot.objects.bulk_create(
        CaseloadSnapshot(worker=w, team=team, taken_on=day, kind="month_end", wte=Decimal(wte), allocated_children=c,
                         **extra)
        for w, c in zip(workers, counts, strict=True)
    )


def split(total: int, n: int) -> list[int]:
    base, extra = divmod(total, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


# ---- S000: "Social Work Caseloads – Performance Information (June 2017)", measures 1–8 ------------------

S000_MONTHS = ["Jul-16", "Aug-16", "Sep-16", "Oct-16", "Nov-16", "Dec-16", "Jan-17", "Feb-17", "Mar-17", "Apr-17",
               "May-17", "Jun-17"]
S000 = {  # measure: (cells, target); "" not started, "-" no data
    1: (["", "", "", "", "", "", "", "", "-", "27", "29", "31"], "20"),
    2: (["4", "10", "14", "19", "21", "22", "22", "25", "23", "23", "22", "24"], "0"),
    3: (["", "", "", "", "", "", "", "", "18", "20", "20", "19"], "16"),
    4: (["70", "56", "55", "52", "57", "51", "57", "63", "68", "70", "72", "72"], "0"),
    5: (["", "", "", "", "", "", "", "", "10", "11", "9", "12"], "0"),
    6: (["", "", "", "", "", "", "", "", "27", "27", "26", "27"], "22"),
    7: (["", "", "", "", "", "", "13", "12", "9", "10", "10", "12"], "0"),
    8: (["", "", "", "", "", "", "76%", "71%", "60%", "77%", "71%", "71%"], "0%"),
}
# per month: ASYE headcount behind measure 8 (13/17 = 76 %, 12/17, 9/15, 10/13, 10/14, 12/17)
ASYE_HEADCOUNT = [0, 0, 0, 0, 0, 0, 17, 17, 15, 13, 14, 17]


def _average_team(team, day, *, n, over, threshold, average, low, asye_over=0, asye_under=0, asye_start=None,
                  basis_b=False):
    """n workers: `over` above the threshold, the rest at `low`; the total is average × n when one is given."""
    total = (average or 0) * n
    high = split(total - low * (n - over), over) if average else [threshold + 5] * over
    assert all(h > threshold for h in high) and low <= threshold
    counts = high + [low] * (n - over)
    if basis_b:  # allocated + co-worked + awaiting allocation (PERF_2017 Care Leavers, case basis B)
        workers_counts = [c - 3 for c in counts]
        add_rows(team, day, workers_counts, position=Position.PERSONAL_ADVISER, coworked_children=2,
                 awaiting_allocation_children=1)
        return
    asye = [True] * asye_over + [False] * (over - asye_over) + [True] * asye_under + [False] * (n - over - asye_under)
    add_rows(team, day, [c for c, a in zip(counts, asye, strict=True) if a], position=Position.ASYE,
             asye_start=asye_start)
    add_rows(team, day, [c for c, a in zip(counts, asye, strict=True) if not a])


def build_s000():
    area = ServiceArea.objects.create(name="Children's Services")
    ffd = team_on("FFD", "PERF_2017", "family_front_door", area, "Family Front Door")
    locality = team_on("LOC", "PERF_2017", "locality", area, "Locality Teams")
    leavers = team_on("CL", "PERF_2017", "care_leavers", area, "Care Leavers")
    months = [add_months(date(2016, 7, 1), k) for k in range(12)]
    ffd_avg = [None] * 8 + [None, 27, 29, 31]
    loc_avg = [None] * 8 + [18, 20, 20, 19]
    cl_avg = [None] * 8 + [27, 27, 26, 27]
    cl_over = [0] * 8 + [10, 11, 9, 12]
    for k, month in enumerate(months):
        day = month_end(month)
        ffd_over = int(S000[2][0][k])
        _average_team(ffd, day, n=30, over=ffd_over, threshold=20, average=ffd_avg[k], low=10)
        if k == 8:  # Mar-17: a worker's WTE was not recorded, so the FTE average is "no data" (REP-21)
            add_rows(ffd, day, [10], wte="0")
        asye_over = int(S000[7][0][k] or 0)
        _average_team(locality, day, n=80, over=int(S000[4][0][k]), threshold=16, average=loc_avg[k], low=10,
                      asye_over=asye_over, asye_under=ASYE_HEADCOUNT[k] - asye_over,
                      asye_start=add_months(month, -3))
        _average_team(leavers, day, n=16, over=cl_over[k], threshold=22, average=cl_avg[k], low=15, basis_b=True)
    rows = [
        TrendRow(position=1, measure="M01", label="Average Caseload - FFD (FTE)", scope_kind="team", team=ffd,
                 target=Decimal(20), start_month=date(2017, 3, 1)),
        TrendRow(position=2, measure="M04", label="Number Social workers with more than 20 cases - FFD",
                 scope_kind="team", team=ffd, threshold=20),
        TrendRow(position=3, measure="M01", label="Average Caseload - Locality Teams (FTE)", scope_kind="team",
                 team=locality, target=Decimal(16), start_month=date(2017, 3, 1)),
        TrendRow(position=4, measure="M04", label="Number Social workers with more than 16 cases - Locality Teams",
                 scope_kind="team", team=locality, threshold=16),
        TrendRow(position=5, measure="M09", label="Number Personal Advisors with more than 22 cases - Care Leavers",
                 scope_kind="team", team=leavers, threshold=22, start_month=date(2017, 3, 1)),
        TrendRow(position=6, measure="M08", label="Average Caseload - Care Leavers (FTE)", scope_kind="team",
                 team=leavers, target=Decimal(22), start_month=date(2017, 3, 1)),
        TrendRow(position=7, measure="M05", label="ASYE - number with more than 12 cases", scope_kind="authority",
                 threshold=12, start_month=date(2017, 1, 1)),
        TrendRow(position=8, measure="M06", label="ASYE - % with more than 12 cases", scope_kind="authority",
                 threshold=12, start_month=date(2017, 1, 1)),
    ]
    for row in rows:
        row.save()
    return rows


def seed_cell(cell) -> str:
    """A trend cell as the seed prints it: whole numbers, "-" for no data, blank before the row starts."""
    if cell.status == "not_started":
        return ""
    if cell.status in ("no_data", "empty_population"):
        return "-"
    if cell.measure in ("M04", "M05", "M09"):
        return str(int(cell.value))
    return cell.display.replace(" %", "%")


def test_s000_measures_1_to_8_all_months():
    rows = build_s000()
    lines = trend_table(rows, date(2017, 6, 1))
    assert list(lines[0].month_labels) == S000_MONTHS
    got = {k: ([seed_cell(c) for c in line.cells], f"{line.target:f}" + ("%" if k == 8 else ""))
           for k, line in enumerate(lines, start=1)}
    assert got == S000
    no_data = lines[0].cells[8]
    assert (no_data.status, no_data.display, no_data.note) == ("no_data", "–", "No data")


# ---- S001 §1.2: Assessment Teams 1–4, December 2021 and March 2022 ------------------------------------

S001 = {  # team: (average Dec, Mar), (range Dec, Mar), (> 25 Dec, Mar)
    "Assessment Team 1": (("24", "30"), ("12 – 40", "16 – 34"), (2, 4)),
    # Dec-21 44 lies outside its own range 34–39 (REP-12 seed error): the fixture's average is 38
    "Assessment Team 2": (("38", "24"), ("34 – 39", "17 – 29"), (6, 3)),
    "Assessment Team 3": (("16", "15"), ("14 – 27", "9 – 23"), (1, 0)),
    "Assessment Team 4": (("33", "20"), ("27 – 38", "17 – 24"), (5, 0)),
    # total Dec-21 range: the seed's "14 - 40" conflicts with Team 1's 12 – 40 (REP-12); 12 – 40 is shown
    "Total": (("27.3", "21.4"), ("12 – 40", "9 – 34"), (14, 7)),
}
S001_WORKERS = {  # team: (Dec-21 children, Mar-22 children) per worker
    "Assessment Team 1": ([12, 40, 30, 14], [16, 34, 32, 33, 33]),
    "Assessment Team 2": ([34, 37, 38, 39, 39, 39], [17, 29, 26, 26, 20]),
    "Assessment Team 3": ([14, 27, 14, 14, 14, 14, 15], [9, 23, 13, 14, 14, 14]),  # Mar 14.5 rounds half up
    "Assessment Team 4": ([27, 38, 34, 33, 34], [17, 24, 19, 19, 19, 19]),  # Mar 19.5 rounds half up
}


def test_s001_assessment_team_table_both_months():
    area = ServiceArea.objects.create(name="Assessment")
    teams = {}
    for n, (name, months) in enumerate(S001_WORKERS.items(), start=1):
        teams[name] = team = team_on(f"AT{n}", "PROGRESS_2022", "assessment", area, name)
        for day, counts in zip((date(2021, 12, 31), date(2022, 3, 31)), months, strict=True):
            # part-timers change nothing here: headcount average, raw threshold (PROGRESS_2022)
            add_rows(team, day, counts[:1], wte="0.5")
            add_rows(team, day, counts[1:])
    got: dict[str, list] = {name: [[], [], []] for name in S001}
    for month in (date(2021, 12, 1), date(2022, 3, 1)):
        per_team = measures_by_team([t.pk for t in teams.values()], month)
        scopes = {name: per_team[team.pk] for name, team in teams.items()}
        scopes["Total"] = measures_for(Scope("service", area.pk, area.name), [month])
        for name, values in scopes.items():
            by = {(v.measure, v.threshold): v for v in values}
            got[name][0].append(by["M01", None].display)
            got[name][1].append(by["M03", None].display)
            got[name][2].append(int(by["M04", Decimal(25)].value))
            assert (by["M01", None].basis, by["M04", Decimal(25)].basis) == ("headcount", "raw")
    assert {name: tuple(tuple(c) for c in cols) for name, cols in got.items()} == S001


# ---- S002 §2.1: Children's Social Care North Safeguarding Teams Caseloads ------------------------------

S002_MONTHS = ["Nov-18", "Dec-18", "Jan-19"]  # the seed's "Jan-18" is Jan-19 (REP-12): labels come from dates
S002 = {
    "North Fenland Assessment": ("assessment", [18, 12, 14]),
    "North Fenland Children's 1": ("childrens", [15, 18, 16]),
    "North Fenland Children's 2": ("childrens", [19, 16, 16]),
    "North North Adolescent": ("adolescent", [9, 9, 7]),
    "North Hunts Assessment": ("assessment", [12, 13, 17]),
    "North Hunts Children's 1": ("childrens", [17, 18, 17]),
    "North Hunts Children's 2": ("childrens", [21, 19, 16]),
}


def test_s002_north_teams_table():
    area = ServiceArea.objects.create(name="North")
    teams = {}
    months = [date(2018, 11, 1), date(2018, 12, 1), date(2019, 1, 1)]
    for n, (name, (team_type, averages)) in enumerate(S002.items(), start=1):
        teams[name] = team = team_on(f"N{n}", "CAMBRIDGESHIRE_2018", team_type, area, name)
        for month, average in zip(months, averages, strict=True):
            day = month_end(month)
            # a children's practitioner counted (include_aqp), a non-case-holding manager not
            add_rows(team, day, [average + 1], position=Position.SWA)
            add_rows(team, day, [average - 1, average], wte="0.6")
            add_rows(team, day, [0], position=Position.TEAM_MANAGER)
    table = {name: [] for name in S002}
    for month in months:
        per_team = measures_by_team([t.pk for t in teams.values()], month)
        for name, team in teams.items():
            m01 = next(v for v in per_team[team.pk] if v.measure == "M01")
            assert m01.basis == "headcount"
            table[name].append(m01.display)
    assert [f"{m:%b-%y}" for m in months] == S002_MONTHS
    assert table == {name: [str(v) for v in averages] for name, (_, averages) in S002.items()}
