"""The pro-forma editor (issue 10, "The pro-forma while editing"): per-line factor choices, grade-bound and
repeatable extras, warnings before saving, required marks, and where a refused submit leaves the browser."""
from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.entry_forms import EntryForm
from supervision.entry_scoring import scheme_tables
from supervision.models import ProformaEntry
from tests.factories import TeamFactory
from tests.factories_supervision import allocate, started, team_manager, worker_with_login
from tests.integration.test_supervision_views import form_data

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)
SWINDON_CIN_FACTORS = ["court_settled", "court_initial_or_final", "single_assessment", "s47_enquiry",
                       "pre_proceedings", "travel_local", "travel_1_2h", "travel_over_2h", "time_limited_task"]


def _entry(scheme: tuple[str, str], lines: list[tuple[str, int, str]]):
    team = TeamFactory(scheme=scheme)
    manager = team_manager(team)
    worker = worker_with_login(team)
    for reference, children, category in lines:
        allocate(worker, reference=reference, children=children, category=category)
    return manager, started(worker, manager, JULY)


def _factor_values(html: str, index: int) -> list[str]:
    cell = re.search(rf'<td class="cw-col-factors"[^>]*id="line-factors-{index}">(.*?)</td>', html, re.S).group(1)
    return re.findall(rf'name="lines-{index}-factors" value="([^"]+)"', cell)


def test_a_swindon_cin_line_offers_only_the_factors_its_category_allows(client):
    manager, entry = _entry(("swindon-cws-v1", "childrens_social_work"), [("S-1", 2, "cin"), ("S-2", 1, "cp")])
    client.force_login(manager)
    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    assert _factor_values(html, 0) == SWINDON_CIN_FACTORS  # no "LAC complex" or "CP complex" on a CIN line
    assert _factor_values(html, 1) == ["cp_complex", *SWINDON_CIN_FACTORS]


