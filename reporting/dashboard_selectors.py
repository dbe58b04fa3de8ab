"""Reads for the dashboard pages: which authority, service areas and teams a person may open, and the
drill-down lists (service area -> teams -> workers -> pro-forma). The measures themselves come from
reporting.measures; nothing here computes one.

Scope (workload.access and the capability map): administrator and SMT see the authority and everything;
a head of service the service areas they lead (and the teams they are service manager of, as team views);
a team manager the team views of the teams they manage. Anything else is a 404, so a guessed id outside
the scope looks the same as one that does not exist."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.urls import reverse

from reporting.measures import (
    AUTHORITY,
    MeasureValue,
    Scope,
    label_for,
    measure_workers,
    measures_with_teams,
    national_caseload,
    team_scope,
)
from reporting.measures.values import EMPTY
from reporting.models import MeasureCode
from supervision.models import EntryStatus, ProformaEntry
from workload.access import teams_for_user
from workload.capabilities import can
from workload.models import CaseloadSnapshot, ServiceArea, Team
from workload.workdays import add_months, month_end


def sees_authority(user) -> bool:
    return can(user, "team.view_all")


def service_areas_for_user(user) -> QuerySet[ServiceArea]:
    """Service areas whose dashboard the user may open."""
    if sees_authority(user):
        return ServiceArea.objects.all().order_by("name")
    if can(user, "team.view_led"):
        return ServiceArea.objects.filter(head_of_service=user).order_by("name")
    return ServiceArea.objects.none()


def service_area_get_for_user(*, user, pk: int) -> ServiceArea:
    try:
        return service_areas_for_user(user).get(pk=pk)
    except ServiceArea.DoesNotExist as exc:
        raise Http404("No such service area.") from exc


def dashboard_teams(*, user, service_area: ServiceArea | None = None) -> QuerySet[Team]:
    """Active teams in the user's scope, optionally of one service area, by area and name."""
    teams = teams_for_user(user).filter(is_active=True).select_related("service_area")
    if service_area is not None:
        teams = teams.filter(service_area=service_area)
    return teams.order_by("service_area__name", "name")


def month_snapshot_date(*, month: date) -> date | None:
    """The snapshot a month's figures read (REPORTS 1.1, as reporting.measures reads it): the month's latest
    snapshot dated in the month (a month-end one is the last day's). None: the month has no snapshot, so
    its snapshot measures are "no data" rather than an older month's figures."""
    return (
        CaseloadSnapshot.objects.filter(taken_on__range=(month, month_end(month))).order_by("-taken_on")
        .values_list("taken_on", flat=True).first()
    )


def default_month(*, today: date) -> date:
    """The month a dashboard opens on: the month of the latest snapshot taken by today (on the 3rd of a month,
    before its first weekly snapshot, that is last month, whose figures are complete), else this month."""
    latest = (CaseloadSnapshot.objects.filter(taken_on__lte=today).order_by("-taken_on")
              .values_list("taken_on", flat=True).first())
    return (latest or today).replace(day=1)


def team_worker_rows(*, team: Team, month: date, snapshot_on: date | None) -> list:
    """The team's workers the month's figures count, each with the month's current pro-forma (id, status), for
    the drill-down to the worker and the entry: the rows of the month's snapshot, then the workers with no
    snapshot in the month counted from their countersigned pro-forma (REPORTS 1.1 "Fallback", marked
    `from_proforma`), as the measures count them. Two queries."""
    rows = []
    if snapshot_on is not None:
        entries = ProformaEntry.objects.current().filter(worker=OuterRef("worker_id"), month=month)
        rows = list(
            CaseloadSnapshot.objects.filter(team=team, taken_on=snapshot_on)
            .select_related("worker")
            .annotate(entry_id=Subquery(entries.values("pk")[:1]), entry_status=Subquery(entries.values("status")[:1]))
            .order_by("worker__surname", "worker__first_name", "worker__pk")
        )
    fallback = (
        ProformaEntry.objects.current().filter(team=team, month=month, status=EntryStatus.COUNTERSIGNED)
        .exclude(Exists(CaseloadSnapshot.objects.filter(worker_id=OuterRef("worker_id"), taken_on__gte=month,
                                                        taken_on__lte=month_end(month))))
        .select_related("worker").order_by("worker__surname", "worker__first_name", "worker__pk")
    )
    for entry in fallback:
        entry.entry_id, entry.entry_status, entry.allocated_children = entry.pk, entry.status, entry.children_count
        entry.from_proforma = True
        rows.append(entry)
    return rows


