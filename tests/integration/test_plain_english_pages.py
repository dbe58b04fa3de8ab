"""Plain English on the pro-forma pages: score reasons by category labels, rules in words with a "Why?" link,
the audit trail by field labels, and the help page those links point to."""
import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from supervision.help import ANCHORS, FIELD_ANCHORS, RULES
from supervision.rules import REASON_FIELDS
from supervision.services import entry_update
from tests.factories import TeamFactory
from tests.factories_supervision import (
    allocate,
    completed,
    started,
    submitted,
    team_manager,
    worker_with_login,
)

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def setting(db):
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=1, category="cin_stable")
    return team, manager, worker


def test_score_reasons_name_the_category_by_its_label(client, setting):
    team, manager, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    client.force_login(manager)

    text = text_of(client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode())

    assert ("First child (column A): CIN, stable: 2 "
            "(Table N-AD, CIN – Stable Case / CIN - Short Breaks S17 (16), column A)") in text
    assert "cin_stable" not in text and " row " not in text


def test_audit_trail_names_fields_by_their_labels_and_actions_in_words(client, setting):
    team, manager, worker = setting
    entry = completed(started(worker, manager, JULY), manager)
    entry = entry_update(entry=entry, expected_lock_version=entry.lock_version, updated_by=manager,
                         fields={"workload_comment": "Two new court cases this month.", "workload_manageable": False},
                         lines=[{"case_id": line.case_id, "reference": line.reference, "children": 2,
                                 "category": line.category, "factors": [], "co_worked": False, "co_work_share": None,
                                 "not_allocated": False} for line in entry.lines.all()], ip="10.0.0.1")
    client.force_login(manager)

    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    trail = text_of(html.split('data-testid="audit-trail">')[1].split("</section>")[0])

    assert ("Tess Manager Saved changes (Is the workload manageable in the hours worked, given the worker's skills "
            "and experience?, Workload comments (please give detail), case lines) 10.0.0.1") in trail, trail
    assert "workload_comment" not in trail and "entry.updated" not in trail


def test_caseload_flags_say_the_rule_in_words_with_a_why_link(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)  # 1 child against the preset's expected caseload: "lower"
    client.force_login(manager)

    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    flags = html.split('id="panel-flags"')[1].split("</ul>")[0]

    assert ("Caseload is lower than expected: a reason agreed in supervision is needed. "
            '<a href="/supervision/help/rules/#expected-caseload">Why?</a>') in flags
    assert re.search(r"\b(?:R\d\d|REP-\d+|POL-\d+)\b", text_of(html)) is None
    reason = html.split('data-policy="deviation"')[1].split('class="policy-reason"')[0]
    assert 'name="deviation_reason"' in reason
    assert '<a href="/supervision/help/rules/#expected-caseload">Why?</a>' in reason  # next to the field


def test_help_page_explains_every_rule_a_page_links_to(client, setting):
    team, manager, worker = setting
    client.force_login(worker.user)

    html = client.get(reverse("supervision:help-rules")).content.decode()

    for rule in RULES:
        assert f'<section id="{rule.anchor}"' in html
        assert rule.title in text_of(html) and rule.summary in text_of(html) and rule.source in text_of(html)
    assert set(FIELD_ANCHORS) == set(REASON_FIELDS) and set(FIELD_ANCHORS.values()) <= ANCHORS
    assert re.search(r"\b(?:R\d\d|REP-\d+|POL-\d+)\b", text_of(html)) is None
    client.logout()
    assert client.get(reverse("supervision:help-rules")).status_code == 302  # signed-in users only



def test_worker_page_names_band_thresholds_in_the_schemes_words(client, setting):
    team, manager, worker = setting
    submitted(started(worker, manager, JULY), manager)
    client.force_login(worker.user)

    html = client.get(reverse("supervision:my-workload")).content.decode()

    row = text_of(html.split('data-testid="my-history-table">')[1].split("</tr>")[1])
    # the scheme's own words for each threshold (stored × WTE 1), not "Sustainable min" made from the code
    assert "Below sustainable Demanding maximum 110; Sustainable maximum 95; Sustainable minimum 75 " in row, row
