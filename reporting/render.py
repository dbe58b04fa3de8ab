"""Report documents as HTML and PDF: `render_pdf(kind, period, team=None) -> RenderedReport`.

The context of each kind comes from its module in reporting/documents (figures from the measures module);
the HTML from templates/reporting/pdf/; the PDF from WeasyPrint through supervision.pdf's fetcher, which
serves /static/ (print CSS, DejaVu fonts) and refuses every other URL. Same data, same bytes: no clock here,
and the PDF identifier is the run key (kind, period, team).

WeasyPrint 70.0 is installed; it offers the PDF/UA-1 variant (tagged, with a structure tree), used when the
installed version lists it (`weasyprint.pdf.VARIANTS`)."""
from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from reporting.documents import authority_pack, committee, quarterly_return, smt_weekly
from reporting.models import ReportKind
from reporting.periods import MONTH, QUARTER, WEEK, Period, parse_period
from workload.models import Team

PDF_VARIANT = "pdf/ua-1"
PERIOD_KINDS = {
    ReportKind.QUARTERLY_RETURN: QUARTER,
    ReportKind.AUTHORITY_PACK: QUARTER,
    ReportKind.COMMITTEE: QUARTER,
    ReportKind.SMT_WEEKLY: WEEK,
    ReportKind.SMT_MONTHLY: MONTH,
}
TEMPLATES = {
    ReportKind.QUARTERLY_RETURN: "reporting/pdf/quarterly_return.html",
    ReportKind.AUTHORITY_PACK: "reporting/pdf/authority_pack.html",
    ReportKind.COMMITTEE: "reporting/pdf/committee.html",
    ReportKind.SMT_WEEKLY: "reporting/pdf/smt_caseload.html",
    ReportKind.SMT_MONTHLY: "reporting/pdf/smt_caseload.html",
}
FILE_STEMS = {
    ReportKind.QUARTERLY_RETURN: "quarterly-return",
    ReportKind.AUTHORITY_PACK: "authority-pack",
    ReportKind.COMMITTEE: "committee-report",
    ReportKind.SMT_WEEKLY: "smt-weekly",
    ReportKind.SMT_MONTHLY: "smt-monthly",
}


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    csv: str | None  # the quarterly return's worker rows; None for the other kinds
    filename: str  # "quarterly-return-2025-Q1-DA1.pdf"
    html: str


def _arguments(kind, period, team) -> tuple[ReportKind, Period]:
    kind = ReportKind(kind)
    wanted = PERIOD_KINDS[kind]
    period = parse_period(period, kind=wanted) if isinstance(period, str) else period
    if period.kind != wanted:
        raise ValueError(f"{kind.label} needs a {wanted}, not {period.key}.")
    if kind == ReportKind.QUARTERLY_RETURN and team is None:
        raise ValueError("A quarterly team return needs a team.")
    if kind != ReportKind.QUARTERLY_RETURN and team is not None:
        raise ValueError(f"{kind.label} covers the whole authority: give no team.")
    return kind, period


def report_context(kind, period: Period, team: Team | None = None) -> dict:
    if kind == ReportKind.QUARTERLY_RETURN:
        return quarterly_return.context(team=team, period=period)
    if kind == ReportKind.AUTHORITY_PACK:
        return authority_pack.context(period=period)
    if kind == ReportKind.COMMITTEE:
        return committee.context(period=period)
    return smt_weekly.context(period=period)


def render_html(kind, period: Period | str, team: Team | None = None) -> tuple[str, dict]:
    """The report's HTML and its context, without the PDF step (the bench compares the two)."""
    kind, period = _arguments(kind, period, team)
    ctx = report_context(kind, period, team)
    ctx["kind"], ctx["period"] = kind, period
    ctx["landscape"] = kind in (ReportKind.SMT_WEEKLY, ReportKind.SMT_MONTHLY)
    return render_to_string(TEMPLATES[kind], ctx), ctx


def filename_for(kind, period: Period, team: Team | None = None) -> str:
    suffix = f"-{team.code}" if team is not None else ""
    return f"{FILE_STEMS[ReportKind(kind)]}-{period.key}{suffix}.pdf"


def html_to_pdf(html: str, identifier: str) -> bytes:
    from weasyprint import HTML  # heavy import; keep it out of web start-up
    from weasyprint.pdf import VARIANTS

    from supervision.pdf import StaticFileFetcher

    options = {"pdf_identifier": identifier.encode()}
    if PDF_VARIANT in VARIANTS:
        options["pdf_variant"] = PDF_VARIANT
    fetcher = StaticFileFetcher(fail_on_errors=True)
    return HTML(string=html, base_url="http://pdf.invalid/", url_fetcher=fetcher).write_pdf(**options)


def render_pdf(kind, period: Period | str, team: Team | None = None) -> RenderedReport:
    """One report as PDF (and, for a quarterly return, its CSV). ValueError, in words, for a period of the
    wrong kind or a missing or unexpected team."""
    html, ctx = render_html(kind, period, team)
    kind, period = ctx["kind"], ctx["period"]
    identifier = f"{kind.value}:{period.key}:{team.code if team else 'authority'}"
    csv = quarterly_return.csv_text(ctx) if kind == ReportKind.QUARTERLY_RETURN else None
    return RenderedReport(pdf=html_to_pdf(html, identifier), csv=csv, filename=filename_for(kind, period, team),
                          html=html)