# ---------------------------------------------------------------------------------- measure panels
# The figures come from reporting.measures; these functions ask it for a scope and months and only lay its
# values out for the page: the card text, the change since last month in words, the trend rows and the
# table of teams. Nothing here computes a measure.

LOWER_IS_BETTER = frozenset({"M01", "M02", "M04", "M05", "M06", "M08", "M09", "M15", "M16", "M17", "M18"})
HIGHER_IS_BETTER = frozenset({"M10", "M11", "M12", "M13", "M14", "M19"})
PERCENTAGES = frozenset({"M06", "M10", "M11", "M12", "M13", "M14", "M19"})
FIRST_FIGURE = frozenset({"M01", "M02", "M07", "M08"})  # compared on the figure shown (REPORTS (d) "Δ")
NO_CHANGE = frozenset({"M03", "M20", "M22"})  # a range, a distribution, a list: no single figure to compare
AVERAGES = frozenset({"M01", "M08"})
MAIN_POPULATION = frozenset({"M01", "M02", "M04", "M05", "M06", "M07"})  # REPORTS 1.2, care-leaver teams excluded
TRENDS = ("M01", "M04", "M08", "M10", "M19", "M15", "M18")  # the 12-month charts, in page order
RAG_WORDS = {
    "lower": {"green": "Green — on target", "amber": "Amber — a little above target", "red": "Red — above target"},
    "higher": {"green": "Green — on target", "amber": "Amber — a little below target", "red": "Red — below target"},
}
ARROWS = frozenset("▲▼=")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Cell:
    text: str
    note: str = ""
    month: str = ""


# In a trend, the one figure a month is plotted by (the card's sentence says more).
TREND_TEXT = {"M15": lambda v: str(v.detail.get("unallocated", "")), "M18": lambda v: f"{v.value:f}"}
COUNTS = frozenset({"M04", "M05", "M09"})


def _cell_text(value: MeasureValue) -> str:
    """A table cell: the one figure (the card says the rest)."""
    return TREND_TEXT[value.measure](value) if value.measure in TREND_TEXT else _shown(value)


def _shown(value: MeasureValue) -> str:
    """The figure of a card or cell; a count's raw reading (after "; ") is said in words beside it."""
    return value.display.split("; ")[0] if value.measure in COUNTS else value.display


@dataclass(frozen=True)
class Card:
    key: str
    label: str
    value_text: str
    unit: str = ""
    note: str = ""
    target_text: str = ""
    rag: str = ""
    rag_text: str = ""
    change_text: str = ""
    change_class: str = ""
    per_fte_text: str = ""
    national_text: str = ""
    detail: str = ""
    drill_url: str = ""
    drill_label: str = ""
    long: bool = False  # a sentence rather than a figure: shown smaller
    links: tuple[tuple[str, str], ...] = ()  # more (url, words) under the card, e.g. the escalations list

    @property
    def change_arrow(self) -> str:
        """The ▲ / ▼ / = before the change: shown, but hidden from screen readers, which read the words."""
        return self.change_text[:1] if self.change_text[:1] in ARROWS else ""

    @property
    def change_words(self) -> str:
        return self.change_text[1:].lstrip() if self.change_arrow else self.change_text


