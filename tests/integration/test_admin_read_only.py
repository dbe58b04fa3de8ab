"""Admin: models whose changes carry rules are read-only (their services own the rules); plain data is not."""
import re
from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from supervision.services import entry_countersign
from tests.factories import TeamFactory, UserFactory
from tests.factories_supervision import allocate, started, submitted, team_manager, worker_with_login

pytestmark = pytest.mark.django_db

READ_ONLY = {
    "workload.Case", "workload.CaseloadPreset", "workload.Scheme", "workload.SchemeVersion",
    "supervision.AuditEvent", "supervision.Countersignature", "supervision.Dispute", "supervision.ProformaEntry",
    "supervision.SupervisionSession", "supervision.TeamMonth", "supervision.WorkloadConcern",
}
EDITABLE = {"workload.Absence", "workload.CapacityReduction", "workload.ServiceArea", "workload.Team"}
ADD_ONLY = {"workload.Worker"}  # added through worker_create, then read-only
READ_ONLY_INLINES = {
    "workload.Team": {"TeamScheme", "TeamPolicy"}, "workload.Worker": {"Membership"},
    "workload.Case": {"Allocation"}, "supervision.ProformaEntry": {"EntryLine", "AuditEvent"},
}


def label(model) -> str:
    return f"{model._meta.app_label}.{model.__name__}"


def our_admins():
    return {label(model): (model, model_admin) for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in ("workload", "supervision")}


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def countersigned_month():
    """One of each: team (scheme, policy), worker (membership), case (allocation), entry (lines, audit, signature)."""
    worker = worker_with_login(TeamFactory())
    manager = team_manager(worker.team)
    allocate(worker, reference="F-1", children=2, category="cin_stable")
    entry = submitted(started(worker, manager, date(2025, 7, 1)), manager)
    entry_countersign(entry=entry, user=worker.user, typed_name="Sam Worker")
    return entry


def test_every_registered_model_is_classified():
    assert set(our_admins()) == READ_ONLY | EDITABLE | ADD_ONLY


def test_read_only_add_pages_refuse_a_superuser_post_with_403(client, superuser):
    statuses = {}
    for name in sorted(READ_ONLY):
        model, _ = our_admins()[name]
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
        statuses[name] = (client.get(url).status_code, client.post(url, {"slug": "x", "label": "x"}).status_code)
    assert statuses == {name: (403, 403) for name in READ_ONLY}


def test_read_only_change_pages_show_no_save_button_and_refuse_posts(client, superuser, countersigned_month):
    checked = {}
    for name in sorted(READ_ONLY | ADD_ONLY):
        model, _ = our_admins()[name]
        obj = model.objects.order_by("pk").first()
        if obj is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        page = client.get(url)
        delete = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk])
        checked[name] = (page.status_code, 'name="_save"' in page.content.decode(), client.post(url, {}).status_code,
                         client.post(delete, {"post": "yes"}).status_code)
    assert checked == {
        name: (200, False, 403, 403)
        for name in ["supervision.AuditEvent", "supervision.Countersignature", "supervision.ProformaEntry",
                     "supervision.SupervisionSession",  # recorded by saving the month's date of score
                     "workload.Case", "workload.CaseloadPreset", "workload.Scheme", "workload.SchemeVersion",
                     "workload.Worker"]
    }


def test_inlines_that_carry_rules_cannot_add_change_or_delete(rf, superuser):
    request = rf.get("/admin/")
    request.user = superuser
    found = {}
    for name in READ_ONLY_INLINES:
        _model, model_admin = our_admins()[name]
        for inline in model_admin.get_inline_instances(request):
            found[(name, inline.model.__name__)] = (
                inline.has_add_permission(request, None), inline.has_change_permission(request),
                inline.has_delete_permission(request), inline.can_delete,
            )
    assert found == {(name, inline): (False, False, False, False)
                     for name, inlines in READ_ONLY_INLINES.items() for inline in inlines}


def test_a_team_name_stays_editable_but_its_scheme_assignment_does_not_move(client, superuser, team):
    from workload.models import TeamScheme

    url = reverse("admin:workload_team_change", args=[team.pk])
    page = client.get(url).content.decode()
    assert 'name="_save"' in page
    assert not re.search(r'name="scheme_assignments-\d+-valid_from"', page)  # shown as text, not an input
    form = {"name": "Renamed", "code": team.code, "service_area": team.service_area_id, "is_active": "on"}
    for prefix in ("scheme_assignments", "policy_assignments"):
        form.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "0", f"{prefix}-MIN_NUM_FORMS": "0",
                     f"{prefix}-MAX_NUM_FORMS": "1000", f"{prefix}-0-valid_from": "2020-01-01",
                     f"{prefix}-0-team_type": "assessment"})
    before = list(TeamScheme.objects.filter(team=team).values_list("valid_from", "team_type"))
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    team.refresh_from_db()
    assert team.name == "Renamed"
    assert list(TeamScheme.objects.filter(team=team).values_list("valid_from", "team_type")) == before


def test_a_worker_is_added_through_worker_create_with_a_membership(client, superuser, team):
    from workload.models import Membership, Worker

    response = client.post(reverse("admin:workload_worker_add"), {
        "first_name": "Ada", "surname": "Added", "team": team.pk, "position": "social_worker",
        "employment_type": "permanent", "wte": "0.6", "case_holding": "on", "is_active": "on",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    worker = Worker.objects.get(surname="Added")
    assert list(Membership.objects.filter(worker=worker).values_list("team_id", "end")) == [(team.pk, None)]


def test_a_worker_without_a_team_is_refused_next_to_the_team_field(client, superuser):
    from workload.models import Worker

    response = client.post(reverse("admin:workload_worker_add"), {
        "first_name": "Ada", "surname": "Teamless", "position": "social_worker", "employment_type": "permanent",
        "wte": "1", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200
    assert "This field is required." in response.content.decode().split('name="team"')[0][-3000:]
    assert not Worker.objects.filter(surname="Teamless").exists()
