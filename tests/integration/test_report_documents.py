"""The report documents from REPORTS.md's worked example (tests/worked_example.py: team DA1 and IP1 on
Fri 31 Jan 2025), built as PDFs, their text extracted and the figures checked. REPORT_PDF_DIR=<dir> keeps
the PDFs for looking at (docs/reports.md)."""
import csv
import io
import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from reporting.committee_services import committee_narrative_save
from reporting.documents.quarterly_return import COLUMNS
from reporting.models import MeasureAnalysis, QuarterlyReturn, ReportKind, TrendRow
from reporting.render import render_pdf
from tests.factories import TeamFactory, UserFactory, WorkerFactory
from tests.factories_supervision import user_in
from tests.plugins.infra import pdf_text
from tests.worked_example import build, entry
from workload.roles import Role

pytestmark = pytest.mark.django_db
KEEP = os.environ.get("REPORT_PDF_DIR")


def text_of(report) -> str:
    if KEEP:
        Path(KEEP, report.filename).write_bytes(report.pdf)
    assert report.pdf.startswith(b"%PDF-")
    return re.sub(r"\s+", " ", pdf_text(report.pdf))  # table cells wrap; compare words, not line breaks


@pytest.fixture
def example():
    return build()


def completed_return(example, **fields) -> QuarterlyReturn:
    return QuarterlyReturn.objects.create(team=example.da1, quarter="2025-Q1", completed_on=date(2025, 3, 25), **fields)


def test_quarterly_return_prints_the_worked_example_and_says_draft(example):
    completed_return(example, state=QuarterlyReturn.State.SUBMITTED)
    report = render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", example.da1)
    text = text_of(report)
    assert report.filename == "quarterly-return-2025-Q1-DA1.pdf"
    assert text.count("Not yet approved — draft") >= 3  # banner, and the header and footer of each page
    assert "Quarterly team return: Duty and Assessment" in text
    assert "Quarter 2025-Q1 (2024/25 Q4 financial year), January to March 2025" in text
    assert "Reporting month Mar-25" in text
    assert "Date completed Tue 25 Mar 2025" in text
    assert "Due for approval by Fri 28 Mar 2025" in text
    assert "Snapshots used Jan-25: Fri 31 Jan 2025; Feb-25: no snapshot; w/e 21 Mar 2025: no snapshot" in text
    assert "State With the service manager" in text
    # W6's row: the January pro-forma, marked as an earlier month of the quarter (121 points, 29 children;
    # the worked example's pro-formas record no family groups)
    assert "WE SW 1.00 0 121 29 0 High Countersigned earlier month: Jan-25" in text
    assert "WE SW 0.60 No pro-forma" in text  # W3: no pro-forma, points blank
    assert "WE SW 1.00 Absent" in text  # W7 on a long absence
    assert "Team totals: 6 workers 5.40 82" in text
    assert ("Team figures for w/e 21 Mar 2025 (snapshot: no snapshot) Average caseload per FTE – b Caseload range (fewest – "
            "most children) – b Workers with more than 22 cases – b Workers with more than 25 cases – b Workload "
            "bands (countersigned pro-formas) – b") in text
    assert "Number of unallocated cases currently in this team 5" in text
    # the quarter block: three columns, the worked example's January figures, "No data" after it
    assert "Measure Jan-25 Feb-25 w/e 21 Mar 2025" in text
    assert "Average caseload (per FTE) and team average RAG 18.9 Red – b – b" in text
    assert "Caseload range (fewest – most children) 6 – 29 – b – b" in text
    assert "Workers with more than 22 cases 3 (50 %); 2 without pro rata Red – b – b" in text
    assert "Workers with more than 25 cases 1 (17 %) Red – b – b" in text
    assert "Unallocated children 5 – b – b" in text
    assert "Children held by workers on a long absence 3 – b – b" in text
    assert "Below sustainable 0, Sustainable 2, Demanding 0, High 2, Not scored 2 – b – b" in text
    assert "– b: No data" in text
    assert "M01" not in text and "M20" not in text
    assert "Manager workloads" not in text  # Nottinghamshire: M22 is printed for Swindon teams only
    assert "Late —" not in text