def _direction(measure: str) -> str:
    return "lower" if measure in LOWER_IS_BETTER else "higher" if measure in HIGHER_IS_BETTER else ""


def _figure(value: MeasureValue) -> Decimal | None:
    """The number a month-on-month change compares, at the precision the page shows."""
    if value.status != "ok":
        return None
    if value.measure in FIRST_FIGURE:
        match = _NUMBER.match(value.display)
        return Decimal(match[0]) if match else None
    if value.value is None:
        return None
    return value.value.quantize(Decimal(1)) if value.measure in PERCENTAGES else value.value


def change_words(now: MeasureValue, before: MeasureValue | None, *, before_month: date) -> tuple[str, str]:
    """("▲ 1.2 worse than Jun 2025", "worse") by the measure's direction; ("", "") when there is nothing to
    compare."""
    if before is None or now.measure in NO_CHANGE:
        return "", ""
    a, b = _figure(now), _figure(before)
    if a is None or b is None:
        return "", ""
    diff = a - b
    when = f"{before_month:%b %Y}"
    unit = " points" if now.measure in PERCENTAGES else ""
    if diff == 0:
        return f"= the same as {when}", "same"
    arrow, amount = ("▲", diff) if diff > 0 else ("▼", -diff)
    direction = _direction(now.measure)
    if not direction:
        return f"{arrow} {'up' if diff > 0 else 'down'} {amount}{unit} since {when}", "same"
    better = (diff < 0) if direction == "lower" else (diff > 0)
    word = "better" if better else "worse"
    return f"{arrow} {amount}{unit} {word} than {when}", word


def _target_text(value: MeasureValue) -> str:
    if value.target is None or value.measure == "M02":
        return ""
    if value.measure in PERCENTAGES:
        return f"{value.target.quantize(Decimal(1))} %"
    if value.measure in AVERAGES:
        per = "per worker" if value.basis == "headcount" else "per FTE"
        return f"{value.target.quantize(Decimal('0.1')).normalize():f} {per}"
    return f"{value.target.normalize():f}"


# Counts drill down to the people behind them: the same rows the count counted (measure_workers), so the
# list is as long as the figure; "Who needs attention" (its own thresholds and reasons) is a page of its own.
WORKER_LISTS = ("M04", "M05", "M09", "M15", "M17")
DRILL_LABELS = {"M15": "Who holds cases while on a long absence", "M17": "Which managers"}
LIST_TITLES = {"M15": "Workers holding cases while on a long absence"}


def worker_list_measures() -> dict[str, str]:
    """The figures with a list of workers behind them: code -> label (with "N" left in)."""
    return {m: MeasureCode(m).label for m in WORKER_LISTS}


def scope_workers_url(scope: Scope) -> str:
    if scope.kind == "team":
        return reverse("dashboards:team-workers", args=[scope.pk])
    if scope.kind == "service":
        return reverse("dashboards:service-workers", args=[scope.pk])
    return reverse("dashboards:workers")


def measure_worker_list(*, scope: Scope, month: date, measure: str, threshold: int | None) -> dict:
    """The workers behind one count of one scope and month, with the count's label: the rows
    reporting.measures counted (snapshot rows, and pro-forma rows for workers with no snapshot)."""
    rows = measure_workers(scope, month, measure, threshold if measure in COUNTS else None)
    for row in rows:  # the children the figure compared: care-leaver counts may include co-worked (basis B)
        row["children"] = row["cases"] if measure in COUNTS else row["allocated_children"]
    label = LIST_TITLES.get(measure) or label_for(measure, threshold if measure in COUNTS else None)
    return {"label": label, "rows": rows,
            "from_proforma": sum(r["from_proforma"] for r in rows)}


