"""The quarterly team return (REPORTS (c)): the team pro-forma (b) of the quarter's reporting month, then the
quarter block (M01, M03, M04, M15 at the two month-ends and the latest weekly snapshot on or before the date
of completion; M20 for the same three months). Its CSV is the pro-forma's worker rows with (b)'s headings.

Every figure comes from the measures module or the team pro-forma's selector; nothing is recomputed here."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from reporting.documents.common import DASH, Cell, Notes, authority_name, cell, pick, picks
from reporting.measures import MeasureValue, measures_for, measures_on, team_scope
from reporting.measures.values import OK, fmt
from reporting.models import QuarterlyReturn, ReportKind, ReportRun
from reporting.periods import Period, day_label, month_label
from supervision.models import EntryStatus, ProformaEntry
from supervision.team_month import ABSENT, ELSEWHERE, TeamMonthRow, team_month_summary
from workload.models import SHORT_POSITION, Team

# REPORTS (b): the source's column headings, exactly (its "manageable in a hours worked" typo corrected)
COLUMNS = (
    "Date of score",
    "Workers initials",
    "Position held (e.g. SW, NQSW, SWA, Trainee etc.)",
    "Part time / full time? (please state WTE e.g. 0.6 = 3 days)",
    "Points for personal capacity",
    "Points for case responsibility",
    "Total points for worker",
    "Number of children",
    "Number of cases (Family Groups)",
    "Workload Comments (Is the workload manageable in hours worked given skills and experience of worker, "
    "please give detail)",
    "Band",
    "Status",
)
DRAFT_BANNER = "Not yet approved — draft"
MANAGER_WORKLOAD_SCHEMES = frozenset({"swindon-cws-v1"})  # REPORTS (b) "Manager workloads"


def _points(value) -> str:
    if value is None:
        return ""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class WorkerRow:
    date_of_score: str
    initials: str
    position: str
    wte: str
    personal: str
    case: str
    total: str
    children: str
    family_groups: str
    comments: str
    band: str
    status: str
    earlier_month: str = ""  # "Jan-25" when the row shows an earlier month's pro-forma of the quarter

    def as_csv(self) -> list[str]:
        status = f"{self.status} (earlier month: {self.earlier_month})" if self.earlier_month else self.status
        return [self.date_of_score, self.initials, self.position, self.wte, self.personal, self.case, self.total,
                self.children, self.family_groups, self.comments, self.band, status]


def _comment(entry: ProformaEntry) -> str:
    parts = []
    if entry.workload_manageable is not None:
        parts.append("Manageable" if entry.workload_manageable else "Not manageable")
    if entry.workload_comment:
        parts.append(entry.workload_comment)
    return ": ".join(parts)


def _worker_row(row: TeamMonthRow, earlier: ProformaEntry | None) -> WorkerRow:
    worker = row.worker
    entry = row.entry
    scored = entry if entry is not None and entry.status == EntryStatus.COUNTERSIGNED else earlier
    status = row.status_label
    position = SHORT_POSITION.get((entry or worker).position, (entry or worker).position)
    if scored is None:
        return WorkerRow(
            date_of_score=f"{entry.date_of_score:%d/%m/%Y}" if entry and entry.date_of_score else "",
            initials=worker.initials, position=position, wte=f"{row.wte:.2f}", personal="", case="", total="",
            children=str(entry.children_count) if entry else "", family_groups=str(entry.family_groups) if entry else "",
            comments=_comment(entry) if entry else "", band="", status=status,
        )
    personal = (scored.personal_points or 0) + (scored.extra_points or 0) if scored.total_points is not None else None
    return WorkerRow(
        date_of_score=f"{scored.date_of_score:%d/%m/%Y}" if scored.date_of_score else "",
        initials=worker.initials, position=SHORT_POSITION.get(scored.position, scored.position),
        wte=f"{scored.wte:.2f}", personal=_points(personal), case=_points(scored.case_points),
        total=_points(scored.total_points), children=str(scored.children_count),
        family_groups=str(scored.family_groups), comments=_comment(scored), band=scored.band_label,
        status="Countersigned" if earlier is not None else status,
        earlier_month=month_label(scored.month) if earlier is not None else "",
    )


def _earlier_entries(team: Team, period: Period, worker_ids: list[int]) -> dict[int, ProformaEntry]:
    """The latest countersigned pro-forma of the quarter before the reporting month, per worker (one query):
    used, marked "earlier month", when the reporting month has none (REPORTS (c) "Period")."""
    out: dict[int, ProformaEntry] = {}
    for entry in ProformaEntry.objects.filter(
        team=team, worker_id__in=worker_ids, is_current=True, status=EntryStatus.COUNTERSIGNED,
        month__gte=period.first_day, month__lt=period.reporting_month,
    ).order_by("worker_id", "-month"):
        out.setdefault(entry.worker_id, entry)
    return out


@dataclass(frozen=True)
class BlockRow:
    label: str
    cells: tuple[Cell, ...]


def quarter_block(team: Team, period: Period, completed_on: date,
                  notes: Notes) -> tuple[list, list[BlockRow], list, list[MeasureValue]]:
    """Columns, rows and the snapshot dates read, for the quarter block (REP-27), and the last column's
    figures: the team totals and the reporting month's manager workloads (M22) print from the same values."""
    columns = period.quarter_columns(completed_on)
    scope = team_scope(team)
    months = [c.month for c in columns[:2]]
    by_month = measures_for(scope, months)
    per_column = [[v for v in by_month if v.month == m] for m in months]
    last = columns[2]
    per_column.append(measures_on(scope, last.month, (last.week_start, last.snapshot_until)))
    rows: list[BlockRow] = []

    def add(label, measure, threshold=None, text=None):
        values = [pick(col, measure, threshold) for col in per_column]
        rows.append(BlockRow(label, tuple(cell(v, notes, text=text(v) if text and v else None) for v in values)))

    first_m01 = next((pick(col, "M01") for col in per_column if pick(col, "M01")), None)
    basis = "per FTE" if first_m01 is None or first_m01.basis != "headcount" else "per worker"
    add(f"Average caseload ({basis}) and team average RAG", "M01")
    add("Caseload range (fewest – most children)", "M03")
    thresholds = sorted({v.threshold for col in per_column for v in picks(col, "M04") if v.threshold is not None})
    for n in thresholds:
        add(f"Workers with more than {n:.0f} cases", "M04", n)
    add("Unallocated children", "M15", text=lambda v: str(v.detail.get("unallocated", DASH)))
    add("Children held by workers on a long absence", "M15", text=lambda v: str(v.detail.get("held_by_absent", DASH)))
    add("Workload bands (countersigned pro-formas)", "M20")
    snapshots = []
    for column, col in zip(columns, per_column, strict=True):
        m01 = pick(col, "M01")
        snapshots.append((column.label, day_label(m01.snapshot_on) if m01 and m01.snapshot_on else "no snapshot"))
    return list(columns), rows, snapshots, per_column[2]


