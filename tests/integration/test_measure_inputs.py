"""The measure inputs people enter: the child-level measures' monthly figures, trend rows and their analysis,
conferences chaired per week. Administrators for every team, heads of service for their own; bad input is a 400
with the message beside the field and nothing saved; every save is audited."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from reporting.input_services import (
    MONTH_NOT_BEGUN,
    NUMERATOR_ABOVE_DENOMINATOR,
    ROW_OUTSIDE_SCOPE,
    THRESHOLD_NOT_USED,
    WEEK_NOT_BEGUN,
)
from reporting.models import CpaConferenceCount, ImportedAggregate, MeasureAnalysis, TrendRow
from supervision.models import AuditEvent
from tests.factories import ServiceAreaFactory, TeamFactory, WorkerFactory
from tests.factories_supervision import head_of_service, team_manager, user_in
from workload.models import Position
from workload.roles import Role

pytestmark = pytest.mark.django_db
CODE = re.compile(r"\bM\d\d\b")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def field_error(response, name: str) -> str:
    """The text crispy shows under a field (its invalid-feedback element)."""
    html = response.content.decode()
    assert f'id="error_1_id_{name}"' in html, f"no error beside {name}"
    return text_of(html.split(f'id="error_1_id_{name}"')[1].split("</span>")[0]).strip(" >")


@pytest.fixture
def setting(db):
    area, other_area = ServiceAreaFactory(name="North"), ServiceAreaFactory(name="South")
    team, other_team = TeamFactory(name="Duty North", service_area=area), TeamFactory(name="Duty South",
                                                                                         service_area=other_area)
    admin = user_in(Role.ADMINISTRATOR, first_name="Perry", last_name="Officer")
    hos = head_of_service(area, first_name="Hana", last_name="Head")
    return team, other_team, admin, hos


def figures(team, month="2025-07", measure="M11", numerator="30", denominator="40"):
    return {"team": team.pk, "month": month, "measure": measure, "numerator": numerator, "denominator": denominator}


def test_figures_are_saved_corrected_and_audited(client, setting):
    team, other_team, admin, hos = setting
    client.force_login(admin)
    url = reverse("inputs:figures")

    assert client.post(url, figures(team)).status_code == 302
    assert client.post(url, figures(team, numerator="36")).status_code == 302

    row = ImportedAggregate.objects.get()
    assert (row.team, row.month, row.measure, row.numerator, row.denominator, row.entered_by) == (
        team, date(2025, 7, 1), "M11", 36, 40, admin)
    events = list(AuditEvent.objects.filter(action="inputs.figures_saved").values_list("actor", "data"))
    assert [(actor, data["before"], data["after"]) for actor, data in events] == [
        (admin.pk, {}, {"numerator": 30, "denominator": 40}),
        (admin.pk, {"numerator": 30, "denominator": 40}, {"numerator": 36, "denominator": 40}),
    ]
    page = text_of(client.get(url).content.decode())
    assert "Duty North July 2025 Case supervision in the month 36 40 90.0% Perry Officer" in page
    assert CODE.findall(page) == []


def test_a_numerator_above_the_denominator_is_refused_beside_the_field(client, setting):
    team, other_team, admin, hos = setting
    client.force_login(admin)

    response = client.post(reverse("inputs:figures"), figures(team, numerator="41", denominator="40"))

    assert response.status_code == 400
    assert field_error(response, "numerator") == NUMERATOR_ABOVE_DENOMINATOR.format(numerator=41, denominator=40)
    assert ImportedAggregate.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_a_month_that_has_not_begun_or_is_garbled_is_refused(client, setting):
    team, other_team, admin, hos = setting
    client.force_login(admin)
    next_month = (timezone.localdate().replace(day=28) + timedelta(days=4)).replace(day=1)

    future = client.post(reverse("inputs:figures"), figures(team, month=f"{next_month:%Y-%m}"))
    garbled = client.post(reverse("inputs:figures"), figures(team, month="July"))
    huge = client.post(reverse("inputs:figures"), figures(team, numerator="9" * 30, denominator="9" * 30))

    assert (future.status_code, field_error(future, "month")) == (400, MONTH_NOT_BEGUN)
    assert (garbled.status_code, field_error(garbled, "month")) == (400, "Enter a month as year and month, e.g. 2026-04.")
    assert (huge.status_code, field_error(huge, "numerator")) == (400, "Enter a whole number from 0 to 1,000,000.")
    assert ImportedAggregate.objects.count() == 0


def test_a_head_of_service_enters_figures_only_for_their_own_teams(client, setting):
    team, other_team, admin, hos = setting
    ImportedAggregate.objects.create(team=other_team, month=date(2025, 6, 1), measure="M13", numerator=1, denominator=2)
    manager = team_manager(team)
    client.force_login(manager)
    assert client.get(reverse("inputs:figures")).status_code == 403
    assert client.post(reverse("inputs:figures"), figures(team)).status_code == 403

    client.force_login(hos)
    refused = client.post(reverse("inputs:figures"), figures(other_team))
    assert (refused.status_code, field_error(refused, "team")) == (
        400, "Select a valid choice. That choice is not one of the available choices.")
    assert client.post(reverse("inputs:figures"), figures(team, measure="M14")).status_code == 302

    page = text_of(client.get(reverse("inputs:figures")).content.decode())
    assert "Duty North July 2025 Looked-after children visits in timescale 30 40 75.0% Hana Head" in page
    assert "Duty South" not in page.split("Figures entered")[1]
    assert list(ImportedAggregate.objects.order_by("team__name").values_list("team__name", "measure")) == [
        ("Duty North", "M14"), ("Duty South", "M13")]


def trend_row(**fields):
    return {"label": "Workers over 22", "measure": "M04", "scope_kind": "team", "team": "", "service_area": "",
            "team_type": "", "threshold": "22", "target": "", "start_month": "", "position": "1", **fields}


def test_trend_rows_are_checked_and_a_head_of_service_keeps_to_their_scope(client, setting):
    team, other_team, admin, hos = setting
    client.force_login(admin)
    url = reverse("inputs:trend-rows")

    no_team = client.post(url, trend_row())
    wrong_threshold = client.post(url, trend_row(measure="M01", team=team.pk))
    assert (no_team.status_code, field_error(no_team, "team")) == (400, "Choose the team this row is about.")
    assert (wrong_threshold.status_code, field_error(wrong_threshold, "threshold")) == (400, THRESHOLD_NOT_USED)
    assert TrendRow.objects.count() == 0
    assert client.post(url, trend_row(team=team.pk, service_area=other_team.service_area.pk,
                                      start_month="2025-04")).status_code == 302
    row = TrendRow.objects.get()
    assert (row.measure, row.scope_kind, row.team, row.service_area, row.threshold, row.start_month) == (
        "M04", "team", team, None, 22, date(2025, 4, 1))  # the other scope's field is cleared
    authority = TrendRow.objects.create(measure="M01", label="Average caseload", scope_kind="authority")
    page = text_of(client.get(url).content.decode())
    assert "Workers over 22 Workers with more than N cases Duty North 22 – April 2025" in page
    assert "Average caseload Average caseload The authority – – every month" in page
    assert CODE.findall(page) == []

    client.force_login(hos)
    refused = client.post(url, trend_row(scope_kind="authority", label="Everyone"))
    assert (refused.status_code, field_error(refused, "scope_kind")) == (400, ROW_OUTSIDE_SCOPE)
    assert client.get(reverse("inputs:trend-row", args=[authority.pk])).status_code == 404
    assert client.get(reverse("inputs:trend-row", args=[row.pk])).status_code == 200
    assert TrendRow.objects.count() == 2


def test_analysis_is_added_with_its_author_and_time_and_needs_text(client, setting):
    team, other_team, admin, hos = setting
    row = TrendRow.objects.create(measure="M11", label="Case supervision", scope_kind="team", team=team)
    client.force_login(hos)
    url = reverse("inputs:trend-row", args=[row.pk])

    empty = client.post(url, {"add_analysis": "1", "month": "2025-07", "text": "   "})
    assert (empty.status_code, field_error(empty, "text")) == (400, "This field is required.")
    assert client.post(url, {"add_analysis": "1", "month": "2025-07",
                             "text": "Two managers were off sick."}).status_code == 302

    analysis = MeasureAnalysis.objects.get()
    assert (analysis.trend_row, analysis.month, analysis.text, analysis.author) == (
        row, date(2025, 7, 1), "Two managers were off sick.", hos)
    page = text_of(client.get(url).content.decode())
    when = timezone.localtime(analysis.created_at)
    assert f"July 2025 Two managers were off sick. Hana Head {when.day} {when:%b %Y %H:%M}" in page
    assert AuditEvent.objects.filter(action="inputs.analysis_added", actor=hos).count() == 1


def test_conferences_are_entered_per_adviser_and_week(client, setting):
    team, other_team, admin, hos = setting
    cpa = WorkerFactory(team=team, position=Position.CPA, first_name="Cara", surname="Adviser")
    social_worker = WorkerFactory(team=team, first_name="Sam", surname="Worker")
    far_cpa = WorkerFactory(team=other_team, position=Position.CPA)
    client.force_login(hos)
    url = reverse("inputs:conferences")
    this_week = timezone.localdate() + timedelta(days=7)
    year, week, _ = this_week.isocalendar()

    assert client.post(url, {"worker": cpa.pk, "week_start": "2025-W41", "conferences": "5"}).status_code == 302
    assert client.post(url, {"worker": cpa.pk, "week_start": "2025-W41", "conferences": "6"}).status_code == 302
    for worker, week_text, count, field, message in (
        (social_worker.pk, "2025-W41", "3", "worker", "Select a valid choice. That choice is not one of the "
                                                     "available choices."),
        (far_cpa.pk, "2025-W41", "3", "worker", "Select a valid choice. That choice is not one of the available "
                                                "choices."),
        (cpa.pk, "2025-W60", "3", "week_start", "Enter a week as year and week number, e.g. 2025-W41."),
        (cpa.pk, f"{year}-W{week:02d}", "3", "week_start", WEEK_NOT_BEGUN),
        (cpa.pk, "2025-W42", "51", "conferences", "Enter a whole number from 0 to 50."),
    ):
        response = client.post(url, {"worker": worker, "week_start": week_text, "conferences": count})
        assert (response.status_code, field_error(response, field)) == (400, message), week_text

    assert list(CpaConferenceCount.objects.values_list("worker", "week_start", "conferences")) == [
        (cpa.pk, date(2025, 10, 6), 6)]
    page = text_of(client.get(url).content.decode())
    assert "Cara Adviser Duty North Week 41 of 2025 (from 6 Oct 2025) 6" in page
    assert AuditEvent.objects.filter(action="inputs.conferences_saved").count() == 2


def test_changing_a_trend_row_is_audited_and_a_refused_change_leaves_it_as_stored(client, setting):
    team, other_team, admin, hos = setting
    row = TrendRow.objects.create(measure="M01", label="Average caseload", scope_kind="authority", position=2)
    client.force_login(admin)
    url = reverse("inputs:trend-row", args=[row.pk])

    refused = client.post(url, trend_row(measure="M01", scope_kind="authority", threshold="", target="lots",
                                         label="Renamed"))
    assert (refused.status_code, field_error(refused, "target")) == (400, "Enter a number from 0 to 1,000, e.g. 18 or 92.5.")
    row.refresh_from_db()
    assert (row.label, row.target) == ("Average caseload", None)

    saved = client.post(url, trend_row(measure="M01", scope_kind="team_type", team_type="duty_and_assessment",
                                       threshold="", target="16.5", label="Duty average", position="2"))
    assert saved.status_code == 302
    row.refresh_from_db()
    assert (row.label, row.scope_kind, row.team_type, str(row.target)) == (
        "Duty average", "team_type", "duty_and_assessment", "16.50")
    event = AuditEvent.objects.get(action="inputs.trend_row_saved")
    changed = {key: (event.data["before"][key], event.data["after"][key]) for key in event.data["after"]
               if event.data["before"][key] != event.data["after"][key]}
    assert (event.actor, changed) == (admin, {"label": ("Average caseload", "Duty average"),
                                              "scope_kind": ("authority", "team_type"),
                                              "team_type": ("", "duty_and_assessment"), "target": (None, "16.5")})
    listing = text_of(client.get(reverse("inputs:trend-rows")).content.decode())
    assert "Duty average Average caseload Duty and Assessment teams – 16.50 every month" in listing


def test_the_figures_page_is_a_fixed_number_of_queries(client, setting, django_assert_num_queries):
    team, other_team, admin, hos = setting
    for month in range(1, 7):
        ImportedAggregate.objects.create(team=team, month=date(2025, month, 1), measure="M12", numerator=month,
                                         denominator=10, entered_by=admin)
    client.force_login(hos)
    client.get(reverse("inputs:figures"))
    # savepoint; session, user, groups; the form's teams; the count and the page of six figures (joined with teams
    # and who entered them); the navigation's worker record and waiting counts; release; session save (savepoint,
    # update, release)
    with django_assert_num_queries(13):
        page = text_of(client.get(reverse("inputs:figures")).content.decode())
    assert "Duty North June 2025 Initial child protection conferences within 15 working days 6 10 60.0% Perry Officer" in page