def _card(index: int, value: MeasureValue, before: MeasureValue | None, *, before_month: date,
          national: dict, workers_url: str = "", escalations_url: str = "") -> Card:
    rag_text = RAG_WORDS.get(_direction(value.measure) or "lower", {}).get(value.rag, "") if value.rag else ""
    change_text, change_class = change_words(value, before, before_month=before_month)
    unit = per_fte = national_text = detail = ""
    if value.measure in AVERAGES:
        unit = "per worker" if value.basis == "headcount" else "per FTE"
        if value.status == "ok" and value.basis == "headcount":
            per_fte = f"{value.detail['dfe_display']} per case-holding FTE (the figure comparable with DfE's)"
        elif value.status == "ok":
            per_fte = "Per case-holding FTE: the figure comparable with DfE's."
        if value.measure == "M01":
            national_text = f"National: {national['value']} — {national['label']}"
    if value.measure in ("M04", "M05", "M09") and value.status == "ok" and value.basis == "pro_rata":
        raw = value.detail.get("raw_reading")
        if raw is not None and Decimal(raw) != value.value:
            detail = f"Counted without scaling for hours: {raw}"
    if value.status == "ok" and value.threshold is not None and value.measure in ("M04", "M05", "M09"):
        n = f"{value.threshold.normalize():f}"
        scaled = f"Scaled to hours: more than {n} × WTE." if value.basis == "pro_rata" else \
            f"More than {n}, whatever the hours."
        detail = " ".join(filter(None, [scaled, detail]))
    if value.measure == "M07" and value.status == "ok":
        detail = "Children per ASYE FTE, then that as a share of the other workers' children per FTE."
    if value.measure == "M18" and value.status == "ok" and value.value:
        since, due = value.detail.get("oldest_since"), value.detail.get("earliest_due")
        detail = " ".join(filter(None, [
            f"Over since {_day(since)} at the longest." if since else "",
            (f"Earliest action due {_day(due)}" + (", overdue on the snapshot date." if value.snapshot_on
                                                    and due < value.snapshot_on else ".")) if due else ""]))
    if value.measure in AVERAGES and rag_text:
        rag_text = f"Team average RAG: {rag_text}"  # POLICIES §3.1 (iii): never read as a worker's band
    # M15's list is of the absent holders: none to list when none hold cases, whatever the unallocated count
    drill = value.measure in WORKER_LISTS and value.status == "ok" and bool(
        value.detail.get("held_by_absent") if value.measure == "M15" else value.value)
    n = f"&n={value.threshold.normalize():f}" if value.measure in COUNTS and value.threshold is not None else ""
    return Card(
        key=f"measure-{index}", label=value.label, value_text=_shown(value) or "–", unit=unit if value.status == "ok"
        else "", note=value.note, target_text=_target_text(value), rag=value.rag, rag_text=rag_text,
        change_text=change_text, change_class=change_class, per_fte_text=per_fte, national_text=national_text,
        detail=detail, long=len(_shown(value) or "") > 14,
        drill_url=f"{workers_url}?month={value.month:%Y-%m}&measure={value.measure}{n}" if drill else "",
        drill_label=DRILL_LABELS.get(value.measure, "Who they are"),
        links=((escalations_url, "See the escalations"),) if value.measure == "M18" and value.status == "ok" else (),
    )


def _day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _key(value: MeasureValue) -> tuple:
    return value.measure, value.threshold, value.label


def _trend(measure: str, months: list[date], by_month: dict[date, list[MeasureValue]]) -> dict | None:
    current = [v for v in by_month[months[-1]] if v.measure == measure]
    if not current:
        return None
    first = current[0]
    cells, values = [], []
    for month in months:
        label = f"{month:%b-%y}"
        found = next((v for v in by_month[month] if _key(v) == _key(first)), None)
        if found is None or found.status != "ok":
            cells.append(Cell("–", found.note if found else "No data", month=label))
            values.append(None)
            continue
        figure = _figure(found)
        text = _cell_text(found)
        cells.append(Cell(text, month=label))
        values.append(float(figure) if figure is not None else None)
    key = f"{measure.lower()}"
    target = first.target if measure != "M02" else None
    return {
        "key": key, "label": first.label, "row_label": first.label, "cells": cells, "script_id": f"trend-{key}-data",
        "target_text": _target_text(first), "column": "Unallocated children" if measure == "M15" else first.label,
        "chart": {"labels": [f"{m:%b-%y}" for m in months], "values": values, "label": first.label,
                  "target": float(target) if target is not None else None},
    }