def team_totals(latest: list[MeasureValue], notes: Notes) -> list[tuple[str, Cell]]:
    """REPORTS (b) footer "Team totals": M01 (and per FTE when the preset averages per worker), M03, M04 per
    threshold and M20 at the latest snapshot, the quarter block's last column (no second computation)."""
    out = []
    m01 = pick(latest, "M01")
    if m01 is not None and m01.status == OK and m01.basis == "headcount":
        text = f"{m01.display} ({m01.detail['dfe_display']} per FTE)"
        out.append(("Average caseload per worker (per FTE)", cell(m01, notes, text=text)))
    else:
        out.append(("Average caseload per FTE", cell(m01, notes)))
    out.append(("Caseload range (fewest – most children)", cell(pick(latest, "M03"), notes)))
    for value in picks(latest, "M04"):
        out.append((f"Workers with more than {value.threshold:.0f} cases", cell(value, notes)))
    out.append(("Workload bands (countersigned pro-formas)", cell(pick(latest, "M20"), notes)))
    return out


def manager_workloads(m22: MeasureValue | None) -> list[dict]:
    """M22's rows as printed (REPORTS (b) "Manager workloads", REP-25): each manager's directly supervised
    workers and their points, then everyone supervised through their assistant team managers as well (pooled),
    and the average per worker. Formatting only: the figures are the measures module's."""
    rows = []
    for person in (m22.detail.get("rows", []) if m22 is not None else []):
        average = person["average"]
        rows.append({
            "name": person["name"], "direct_workers": person["direct_workers"],
            "direct_points": _points(person["direct_points"]), "workers": person["workers"],
            "points": _points(person["points"]), "average": DASH if average is None else fmt(average, 1),
        })
    return rows


def late_line(qr: QuarterlyReturn | None) -> str:
    """"Late — approved after the authority pack of <date>" when the return was approved after its quarter's
    pack was emailed (REPORTS (c) "Recipients"): the PDF then also goes to the pack's recipients."""
    pack = late_pack(qr)
    if pack is None:
        return ""
    return f"Late — approved after the authority pack of {day_label(timezone.localtime(pack.emailed_at).date())}"


