"""The quarterly committee report's workflow (REPORTS.md (c) "Quarterly committee report"): its narrative,
written by a head of service or an administrator, and when it may be built and issued.

"Complete months only, so it is generated once the quarter's last month-end snapshot exists, on request, and
issued after the narrative is entered": a build before that snapshot is refused in words; a build without the
narrative is a draft (marked so in the PDF) and is never emailed."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from reporting.models import CommitteeNarrative
from reporting.periods import QUARTER, Period, parse_period
from supervision.audit import audit_event_record
from workload.capabilities import can
from workload.models import CaseloadSnapshot, SnapshotKind

NARRATIVE_FIELDS = (  # (field, heading): the sections of S002 §1–3, in the order the report prints them
    ("background", "Background"),
    ("main_issues", "Main issues"),
    ("future_plans", "Future plans"),
)
NOT_READY = ("The committee report for {label} ({key}) uses complete months only: it can be built once the "
             "month-end snapshot of {month} exists.")
NEEDS_NARRATIVE = ("The committee report for {label} can only be issued once its narrative (background, main issues "
                   "and future plans) has been written. Build it without emailing to see the draft.")
ISSUE_ONLY_COMMITTEE = "Only the committee report is issued from here; the other reports are emailed on their schedule."
DRAFT_MARK = "Draft — narrative not yet written"


def can_write_narrative(user) -> bool:
    return can(user, "reports.narrative")


def committee_period(quarter: str) -> Period:
    """The quarter a narrative page names; one not started, or malformed, is a 404 (nothing to write yet)."""
    try:
        return parse_period(quarter, kind=QUARTER, today=timezone.localdate())
    except ValueError as exc:
        raise Http404("No such quarter.") from exc


def committee_month_end_exists(period: Period) -> bool:
    """The quarter's last month-end snapshot: a month-end caseload snapshot dated in its reporting month."""
    return CaseloadSnapshot.objects.filter(
        kind=SnapshotKind.MONTH_END, taken_on__range=(period.reporting_month, period.last_day)).exists()


def committee_check_ready(period: Period) -> None:
    """Refuse, in words naming the period, a build before the quarter's last month-end snapshot exists."""
    if not committee_month_end_exists(period):
        raise ValidationError(NOT_READY.format(label=period.label, key=period.key,
                                               month=f"{period.reporting_month:%B %Y}"), code="not_ready")


def committee_narrative(quarter: str) -> CommitteeNarrative | None:
    return CommitteeNarrative.objects.filter(quarter=quarter).select_related("author").first()


def narrative_complete(narrative: CommitteeNarrative | None) -> bool:
    return narrative is not None and all(getattr(narrative, name).strip() for name, _ in NARRATIVE_FIELDS)


def committee_check_issuable(*, period: Period) -> None:
    """Issuing (emailing) the committee report needs its narrative written: a draft is never issued as final."""
    if not narrative_complete(committee_narrative(period.key)):
        raise ValidationError(NEEDS_NARRATIVE.format(label=period.label), code="issue")


@transaction.atomic
def committee_narrative_save(*, quarter: str, user, background: str, main_issues: str, future_plans: str,
                             ip: str | None = None) -> CommitteeNarrative:
    """Write the quarter's narrative (one per quarter, authority-wide). Audited like every change: the event
    names the sections that changed, so the page's history says who wrote what and when."""
    if not can_write_narrative(user):
        raise Http404("No such page.")  # a guessed URL tells nothing
    values = {"background": background.strip(), "main_issues": main_issues.strip(),
              "future_plans": future_plans.strip()}
    narrative = CommitteeNarrative.objects.select_for_update().filter(quarter=quarter).first()
    created = narrative is None
    if created:
        narrative = CommitteeNarrative(quarter=quarter, author=user, **values)
        changed = [name for name, value in values.items() if value]
    else:
        changed = [name for name, value in values.items() if getattr(narrative, name) != value]
        for name, value in values.items():
            setattr(narrative, name, value)
        narrative.author = user
    narrative.full_clean()
    narrative.save()
    audit_event_record(actor=user, action="committee_narrative.saved", target=narrative, ip=ip,
                       data={"quarter": quarter, "created": created, "sections": changed})
    return narrative


def committee_narrative_history(narrative: CommitteeNarrative | None) -> list[tuple[object, str]]:
    """Who saved which sections when, oldest first, in words."""
    if narrative is None:
        return []
    from supervision.models import AuditEvent

    headings = dict(NARRATIVE_FIELDS)
    events = (AuditEvent.objects.filter(target_type=CommitteeNarrative._meta.label_lower, target_id=narrative.pk)
              .select_related("actor").order_by("at", "pk"))
    out = []
    for event in events:
        sections = [headings[name].lower() for name in event.data.get("sections", []) if name in headings]
        verb = "wrote" if event.data.get("created") else "changed"
        out.append((event, f"{verb} {', '.join(sections)}" if sections else "saved it unchanged"))
    return out