def test_changing_a_lines_category_redraws_its_factors_and_keeps_a_refused_tick_visible(client):
    manager, entry = _entry(("swindon-cws-v1", "childrens_social_work"), [("S-1", 2, "cp")])
    client.force_login(manager)
    data = form_data(entry, **{"lines-0-category": "cin", "lines-0-factors": ["cp_complex", "travel_local"]})
    response = client.post(reverse("supervision:entry-lines", args=[entry.pk]), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert _factor_values(html, 0) == [*SWINDON_CIN_FACTORS, "cp_complex"]
    assert "(not scored for this category: untick it)" in html
    assert ProformaEntry.objects.get(pk=entry.pk).lines.get().category == "cp"  # nothing saved


def test_swindon_psw_points_carry_their_grade_and_the_page_follows_it(client):
    manager, entry = _entry(("swindon-cws-v1", "childrens_social_work"), [("S-1", 1, "cin")])
    client.force_login(manager)
    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    psw = re.search(r'<input[^>]*value="higher_specialist_psw"[^>]*>', html).group(0)
    assert 'data-grades="higher_specialist"' in psw
    group = re.search(r'<input[^>]*value="group_work"[^>]*>', html).group(0)
    assert "data-grades" not in group


def test_warrington_repeatable_extras_are_counts_and_save_as_repeated_codes(client):
    manager, entry = _entry(("warrington-wms-2014", "children_in_need"), [("W-1", 1, "cp")])
    client.force_login(manager)
    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    assert re.search(r'<input type="number" name="extra_count_abe_interview"', html)
    assert re.search(r'<input type="number" name="extra_count_fostering_info_meeting"', html)
    assert 'value="abe_interview"' not in html  # not a checkbox
    data = form_data(entry, extra_count_abe_interview="3", extras=["pq_training"], date_of_score="2025-07-15")
    response = client.post(reverse("supervision:entry-detail", args=[entry.pk]), data)
    assert response.status_code == 302
    saved = ProformaEntry.objects.get(pk=entry.pk)
    assert saved.extras == ["pq_training", "abe_interview", "abe_interview", "abe_interview"]
    page = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    assert re.search(r'name="extra_count_abe_interview" value="3"', page)


def test_entry_form_counts_are_bounded():
    tables = scheme_tables_for("warrington-wms-2014")
    form = EntryForm({"lock_version": 0, "position": "social_worker", "wte": "1", "extra_count_abe_interview": "40"},
                     tables=tables, team_type="children_in_need")
    assert not form.is_valid()
    assert form.errors["extra_count_abe_interview"] == ["Enter a whole number from 0 to 31."]


def scheme_tables_for(slug: str):
    from workload.models import SchemeVersion
    return scheme_tables(SchemeVersion.objects.get(slug=slug))


def _live(client, entry, **overrides) -> str:
    response = client.post(reverse("supervision:entry-score", args=[entry.pk]), form_data(entry, **overrides),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def _warnings(html: str) -> list[str]:
    block = re.search(r'<ul[^>]*id="entry-warnings"[^>]*>(.*?)</ul>', html, re.S)
    return [] if block is None else [re.sub(r"<[^>]+>", "", item).replace("Warning: ", "").strip()
                                     for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)]


def test_live_score_redraws_the_summary_with_warnings_and_a_reason_clears_one(client):
    manager, entry = _entry(("nottinghamshire-wlm-2016", "assessment"), [("F-1", 2, "cin_stable")])
    client.force_login(manager)
    html = _live(client, entry, **{"lines-0-children": "12", "position": "asye", "deviation_reason": ""})
    assert 'id="score-summary-bar" hx-swap-oob="true"' in html
    assert re.search(r'id="summary-total"[^>]*>13<', html)  # CIN stable: 2 + 11 × 1
    assert _warnings(html) == [
        "Line 1 (F-1) has 12 children. More than 10 on one family group is unusual: check the number.",
        "This worker is in their first year in practice (ASYE): 12 children is more than their protected caseload "
        "allows (8.8). The policy asks for the reason in section 8.",
    ]
    reasoned = _live(client, entry, **{"lines-0-children": "12", "position": "asye",
                                       "deviation_reason": "Sibling group kept together; agreed in supervision."})
    assert _warnings(reasoned) == [
        "Line 1 (F-1) has 12 children. More than 10 on one family group is unusual: check the number."]
    assert "The band answers the scheme's question" in reasoned


def test_fields_submit_needs_are_marked_before_the_first_try(client):
    manager, entry = _entry(("nottinghamshire-wlm-2016", "assessment"), [("F-1", 2, "cin_stable")])
    client.force_login(manager)
    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    for name in ("date_of_score", "workload_comment", "deviation_reason", "high_priorities"):
        tag = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-required="true"' in tag, name
    marked = re.findall(r'id="div_id_(\w+)" class="[^"]*cw-submit-required', html)
    assert {"date_of_score", "workload_manageable", "workload_comment", "deviation_reason"} <= set(marked)
    assert "workload_context" not in marked
    assert 'aria-required' not in re.search(r'<textarea[^>]*name="workload_context"[^>]*>', html).group(0)


def test_a_refused_submit_from_the_page_answers_at_the_entrys_own_address(client):
    manager, entry = _entry(("nottinghamshire-wlm-2016", "assessment"), [("F-1", 2, "cin_stable")])
    client.force_login(manager)
    url = reverse("supervision:entry-detail", args=[entry.pk])
    page = client.get(url).content.decode()
    button = re.search(r'<button[^>]*id="submit-entry"[^>]*>', page).group(0)
    assert 'name="submit_entry"' in button and "formaction" not in button
    response = client.post(url, form_data(entry, submit_entry="1", workload_comment=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'data-posted="1"' in html  # the page's script turns a reload into a GET
    assert "Give detail on the workload; it is required before submitting." in html
    saved = ProformaEntry.objects.get(pk=entry.pk)
    assert (saved.status, saved.date_of_score) == ("draft", date(2025, 7, 15))  # kept as a draft
    response = client.post(url, form_data(saved, submit_entry="1"))
    assert response.status_code == 302 and response["Location"] == url
    assert ProformaEntry.objects.get(pk=entry.pk).status == "submitted"


def test_prefill_carries_last_months_priorities_and_time_limits_still_in_force():
    team = TeamFactory()
    manager = team_manager(team)
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=2, category="cin_stable")
    june = started(worker, manager, date(2025, 6, 1))
    ProformaEntry.objects.filter(pk=june.pk).update(
        band="high", high_priorities="Court work first; no new allocations.", demanding_until=date(2025, 8, 31),
        over_max_reason="Sibling group", over_max_until=date(2025, 6, 30), over_max_review_on=date(2025, 6, 20))
    july = started(worker, manager, JULY)
    assert (july.high_priorities, july.demanding_until) == ("Court work first; no new allocations.", date(2025, 8, 31))
    assert (july.over_max_reason, july.over_max_until) == ("", None)  # the time limit has passed


def test_prefill_does_not_carry_priorities_from_a_month_that_was_not_high():
    team = TeamFactory()
    manager = team_manager(team)
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=2, category="cin_stable")
    june = started(worker, manager, date(2025, 6, 1))
    ProformaEntry.objects.filter(pk=june.pk).update(band="demanding", high_priorities="Left from an older month.")
    assert started(worker, manager, JULY).high_priorities == ""


def _glance(html: str) -> list[str]:
    block = re.search(r'id="glance-changes"[^>]*>(.*?)</div>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "\n", block)
    return [" ".join(part.split()) for part in text.split("\n") if part.strip()]


def _lines_of(entry) -> list[dict]:
    return [{"case_id": li.case_id, "reference": li.reference, "children": li.children, "category": li.category,
             "factors": list(li.factors), "co_worked": li.co_worked, "co_work_share": li.co_work_share,
             "not_allocated": li.not_allocated} for li in entry.lines.order_by("position", "pk")]


def test_countersign_page_leads_with_total_band_changes_since_last_month_and_the_actions(client):
    from supervision.services import entry_submit, entry_update
    from tests.factories_supervision import submitted
    team = TeamFactory()
    manager = team_manager(team)
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=2, category="cin_stable")
    submitted(started(worker, manager, date(2025, 6, 1)), manager, date_of_score=date(2025, 6, 16))
    july = started(worker, manager, JULY)
    lines = _lines_of(july)
    lines[0]["children"] = 3
    july = entry_update(entry=july, expected_lock_version=july.lock_version, updated_by=manager, ip="10.0.0.1",
                        fields={"workload_manageable": True, "workload_comment": "Busier: a third child.",
                                "date_of_score": date(2025, 7, 15), "deviation_reason": "Building up."},
                        lines=lines)
    entry_submit(entry=july, submitted_by=manager, ip="10.0.0.1")
    client.force_login(worker.user)
    html = client.get(reverse("supervision:entry-countersign", args=[july.pk])).content.decode()
    assert re.search(r'id="glance-total"[^>]*>4<', html)  # CIN stable: 2 for the first child + 1 each for two more
    assert _glance(html) == [
        "Since last month (June 2025)",
        "Total: 3 → 4 points (was Below sustainable)",
        "Case responsibility points: 3 → 4",
        "Children: 2 → 3",
        "Workload comments (please give detail): Manageable with the current mix of cases. → Busier: a third child.",
        "Reason for the deviation from the expected caseload (agreed in supervision): Caseload being built up after "
        "a move; agreed in supervision. → Building up.",
        "Line F-1: children 2 → 3; points 3 → 4",
    ]
    glance = html.index('id="countersign-glance"')
    assert glance < html.index('id="countersign-form"') < html.index('id="dispute-form"') < html.index(
        'id="entry-readonly"')


def test_after_a_dispute_the_page_says_what_changed_since_and_folds_a_long_dispute(client):
    from supervision.services import entry_dispute, entry_submit
    from tests.factories_supervision import completed, submitted
    team = TeamFactory()
    manager = team_manager(team)
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=2, category="cin_stable")
    entry = submitted(started(worker, manager, JULY), manager)
    long_reason = "F-1 has a third child since 2 July, born during the month. " * 6
    entry_dispute(entry=entry, user=worker.user, reason=long_reason.strip(), ip="10.0.0.2")
    entry.refresh_from_db()
    entry = completed(entry, manager, workload_comment="Updated after the dispute: F-1 now has three children.")
    entry_submit(entry=entry, submitted_by=manager, ip="10.0.0.1")
    client.force_login(worker.user)
    html = client.get(reverse("supervision:entry-countersign", args=[entry.pk])).content.decode()
    heading, total, *changed = _glance(html)
    assert heading == f"Since you disputed it on {timezone.localdate():%-d %b %Y}"
    assert (total, changed) == ("Total: 3 → 3 points", ["Workload comments (please give detail): changed"])
    disputes = re.search(r'id="disputes"(.*?)</section>', html, re.S).group(1)
    assert '<details class="cw-folded' in disputes and "Show all" in disputes