def late_pack(qr: QuarterlyReturn | None) -> ReportRun | None:
    """The quarter's emailed authority pack run when the return was approved after it went, else None. The
    deliveries (who gets the "Late" copy) and the PDF (the "Late" line) both ask this, so they agree."""
    if qr is None or qr.approved_at is None:
        return None
    pack = (ReportRun.objects.filter(kind=ReportKind.AUTHORITY_PACK, period_key=qr.quarter, team__isnull=True)
            .exclude(emailed_at=None).first())
    return pack if pack is not None and qr.approved_at > pack.emailed_at else None


def context(*, team: Team, period: Period, standalone: bool = True) -> dict:
    """Everything the return's template and CSV print, for one team and quarter. `standalone` False inside
    the authority pack, which holds only returns approved before it went (no "Late" line to look for)."""
    qr = QuarterlyReturn.objects.filter(team=team, quarter=period.key).select_related("approved_by").first()
    approved = qr is not None and qr.state == QuarterlyReturn.State.APPROVED
    completed_on = qr.completed_on if qr and qr.completed_on else period.due_on
    month = period.reporting_month
    summary = team_month_summary(team=team, month=month, today=completed_on)
    missing = [r.worker.pk for r in summary.rows
               if r.status not in (ELSEWHERE,) and not (r.entry and r.entry.status == EntryStatus.COUNTERSIGNED)]
    earlier = _earlier_entries(team, period, missing) if missing else {}
    rows = [_worker_row(r, earlier.get(r.worker.pk)) for r in summary.rows if r.status != ELSEWHERE]
    notes = Notes()
    columns, block, snapshots, latest = quarter_block(team, period, completed_on, notes)
    totals = team_totals(latest, notes)  # before the legend is read: its empty cells share the block's notes
    extra = [r for r in summary.rows if r.entry and r.entry.extra_duty_hours]
    tm = summary.team_month
    present = [r for r in summary.rows if r.status not in (ABSENT, ELSEWHERE)]
    ctx = {
        "title": "Quarterly team return",
        "authority": authority_name(),
        "scope_label": f"{team.name} ({team.code})",
        "period_label": f"{period.key} ({period.financial_label})",
        "team": team,
        "period": period,
        "return": qr,
        "approved": approved,
        "state_label": qr.get_state_display() if qr else "Not started",
        "draft_banner": "" if approved else DRAFT_BANNER,
        "completed_on": completed_on,
        "completed_label": day_label(completed_on) if qr and qr.completed_on else "not yet completed",
        "due_label": day_label(period.due_on),
        "reporting_month_label": month_label(month),
        "managers": ", ".join(m.get_full_name() or m.username for m in summary.managers) or DASH,
        "scheme_label": summary.scheme_label,
        "rows": rows,
        # no data: no caseload snapshot in the quarter block and no pro-forma on any row
        "has_data": any(r.children or r.total for r in rows) or any(s[1] != "no snapshot" for s in snapshots),
        "extra_duties": [(r.worker.initials, _points(r.entry.extra_duty_hours), _points(r.entry.extra_points),
                          r.entry.extra_duty_explanation) for r in extra],
        "unallocated": summary.unallocated_cases,
        "sm_comment": tm.service_manager_comment if tm else "",
        "suggestions": tm.suggestions if tm else "",
        "headcount": len(present),
        "wte_total": f"{summary.wte_total:.2f}",
        "children_total": sum(int(r.children) for r in rows if r.children),
        "columns": columns,
        "block": block,
        "snapshots": snapshots,
        "legend": notes.legend(),
        "csv_columns": COLUMNS,
        # REPORTS (b): teams on swindon-cws-v1 (S004 L4537); not printed for the other schemes (optional there)
        "show_manager_workloads": summary.scheme_slug in MANAGER_WORKLOAD_SCHEMES,
        "manager_workloads": manager_workloads(pick(latest, "M22")),
        "team_totals": totals,
        "team_totals_on": snapshots[2],  # (column label, snapshot day or "no snapshot")
        "late_line": late_line(qr) if approved and standalone else "",
    }
    ctx["return_context"] = ctx
    return ctx


def csv_text(ctx: dict) -> str:
    """The worker rows of the team pro-forma with REPORTS (b)'s exact headings."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in ctx["rows"]:
        writer.writerow(row.as_csv())
    return out.getvalue()