def test_quarterly_return_csv_is_the_worker_rows_with_the_exact_headings(example):
    completed_return(example)
    report = render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", example.da1)
    rows = list(csv.reader(io.StringIO(report.csv)))
    assert rows[0] == [
        "Date of score", "Workers initials", "Position held (e.g. SW, NQSW, SWA, Trainee etc.)",
        "Part time / full time? (please state WTE e.g. 0.6 = 3 days)", "Points for personal capacity",
        "Points for case responsibility", "Total points for worker", "Number of children",
        "Number of cases (Family Groups)",
        "Workload Comments (Is the workload manageable in hours worked given skills and experience of worker, "
        "please give detail)",
        "Band", "Status",
    ] == list(COLUMNS)
    assert [(r[1], r[2], r[3], r[6], r[7], r[10], r[11]) for r in rows[1:]] == [
        ("WE", "SP", "1.00", "88", "16", "Sustainable", "Countersigned (earlier month: Jan-25)"),
        ("WE", "SW", "1.00", "115", "24", "High", "Countersigned (earlier month: Jan-25)"),
        ("WE", "SW", "0.60", "", "", "", "No pro-forma"),
        ("WE", "NQSW", "1.00", "80", "13", "Sustainable", "Countersigned (earlier month: Jan-25)"),
        ("WE", "NQSW", "0.80", "", "", "", "No pro-forma"),
        ("WE", "SW", "1.00", "121", "29", "High", "Countersigned (earlier month: Jan-25)"),
        ("WE", "SW", "1.00", "", "", "", "Absent"),
    ]


