"""The pro-forma pages through the test client: forms per scheme, errors next to fields, 4xx not 500."""
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from supervision.models import EntryStatus, ProformaEntry, SupervisionSession, WorkloadConcern
from supervision.services import entry_update
from tests.factories import TeamFactory
from tests.factories_supervision import allocate, started, submitted, team_manager, worker_with_login
from workload.models import Position

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)


@pytest.fixture
def setting(db):
    team = TeamFactory()
    manager = team_manager(team, first_name="Tess", last_name="Manager")
    worker = worker_with_login(team)
    allocate(worker, reference="F-1", children=4, category="s47_icpc")
    allocate(worker, reference="F-2", children=1, category="cin_stable")
    return team, manager, worker


def form_data(entry, **overrides):
    """The entry page's form as a browser would post it, from the stored entry."""
    lines = list(entry.lines.order_by("position", "pk"))
    data = {
        "lock_version": entry.lock_version, "position": entry.position, "wte": str(entry.wte),
        "date_of_score": "2025-07-15", "workload_manageable": "True", "workload_comment": "Manageable.",
        "deviation_reason": "Building up after a move.",
        "lines-TOTAL_FORMS": len(lines), "lines-INITIAL_FORMS": len(lines), "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 200,
    }
    for i, line in enumerate(lines):
        data.update({f"lines-{i}-case_id": line.case_id or "", f"lines-{i}-reference": line.reference,
                     f"lines-{i}-children": line.children, f"lines-{i}-category": line.category})
        if line.factors:
            data[f"lines-{i}-factors"] = list(line.factors)
    data.update(overrides)
    return data


def test_start_from_the_month_view_then_open_the_prefilled_entry(client, setting):
    team, manager, worker = setting
    client.force_login(manager)
    month_url = reverse("supervision:team-month", args=[team.pk, 2025, 7])
    page = client.get(month_url)
    assert page.status_code == 200
    assert f'data-testid="start-entry-{worker.pk}"' in page.content.decode()

    response = client.post(reverse("supervision:entry-start", args=[team.pk, 2025, 7, worker.pk]))

    entry = ProformaEntry.objects.get(worker=worker, month=JULY)
    assert response.status_code == 302 and response["Location"] == reverse("supervision:entry-detail", args=[entry.pk])
    body = client.get(response["Location"]).content.decode()
    assert 'id="entry-form"' in body and 'id="score-total" data-testid="score-total">23<' in body
    assert 'value="F-1"' in body and 'value="F-2"' in body


