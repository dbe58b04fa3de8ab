"""The policy rules a page refers to, in words, for the help page (/supervision/help/rules/).

Pages never show a rule's identifier: they say the reason and link "Why?" to `help_url(anchor)`. Each rule
here says what it asks, when, and where it comes from in the authority's caseload policy (domain
POLICIES.md; the identifier is kept in `ref` for maintainers only and is never rendered).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class HelpRule:
    anchor: str  # the page's #fragment; stable, so links from pages and emails keep working
    title: str
    summary: str
    source: str
    ref: str  # the specification's identifier, for maintainers reading the code; never shown


RULES = (
    HelpRule(
        "expected-caseload", "Caseload higher or lower than expected",
        "Each team type has an expected number of children per full-time worker, scaled by the worker's "
        "working hours (WTE). A caseload more than 10 % above or below a single target, or outside a target "
        "range, is a deviation: it is agreed in supervision and its reason is written on the pro-forma "
        "before the pro-forma can be submitted. Workers who hold no child in need, child protection or "
        "looked-after case may carry more without a reason.",
        "Caseload policy: \"any deviations (both higher and lower)\" are agreed and recorded in supervision; "
        "Barnet Caseload Policy standards 2 and 7.", "R06, POL-8, POL-20"),
    HelpRule(
        "asye-caseload", "Protected caseload in the first year (ASYE)",
        "A newly qualified social worker in their assessed first year holds a protected caseload: the "
        "agreed level, about half of the team's target at first, is the expected caseload for them, and "
        "cases above it need a reason.",
        "Barnet Caseload Policy standard 6; Case Load Management policy on newly qualified social workers.",
        "R10"),
    HelpRule(
        "maximum-caseload", "Caseload above the maximum",
        "When a worker holds more children than the team's maximum, the manager records why, tells the "
        "worker, reprioritises the work and sets a time limit and a review date. The pro-forma cannot be "
        "submitted without them, and the caseload is reviewed at every supervision until it is back under "
        "the maximum.",
        "Barnet Caseload Policy, responsibilities 2 and 3; Case Load Management policy.", "R03"),
    HelpRule(
        "capacity-reduction", "Temporary capacity reduction",
        "A manager can reduce a worker's capacity for a time (personal circumstances, a phased return after "
        "sickness, capability) by a percentage with an end date. Until then the expected caseload and the "
        "maximum are reduced by that percentage; the weighting scheme's band itself is not changed.",
        "Warrington workload management scheme, time-limited reduction in points; Case Load Management "
        "policy on returning from long-term sickness.", "R25, POL-25"),
    HelpRule(
        "demanding-workload", "Demanding workload",
        "When a month's score is in the demanding band, the manager records until when the worker should "
        "hold this level of work, and it is looked at again on that date.",
        "Nottinghamshire workload management (WLM) scheme.", "R21"),
    HelpRule(
        "high-workload", "High workload",
        "When a month's score is in the high band, the manager and the worker record a shared view of the "
        "priorities and of how the workload will be managed.",
        "Nottinghamshire workload management (WLM) scheme.", "R22"),
    HelpRule(
        "over-capacity", "Over the scheme's point maximum",
        "When a month's score is over the scheme's maximum (100 points, 90 for a worker in their first year, "
        "60 for a student, each scaled by working hours), the manager and the worker review the caseload and "
        "record the month's reason. Over the maximum two months running, they review the work and record the "
        "remedial action on the supervision record.",
        "Warrington workload management scheme.", "R23, POL-11"),
    HelpRule(
        "extra-duties", "Hours of extra duties",
        "Hours of extra duties (duty, rota, training others) add points under some schemes; whenever hours "
        "are entered, the pro-forma says what they were for.",
        "Nottinghamshire workload management (WLM) pro-forma, field 3.", "REPORTS (a) field 3"),
    HelpRule(
        "not-allocated", "Work on a case the worker does not hold",
        "A line marked as not allocated to the worker is work they do on someone else's case: it adds to the "
        "score but is not counted in their number of children.",
        "Nottinghamshire workload management (WLM) pro-forma.", "REP-24"),
    HelpRule(
        "worker-concern", "Raising a concern about your workload",
        "A worker can raise a concern about their caseload with their line manager. The manager responds "
        "within 5 working days; if the worker thinks it has not been dealt with swiftly and robustly, they "
        "take it to the head of service.",
        "Case Load Management policy: concerns to \"their line manager and or the Principal Social Worker\".",
        "R09"),
    HelpRule(
        "long-absence", "Long absence",
        "When a worker who holds cases starts an absence expected to last more than 15 working days, or an "
        "unplanned absence passes 15 working days, the manager reallocates their cases and the worker is left "
        "out of the team's caseload figures meanwhile.",
        "Barnet Caseload Policy standard 12 (long-term sickness or leave over 15 working days).", "R14"),
    HelpRule(
        "monthly-score", "A score every month in supervision",
        "Each case-holding worker's workload is scored every month, during or just before supervision; the "
        "worker countersigns it, or disputes it with a reason, and a copy goes on the supervision file.",
        "Nottinghamshire workload management (WLM) pro-forma; Swindon \"Frequency of Review\".", "R18"),
    HelpRule(
        "supervision-frequency", "How often supervision is due",
        "Workers are supervised monthly. A social worker in their assessed first year (ASYE) is supervised "
        "weekly for the first six weeks, then fortnightly until the year ends.",
        "Caseload policy on supervision frequency.", "POLICIES §5"),
    HelpRule(
        "students", "Students co-work only",
        "A student is never the allocated worker on a case: they co-work with a qualified social worker, and "
        "their count is the children they co-work.",
        "Case Load Management policy on students.", "R12"),
)
ANCHORS = frozenset(rule.anchor for rule in RULES)

# Which help anchor explains each reason field of the pro-forma (supervision.rules.REASON_FIELDS).
FIELD_ANCHORS = {
    "extra_duty_explanation": "extra-duties",
    "deviation_reason": "expected-caseload",
    "over_max_reason": "maximum-caseload",
    "over_max_until": "maximum-caseload",
    "over_max_review_on": "maximum-caseload",
    "demanding_until": "demanding-workload",
    "high_priorities": "high-workload",
    "over_capacity_reason": "over-capacity",
    "remedial_action": "over-capacity",
}


def help_url(anchor: str) -> str:
    """The help page's address for one rule; a typo is a KeyError here, not a dead link on a page."""
    if anchor not in ANCHORS:
        raise KeyError(anchor)
    return f"{reverse('supervision:help-rules')}#{anchor}"