def test_approved_return_names_its_approver_and_has_no_draft_mark(example):
    approver = UserFactory(first_name="Sam", last_name="Manager")
    completed_return(example, state=QuarterlyReturn.State.APPROVED, approved_by=approver,
                     approved_at=datetime(2025, 3, 26, 10, 0, tzinfo=UTC))
    text = text_of(render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", example.da1))
    assert "draft" not in text.lower()
    assert "State Approved by Sam Manager" in text


def test_same_data_same_pdf(example):
    first = render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", example.da1)
    assert render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", example.da1).pdf == first.pdf


def test_team_with_no_data_gets_a_valid_pdf_that_says_so():
    team = TeamFactory(name="New Team", code="NT1")
    text = text_of(render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", team))
    assert "There is no data for New Team in January to March 2025" in text
    assert "No workers in this team for Mar-25." in text
    assert "Average caseload (per FTE) and team average RAG – b – b – b" in text
    weekly = text_of(render_pdf(ReportKind.SMT_WEEKLY, "2025-W05"))
    assert "There is no caseload snapshot for 2025-W05" in weekly
    assert "Teams with no snapshot this week New Team" in weekly


def test_weekly_report_of_the_worked_example(example):
    report = render_pdf(ReportKind.SMT_WEEKLY, "2025-W05")
    text = text_of(report)
    assert report.filename == "smt-weekly-2025-W05.pdf" and report.csv is None
    assert "Social work caseloads — week ending Fri 31 Jan 2025" in text
    assert "Snapshot Fri 31 Jan 2025 (end of day) Compared with week ending Fri 24 Jan 2025" in text
    assert "Barnet caseload policy (2019): averages per full-time equivalent (FTE), 'more than N' counted pro " \
           "rata to each worker's WTE" in text
    # 1: the authority roll-up (138 ÷ 8.4 = 16.4 against 15.6: Amber); last week only DA1 had a snapshot
    assert "Average caseload (team average RAG) 16.4 Amber 15.6 18.7 ▼ -2.3" in text
    assert "Workers with more than 22 cases 3 (33 %); 2 without pro rata Red 0 2 (33 %) ▲ +1" in text
    # 2: DA1, IP1, the service area's pooled subtotal and the authority total
    assert "Duty and Assessment (DA1) Duty and Assessment 16 22 5.40 6 102 18.9 Red ▲ +0.2 6 – 29 3 Red 2 / 1 " \
           "5 / 3 2.00 / 1.00 1 Red 3 Red" in text
    assert "Intervention and Planning (IP1) Intervention and Planning 15 22 3.00 3 36 12.0 Green – 10 – 14 0 Green" \
           in text
    assert "Whole authority 15.6 – 8.40 9 138 16.4 Amber ▼ -2.3 6 – 29 3 Red" in text
    # 3: W2, W3 and W6 over the maximum, with their escalations
    assert "Duty and Assessment WE 1.00 24 22 Fri 24 Jan 2025 7 pending – no" in text
    assert "Duty and Assessment WE 0.60 14 13.2 Fri 31 Jan 2025 0 pending – no" in text
    assert "Duty and Assessment WE 1.00 29 22 Fri 15 Nov 2024 77 yes (Wed 20 Nov 2024) – Fri 17 Jan 2025" in text
    assert "Teams with no snapshot this week None." in text
    assert not re.search(r"\bM\d\d\b|\bR\d\d\b", text)


def test_weekly_data_quality_lists_open_cases_missing_from_the_pro_forma(example):
    """REPORTS (d) §4: with a case list, each case open on the worker's snapshot day that no line of their
    pro-forma for the month names; a closed allocation and a scored case are not listed."""
    from supervision.models import EntryLine, ProformaEntry
    from tests.factories import AllocationFactory, CaseFactory

    w1 = example.people["W1"]
    scored, missed, ended = (CaseFactory(team=example.da1, reference=ref, opened=date(2024, 6, 3))
                             for ref in ("DA-101", "DA-102", "DA-103"))
    AllocationFactory(case=scored, worker=w1, start=date(2024, 6, 3))
    AllocationFactory(case=missed, worker=w1, start=date(2024, 6, 3))
    AllocationFactory(case=ended, worker=w1, start=date(2024, 6, 3), end=date(2025, 1, 10))
    proforma = ProformaEntry.objects.get(worker=w1, month=date(2025, 1, 1), is_current=True)
    EntryLine.objects.create(entry=proforma, case=scored, reference="DA-101", children=1, category="cin")
    text = text_of(render_pdf(ReportKind.SMT_WEEKLY, "2025-W05"))
    assert ("Open cases not scored on the Jan-25 pro-formas Duty and Assessment: WE — case DA-102 "
            "Workers without a case list whose Jan-25 pro-forma counts fewer children than the snapshot") in text
    assert "DA-101" not in text and "DA-103" not in text


def test_monthly_edition_prints_the_trend_rows_and_their_analysis(example):
    da1_row = TrendRow.objects.create(position=1, measure="M01", label="Duty and Assessment average caseload",
                                      scope_kind=TrendRow.ScopeKind.TEAM, team=example.da1, target=Decimal(16),
                                      start_month=date(2024, 11, 1))
    TrendRow.objects.create(position=2, measure="M04", label="Workers with more than 25 cases, authority",
                            threshold=25, start_month=date(2024, 11, 1))
    MeasureAnalysis.objects.create(trend_row=da1_row, month=date(2025, 1, 1), author=UserFactory(),
                                   text="Two workers are over the maximum; agency cover ends in March.")
    report = render_pdf(ReportKind.SMT_MONTHLY, "2025-01")
    text = text_of(report)
    assert report.filename == "smt-monthly-2025-01.pdf"
    assert "Social work caseloads — January 2025" in text
    assert "Snapshot Fri 31 Jan 2025 (end of day) Compared with December 2024" in text
    assert "5. Month-by-month trend and analysis" in text
    assert "Measure Feb-24 Mar-24 Apr-24 May-24 Jun-24 Jul-24 Aug-24 Sep-24 Oct-24 Nov-24 Dec-24 Jan-25 Target" in text
    # not started before Nov-24 (blank); W7 counted in November, on a long absence from 23 Dec
    assert "Duty and Assessment average caseload 15.6 Green 18.0 Red 18.9 Red 16" in text
    assert "Workers with more than 25 cases, authority 1 (14 %) Red 1 (17 %) Red 1 (11 %) Red 0" in text
    assert "blank: Not started: before this row's first month" in text
    assert "Duty and Assessment average caseload Two workers are over the maximum; agency cover ends in March." in text
    assert "Workers with more than 25 cases, authority No analysis recorded" in text


@pytest.mark.parametrize(("kind", "period", "team", "message"), [
    (ReportKind.QUARTERLY_RETURN, "2025-W05", True, "'2025-W05' is a week, but this report needs a quarter"),
    (ReportKind.SMT_WEEKLY, "2025-Q1", False, "'2025-Q1' is a quarter, but this report needs a week"),
    (ReportKind.SMT_WEEKLY, "2025-W5", False, "'2025-W5' is not a period."),
    (ReportKind.QUARTERLY_RETURN, "2025-Q1", False, "A quarterly team return needs a team."),
    (ReportKind.AUTHORITY_PACK, "2025-Q1", True, "covers the whole authority: give no team."),
])
def test_bad_arguments_are_refused_in_words(kind, period, team, message):
    team = TeamFactory() if team else None
    with pytest.raises(ValueError, match=re.escape(message)):
        render_pdf(kind, period, team)


def test_authority_pack_lists_overdue_returns_and_includes_approved_ones(example):
    approver = UserFactory(first_name="Sam", last_name="Manager")
    completed_return(example, state=QuarterlyReturn.State.APPROVED, approved_by=approver,
                     approved_at=datetime(2025, 3, 26, 10, 0, tzinfo=UTC))
    QuarterlyReturn.objects.create(team=example.ip1, quarter="2025-Q1", state=QuarterlyReturn.State.SUBMITTED)
    report = render_pdf(ReportKind.AUTHORITY_PACK, "2025-Q1")
    text = text_of(report)
    assert report.filename == "authority-pack-2025-Q1.pdf"
    assert "Returns due for approval by Fri 28 Mar 2025" in text
    assert "Pack date Mon 31 Mar 2025 (the first working day after the due date)" in text
    assert "Teams 2: 1 return approved, 1 overdue" in text
    assert "Children's Social Care Intervention and Planning (IP1) With the service manager 1" in text
    assert "Quarterly team return: Duty and Assessment" in text
    assert "Quarterly team return: Intervention and Planning" not in text  # never printed as if checked
    assert "draft" not in text.lower()
    assert "Average caseload (per FTE) and team average RAG 18.9 Red – b – b" in text


def test_swindon_return_prints_manager_workloads_from_the_measures():
    from workload.models import CaseloadSnapshot, Position

    team = TeamFactory(name="Children's Social Work North", code="CSW1",
                       scheme=("swindon-cws-v1", "childrens_social_work"))
    user = UserFactory()

    def worker(first, surname, supervisor=None, position=Position.SOCIAL_WORKER):
        one = WorkerFactory(team=team, first_name=first, surname=surname, position=position, supervisor=supervisor)
        CaseloadSnapshot.objects.create(worker=one, team=team, taken_on=date(2025, 3, 21), kind="weekly",
                                        wte=one.wte, allocated_children=0 if supervisor is None else 10)
        return one

    tm = worker("Tina", "Lead", position=Position.TEAM_MANAGER)
    atm = worker("Ann", "Assist", supervisor=tm, position=Position.PRACTICE_MANAGER)
    for supervisor, total in ((atm, "50"), (atm, "60"), (tm, "40")):
        entry(worker("W", f"Worker {total}", supervisor=supervisor), date(2025, 3, 1), total, created_by=user)
    text = text_of(render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", team))
    assert "Manager workloads, Mar-25" in text
    # REP-25: Ann supervises two workers (110 points); Tina one directly (40) and Ann's two through her: 3, 150
    assert "Ann Assist 2 110 2 110 55.0" in text
    assert "Tina Lead 1 40 3 150 50.0" in text
    # REPORTS (b) footer "Team totals": the quarter block's last column (pro-forma fallback: no snapshot that week)
    assert ("Team figures for w/e 28 Mar 2025 (snapshot: no snapshot) Average caseload per FTE 0.0 Green Caseload range "
            "(fewest – most children) 0 – 0 Workers with more than 22 cases 0 (0 %) Green Workload bands "
            "(countersigned pro-formas) Below bandwidth 0, Within bandwidth 0, Above bandwidth 3, Not scored 0") in text


def test_committee_report_has_no_worker_rows(example):
    report = render_pdf(ReportKind.COMMITTEE, "2025-Q1")
    text = text_of(report)
    assert text.count("Draft — narrative not yet written") >= 3  # banner, and the header and footer of each page
    assert text.count("Not yet written: the head of service writes this section") == 3
    assert report.filename == "committee-report-2025-Q1.pdf"
    assert "Team Team type Target Jan-25 Feb-25 Mar-25" in text
    assert "Duty and Assessment Duty and Assessment 16 18.9 Red – b – b" in text
    assert "Intervention and Planning Intervention and Planning 15 12.0 Green – b – b" in text
    assert "Children's Social Care: all teams 15.6 16.4 Amber – b – b" in text
    assert "WE" not in text  # no initials, no worker rows
    assert "Whole authority" in text

    hos = user_in(Role.HEAD_OF_SERVICE, first_name="Hana", last_name="Head")
    committee_narrative_save(quarter="2025-Q1", user=hos, background="Caseloads rose over the winter.",
                             main_issues="Duty and Assessment is above target.", future_plans="Two posts filled.")
    text = text_of(render_pdf(ReportKind.COMMITTEE, "2025-Q1"))
    assert "draft" not in text.lower() and "Not yet written" not in text
    assert "1. Background Caseloads rose over the winter. 2. Main issues Duty and Assessment is above target." in text
    assert "3. Future plans Two posts filled." in text
    assert "Narrative by Hana Head, last changed" in text


def test_pdf_is_tagged_pdf_ua_with_bundled_fonts_and_no_outside_urls(example):
    pdf = render_pdf(ReportKind.QUARTERLY_RETURN, "2025-Q1", example.da1).pdf
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged (WeasyPrint 70: PDF/UA-1)
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    fonts = {str(font["/BaseFont"]).split("+")[-1] for page in reader.pages
             for font in (page["/Resources"]["/Font"].get_object().values())}
    assert fonts == {"Report-Sans", "Report-Sans-Bold"}  # the @font-face files from static/fonts, no system font
    from weasyprint.urls import FatalURLFetchingError

    from reporting.render import html_to_pdf
    with pytest.raises(FatalURLFetchingError, match="non-static URL https://example.com/logo.png"):
        html_to_pdf('<img src="https://example.com/logo.png" alt="">', "test")


def test_weekly_report_queries_do_not_grow_with_teams_or_workers(example):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reporting.documents import smt_weekly
    from reporting.periods import Period
    from tests.factories import WorkerFactory
    from workload.models import CaseloadSnapshot, SnapshotKind, TeamSnapshot

    week = Period.parse("2025-W05")
    with CaptureQueriesContext(connection) as two_teams:
        smt_weekly.context(period=week)
    for n in range(3):  # three more teams in a second service area, four workers each, two over the maximum
        team = TeamFactory(name=f"Extra {n}", code=f"X{n}")
        for k in range(4):
            worker = WorkerFactory(team=team, first_name=f"X{k}", surname="Extra")
            CaseloadSnapshot.objects.create(worker=worker, team=team, taken_on=date(2025, 1, 31),
                                            kind=SnapshotKind.MONTH_END, wte=worker.wte,
                                            allocated_children=25 if k < 2 else 10, family_groups=1)
        TeamSnapshot.objects.create(team=team, taken_on=date(2025, 1, 31), kind=SnapshotKind.MONTH_END,
                                    establishment_fte=Decimal(4))
    with CaptureQueriesContext(connection) as five_teams:
        ctx = smt_weekly.context(period=week)
    assert len(ctx["exceptions"]) == 3 + 6
    assert len(five_teams) == len(two_teams)  # fixed per report: per-team figures are read in grouped queries


def test_render_html_is_the_pdfs_html_without_the_pdf_step(example):
    from reporting.render import render_html

    html, ctx = render_html(ReportKind.SMT_WEEKLY, "2025-W05")
    assert ctx["period"].key == "2025-W05" and ctx["landscape"] is True
    assert '<body class="landscape">' in html
    assert '<link rel="stylesheet" href="/static/css/reports-print.css">' in html
    assert html == render_pdf(ReportKind.SMT_WEEKLY, "2025-W05").html


def test_care_leaver_team_is_marked_basis_b_and_trended_on_its_own_average(example):
    """REPORTS (d) "Children allocated (basis B marked 'B')"; (c) the committee's averages are M01 / M08."""
    from tests.integration.test_measures_seeds import add_rows, team_on
    from workload.models import Position

    leavers = team_on("CL", "PERF_2017", "care_leavers", example.da1.service_area, "Care Leavers")
    # basis B: allocated + co-worked + awaiting: 23 and 27, 50 children over 2 FTE = 25 (PERF_2017: whole numbers)
    add_rows(leavers, date(2025, 1, 31), [20, 24], position=Position.PERSONAL_ADVISER, coworked_children=2,
             awaiting_allocation_children=1)
    weekly = text_of(render_pdf(ReportKind.SMT_WEEKLY, "2025-W05"))
    assert "2.00 2 50 B 25" in weekly
    assert '"B" after children allocated: the team counts allocated, co-worked and awaiting-allocation' in weekly
    committee = text_of(render_pdf(ReportKind.COMMITTEE, "2025-Q1"))
    assert re.search(r"Care Leavers (– b ){9}25 Red – b – b 22", committee), committee