def _team_rows(figures: dict[int, list[MeasureValue]], month: date, teams: list[Team], *, area_links: bool
               ) -> list[dict]:
    rows = []
    for team in teams:
        values = figures.get(team.pk, [])
        pick = {v.measure: v for v in reversed(values)}  # the first of each measure (lowest N) wins
        cells = []
        for measure in ("M01", "M04", "M15", "M18"):
            # a care-leaver team's average and count are its care-leaver ones (M08 / M09); its M01 is empty
            value = pick.get(CARE_LEAVER_COLUMNS.get(measure, "")) or pick.get(measure)
            if value is None:
                cells.append(Cell("–", "No data"))
            elif value.status != "ok":
                cells.append(Cell("–", value.note))
            elif value.rag:
                cells.append(Cell(f"{_cell_text(value)} ({RAG_WORDS['lower'][value.rag].split(' — ')[0]})"))
            else:
                cells.append(Cell(_cell_text(value)))
        rows.append({"name": team.name, "url": reverse("dashboards:team", args=[team.pk]) + f"?month={month:%Y-%m}",
                     "area": team.service_area.name, "cells": cells})
    return rows


CARE_LEAVER_COLUMNS = {"M01": "M08", "M04": "M09"}
CHILD_COLUMNS = ("Team", "Average caseload", "Workers over the threshold", "Unallocated children",
                 "Open escalations")


def _panel(scope: Scope, month: date, *, teams: list[Team] | None, area_links: bool = False) -> dict:
    months = [add_months(month, -k) for k in range(11, -1, -1)]
    by_month: dict[date, list[MeasureValue]] = {m: [] for m in months}
    # one load for the 12 months and the table of teams (reporting.measures: a fixed number of queries)
    values, figures = measures_with_teams(scope, months, [t.pk for t in teams or ()])
    for value in values:
        by_month[value.month].append(value)
    before = {_key(v): v for v in by_month[months[-2]]}
    national = national_caseload()
    shown = by_month[month]
    # A leaving-care team has no one in the main population: its figures are the care-leaver ones (M08 / M09),
    # so the main population's empty cards and trends would only say "No case-holding staff" six times.
    leavers_only = any(v.measure == "M08" for v in shown) and any(
        v.measure == "M01" and v.status == EMPTY for v in shown)
    if leavers_only:
        shown = [v for v in shown if not (v.measure in MAIN_POPULATION and v.status == EMPTY)]
    escalations_url = reverse("reporting:escalation-list") + (f"?team={scope.pk}" if scope.kind == "team" else "")
    cards = [
        _card(index, value, before.get(_key(value)), before_month=months[-2], national=national,
              workers_url=scope_workers_url(scope), escalations_url=escalations_url)
        for index, value in enumerate(shown, start=1)
    ]
    trends = [t for t in (_trend(m, months, by_month) for m in TRENDS
                          if not (leavers_only and m in MAIN_POPULATION)) if t is not None]
    panel = {"cards": cards, "trends": trends}
    if teams:
        panel.update(children=_team_rows(figures, month, teams, area_links=area_links),
                     children_heading="Teams", children_columns=CHILD_COLUMNS)
    return panel


def authority_panel(*, teams: list[Team], month: date) -> dict:
    return _panel(AUTHORITY, month, teams=teams, area_links=True)


def service_panel(*, area: ServiceArea, teams: list[Team], month: date) -> dict:
    return _panel(Scope("service", area.pk, area.name), month, teams=teams)


def team_panel(*, team: Team, month: date) -> dict:
    return _panel(team_scope(team), month, teams=None)