def test_the_form_shows_only_the_fields_the_scheme_accepts(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    notts = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    assert 'name="personal"' in notts and 'name="extra_duty_hours"' in notts
    assert 'name="grade"' not in notts and 'name="extras"' not in notts

    swindon_team = TeamFactory(scheme=("swindon-cws-v1", "childrens_social_work"))
    swindon_manager = team_manager(swindon_team)
    swindon_worker = worker_with_login(swindon_team, first_name="Lee", surname="Swindon")
    allocate(swindon_worker, reference="S-1", category="cin")
    swindon_entry = started(swindon_worker, swindon_manager, JULY)
    client.force_login(swindon_manager)
    swindon = client.get(reverse("supervision:entry-detail", args=[swindon_entry.pk])).content.decode()
    assert 'name="grade"' in swindon and 'name="extras"' in swindon
    assert 'name="personal"' not in swindon and 'name="extra_duty_hours"' not in swindon
    assert 'name="lines-0-co_work_share"' not in swindon  # Swindon takes no co-working share
    assert "needs the worker&#x27;s grade" in swindon  # unscored until the TM picks a grade


def test_a_bad_line_value_is_shown_next_to_its_field(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)

    response = client.post(reverse("supervision:entry-detail", args=[entry.pk]),
                           form_data(entry, **{"lines-1-children": "0"}))

    assert response.status_code == 400
    body = response.content.decode()
    field = re.search(r'<input[^>]*name="lines-1-children"[^>]*>', body).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_lines-1-children_error"' in field
    assert re.search(r'id="id_lines-1-children_error"[^>]*>Enter the number of children on this line, from 1 to 99',
                     body)
    assert re.search(r'id="error-summary".*<a href="#id_lines-1-children">Line 2, children</a>: Enter', body,
                     re.DOTALL)


def test_a_scheme_error_lands_on_the_line_field_it_names(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    three = ["interpreter", "mappa_attendance", "epo_application"]  # Nottinghamshire allows 2 per case

    response = client.post(reverse("supervision:entry-detail", args=[entry.pk]),
                           form_data(entry, **{"lines-0-factors": three}))

    assert response.status_code == 400
    body = response.content.decode()
    assert re.search(r'id="id_lines-0-factors_error"[^>]*>[^<]*at most 2', body)
    entry.refresh_from_db()
    assert entry.lock_version == 0


def test_save_then_a_stale_form_gets_409_and_changes_nothing(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    url = reverse("supervision:entry-detail", args=[entry.pk])

    first = client.post(url, form_data(entry, workload_comment="Saved first"))
    stale = client.post(url, form_data(entry, workload_comment="Saved second"))

    assert first.status_code == 302
    assert stale.status_code == 409
    assert re.search(r'id="conflict-message"[^>]*>Someone else saved this pro-forma at \d\d:\d\d; your changes were '
                     r"not saved\. Reload to see their version\.", stale.content.decode())
    entry.refresh_from_db()
    assert (entry.workload_comment, entry.lock_version) == ("Saved first", 1)


def test_live_score_returns_the_panel_without_saving(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)

    response = client.post(reverse("supervision:entry-score", args=[entry.pk]),
                           form_data(entry, **{"lines-0-factors": ["interpreter"], "extra_duty_hours": "4"}),
                           HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="score-total" data-testid="score-total">26<' in body  # 22 + 2 + 2 extra-duty points
    assert '<span id="line-points-0" hx-swap-oob="true">22</span>' in body
    assert "<li>Interpreter: 1 " in body and "<li>Extra duties: 4 hours × 0.5: 2 " in body
    assert set(re.search(r'data-triggers="([^"]*)"', body).group(1).split()) == {"extra_duty", "deviation"}
    assert json.loads(re.search(r'<script id="live-errors" type="application/json">(.*?)</script>', body).group(1)) == {}
    entry.refresh_from_db()
    assert (entry.total_points, entry.lock_version) == (Decimal("23"), 0)


def test_live_score_puts_a_scheme_error_on_the_field(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)

    response = client.post(reverse("supervision:entry-score", args=[entry.pk]),
                           form_data(entry, **{"personal": ["trainee_term_time", "trainee_non_term"]}),
                           HTTP_HX_REQUEST="true")

    errors = json.loads(re.search(r'<script id="live-errors" type="application/json">(.*?)</script>',
                                  response.content.decode()).group(1))
    assert list(errors) == ["id_personal"]
    assert "cannot be used together" in errors["id_personal"]


def test_add_and_remove_lines_redraw_the_table_unsaved(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    url = reverse("supervision:entry-lines", args=[entry.pk])

    added = client.post(url, {**form_data(entry), "add_line": "1"}, HTTP_HX_REQUEST="true").content.decode()
    removed = client.post(url, {**form_data(entry), "remove_line": "0"}, HTTP_HX_REQUEST="true").content.decode()

    assert 'name="lines-TOTAL_FORMS" value="3"' in added and "autofocus" in added
    assert 'name="lines-TOTAL_FORMS" value="1"' in removed and 'value="F-2"' in removed and 'value="F-1"' not in removed
    assert client.post(url, {**form_data(entry), "remove_line": "9"}, HTTP_HX_REQUEST="true").status_code == 400
    assert entry.lines.count() == 2


def test_submit_with_missing_reasons_saves_a_draft_and_marks_the_fields(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)

    response = client.post(reverse("supervision:entry-submit", args=[entry.pk]),
                           form_data(entry, workload_comment="", workload_manageable=""))

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="not-submitted-message"' in body
    assert 'id="id_workload_comment_error"' in body and 'id="id_workload_manageable_error"' in body
    assert 'name="lock_version" value="1"' in body  # the draft was saved: the form carries the new version
    entry.refresh_from_db()
    assert (entry.status, entry.lock_version) == (EntryStatus.DRAFT, 1)


def test_submit_then_the_worker_countersigns_by_name(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    assert client.post(reverse("supervision:entry-submit", args=[entry.pk]), form_data(entry)).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED

    client.force_login(worker.user)
    sign_url = reverse("supervision:entry-countersign", args=[entry.pk])
    page = client.get(sign_url).content.decode()
    assert 'id="countersign-form"' in page and 'id="dispute-form"' in page
    wrong = client.post(sign_url, {"typed_name": "Someone Else"})
    assert wrong.status_code == 400
    assert re.search(r'id="id_typed_name_error"[^>]*>\s*<span[^>]*><strong>Type your full name as it appears',
                     wrong.content.decode())
    right = client.post(sign_url, {"typed_name": "sam worker", "worker_comment": ""})
    assert right.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.COUNTERSIGNED


def test_signing_a_draft_is_refused_with_409(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(worker.user)

    response = client.post(reverse("supervision:entry-countersign", args=[entry.pk]), {"typed_name": "Sam Worker"})

    assert response.status_code == 409
    assert 'id="not-awaiting"' in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DRAFT


def test_dispute_needs_a_reason_and_then_returns_the_entry_to_the_manager(client, setting):
    team, manager, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    client.force_login(worker.user)
    url = reverse("supervision:entry-dispute", args=[entry.pk])

    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and 'id="id_reason_error"' in empty.content.decode()
    assert client.post(url, {"reason": "F-2 closed in June."}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.DISPUTED
    client.force_login(manager)
    body = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    assert 'id="dispute-notice"' in body and "F-2 closed in June." in body and 'id="entry-form"' in body


def test_revise_a_countersigned_entry_shows_the_difference(client, setting):
    team, manager, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    client.force_login(worker.user)
    client.post(reverse("supervision:entry-countersign", args=[entry.pk]), {"typed_name": "Sam Worker"})
    client.force_login(manager)
    assert client.post(reverse("supervision:entry-detail", args=[entry.pk]), form_data(entry)).status_code == 409

    response = client.post(reverse("supervision:entry-revise", args=[entry.pk]), {"reason": "F-2 is CP now"})
    new = ProformaEntry.objects.get(worker=worker, month=JULY, is_current=True)
    assert response.status_code == 302 and new.revision == 2
    lines = [{"case_id": li.case_id, "reference": li.reference, "children": li.children,
              "category": "cp_stable" if li.reference == "F-2" else li.category, "factors": li.factors}
             for li in new.lines.order_by("position")]
    entry_update(entry=new, expected_lock_version=0, updated_by=manager, fields={}, lines=lines)

    body = client.get(reverse("supervision:entry-detail", args=[new.pk])).content.decode()
    assert 'id="revision-diff"' in body
    assert re.search(r'<th scope="row">Total points</th><td><del>23</del></td><td><ins>26</ins></td>', body)
    assert re.search(r"Line F-2</th>\s*<td><del>Category CIN – Stable Case</del>; <del>Points 2</del></td>\s*"
                     r"<td><ins>Category CP – Stable Case</ins>; <ins>Points 5</ins></td>", body)


def test_urls_answer_4xx_not_500(client, setting):
    team, manager, worker = setting
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    assert client.get(f"/supervision/teams/{team.pk}/2025-13/").status_code == 404
    assert client.get(f"/supervision/teams/{team.pk}/2025-7/").status_code == 404
    assert client.get(f"/supervision/teams/{team.pk}/0000-07/").status_code == 404
    assert client.get(reverse("supervision:entry-submit", args=[entry.pk])).status_code == 405
    assert client.get(reverse("supervision:entry-score", args=[entry.pk])).status_code == 405
    assert client.get(reverse("supervision:entry-detail", args=[999999])).status_code == 404
    future = client.post(reverse("supervision:entry-start", args=[team.pk, 2099, 1, worker.pk]))
    assert future.status_code == 409
    again = client.post(reverse("supervision:entry-start", args=[team.pk, 2025, 7, worker.pk]))
    assert again.status_code == 302 and again["Location"] == reverse("supervision:entry-detail", args=[entry.pk])


def test_worker_pages_my_workload_and_a_concern(client, setting, mailoutbox):
    team, manager, worker = setting
    entry = submitted(started(worker, manager, JULY), manager)
    client.force_login(worker.user)

    page = client.get(reverse("supervision:my-workload")).content.decode()
    assert 'id="pending-signatures"' in page and reverse("supervision:entry-countersign", args=[entry.pk]) in page
    assert 'id="my-history-table"' in page and 'id="my-chart"' in page
    empty = client.post(reverse("supervision:concern-raise"), {"text": ""})
    assert empty.status_code == 400 and 'id="id_text_error"' in empty.content.decode()
    assert client.post(reverse("supervision:concern-raise"), {"text": "Too many court cases."}).status_code == 302
    assert WorkloadConcern.objects.get().text == "Too many court cases."


def test_a_user_without_a_worker_record_has_no_workload_page(client, setting):
    team, manager, worker = setting
    client.force_login(manager)
    assert client.get(reverse("supervision:my-workload")).status_code == 404


def test_record_a_session_and_see_it_leave_the_overdue_list(client, setting):
    team, manager, worker = setting
    worker.position = Position.SOCIAL_WORKER
    worker.save()
    client.force_login(manager)
    url = reverse("supervision:session-list")
    before = client.get(url).content.decode()
    assert f'data-testid="overdue-{worker.pk}"' in before

    bad = client.post(url, {"worker": worker.pk, "held_on": "", "held": "True", "kind": "worker"})
    assert bad.status_code == 400 and 'id="id_held_on_error"' in bad.content.decode()
    from django.utils import timezone

    today = timezone.localdate()
    ok = client.post(url, {"worker": worker.pk, "held_on": today.isoformat(), "held": "True", "kind": "worker",
                           "attendees": "Tess Manager, Sam Worker"})
    assert ok.status_code == 302
    session = SupervisionSession.objects.get()
    assert session.next_due > today
    assert f'data-testid="overdue-{worker.pk}"' not in client.get(url).content.decode()


def test_team_month_fields_form_and_a_stale_save(client, setting):
    team, manager, worker = setting
    client.force_login(manager)
    url = reverse("supervision:team-month-update", args=[team.pk, 2025, 7])
    data = {"lock_version": 0, "unallocated_cases": 5, "manager_comment": "Fine", "suggestions": ""}
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "manager_comment": "Stale"})
    assert stale.status_code == 409 and 'id="conflict-message"' in stale.content.decode()
    bad = client.post(url, {**data, "lock_version": 1, "unallocated_cases": -1})
    assert bad.status_code == 400 and 'id="id_unallocated_cases_error"' in bad.content.decode()
