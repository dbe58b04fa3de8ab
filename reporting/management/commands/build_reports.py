"""Build report PDFs (and each quarterly return's CSV) into a folder, without emailing anyone.

    python manage.py build_reports --kind quarterly --period 2026-Q3 [--team DA1] --out reports/
    python manage.py build_reports --kind weekly --period 2026-W47 --out reports/

A bad argument exits 1 with a message that names it: a malformed or future period, a period of the wrong kind
for the report, an unknown team, a team given for an authority-wide report, or a committee report whose
quarter has no month-end snapshot of its last month yet (complete months only). A committee report without its
narrative is built as a draft, marked so."""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.committee_services import committee_check_ready
from reporting.models import ReportKind
from reporting.periods import parse_period
from reporting.render import PERIOD_KINDS, render_pdf
from workload.models import Team

KINDS = {
    "quarterly": ReportKind.QUARTERLY_RETURN,
    "pack": ReportKind.AUTHORITY_PACK,
    "committee": ReportKind.COMMITTEE,
    "weekly": ReportKind.SMT_WEEKLY,
    "monthly": ReportKind.SMT_MONTHLY,
}


class Command(BaseCommand):
    help = "Build report PDFs (and the quarterly returns' CSVs) into a folder, without emailing."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=list(KINDS), help="which report")
        parser.add_argument("--period", required=True, help="2026-Q3 (quarterly, pack, committee), 2026-W47 "
                                                            "(weekly) or 2026-11 (monthly)")
        parser.add_argument("--team", help="team code (quarterly only); without it, every active team's return")
        parser.add_argument("--out", required=True, help="folder to write the files to (made if missing)")

    def handle(self, *args, kind: str, period: str, team: str | None, out: str, **options) -> None:
        report_kind = KINDS[kind]
        try:
            the_period = parse_period(period, kind=PERIOD_KINDS[report_kind], today=timezone.localdate())
        except ValueError as exc:
            raise CommandError(f"--period: {exc}") from exc
        if report_kind == ReportKind.COMMITTEE:
            try:
                committee_check_ready(the_period)  # complete months only (REPORTS.md (c))
            except ValidationError as exc:
                raise CommandError(f"--period: {exc.messages[0]}") from exc
        if team is not None and report_kind != ReportKind.QUARTERLY_RETURN:
            raise CommandError(f"--team: the {report_kind.label.lower()} covers the whole authority; "
                               "--team is for --kind quarterly only.")
        if report_kind == ReportKind.QUARTERLY_RETURN:
            if team is not None:
                found = Team.objects.filter(code=team.strip()).first()
                if found is None:
                    raise CommandError(f"--team: there is no team with the code '{team}'.")
                teams = [found]
            else:
                teams = list(Team.objects.active().order_by("service_area__name", "name"))
                if not teams:
                    raise CommandError("--team: there are no active teams to build returns for.")
        else:
            teams = [None]
        folder = Path(out)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"--out: cannot make the folder {folder}: {exc.strerror}.") from exc
        for one in teams:
            report = render_pdf(report_kind, the_period, one)
            written = [folder / report.filename]
            written[0].write_bytes(report.pdf)
            if report.csv is not None:
                written.append(folder / report.filename.replace(".pdf", ".csv"))
                written[1].write_text(report.csv, encoding="utf-8")
            for path in written:
                self.stdout.write(str(path))
