"""A team's month lists the workers who were members of the team during that month (dated memberships),
not the workers whose current team it is; the team month, the home page's counts and the start of a
pro-forma all follow the same rule."""
import re
from datetime import date

import pytest
from django.urls import reverse

from supervision.models import EntryStatus, ProformaEntry
from supervision.team_month import team_month_progress, team_month_summary
from tests.factories import TeamFactory, WorkerFactory
from tests.factories_supervision import started, team_manager
from workload.models import Absence
from workload.services import membership_move

pytestmark = pytest.mark.django_db
FEB, MAR = date(2025, 2, 1), date(2025, 3, 1)
TODAY = date(2025, 3, 20)


@pytest.fixture
def moved():
    """Mo moved CP1 -> DA1 on 1 March 2025; Stella stays in CP1, Dan has always been in DA1."""
    cp1 = TeamFactory(name="Child Protection 1", code="CP1")
    da1 = TeamFactory(name="Duty and Assessment 1", code="DA1")
    cp1_manager = team_manager(cp1, first_name="Cara", last_name="Manager")
    da1_manager = team_manager(da1, first_name="Dora", last_name="Manager")
    mover = WorkerFactory(team=cp1, first_name="Mo", surname="Mover")
    stayer = WorkerFactory(team=cp1, first_name="Stella", surname="Stayer")
    resident = WorkerFactory(team=da1, first_name="Dan", surname="Resident")
    membership_move(worker=mover, team=da1, start=MAR)
    mover.refresh_from_db()
    return {"cp1": cp1, "da1": da1, "cp1_manager": cp1_manager, "da1_manager": da1_manager, "mover": mover,
            "stayer": stayer, "resident": resident}


def february_started(moved):
    """Mo's February, started (after the move) by CP1's manager: entry_start picks the team Mo was in."""
    return started(moved["mover"], moved["cp1_manager"], FEB, today=date(2025, 2, 20))


def rows(summary):
    return [(row.worker.full_name, row.status, row.entry.pk if row.entry else None) for row in summary.rows]


def test_a_worker_who_moved_keeps_their_old_month_in_the_old_team(moved):
    mover, february = moved["mover"], february_started(moved)

    assert (february.team, mover.team) == (moved["cp1"], moved["da1"])
    assert rows(team_month_summary(team=moved["cp1"], month=FEB, today=TODAY)) == [
        ("Mo Mover", EntryStatus.DRAFT, february.pk), ("Stella Stayer", "none", None),
    ]
    assert rows(team_month_summary(team=moved["cp1"], month=MAR, today=TODAY)) == [("Stella Stayer", "none", None)]
    # not "No pro-forma" in DA1 for the month before they joined; listed from March
    assert rows(team_month_summary(team=moved["da1"], month=FEB, today=TODAY)) == [("Dan Resident", "none", None)]
    assert rows(team_month_summary(team=moved["da1"], month=MAR, today=TODAY)) == [
        ("Mo Mover", "none", None), ("Dan Resident", "none", None),
    ]
    assert mover.pk not in {row.worker.pk for row in team_month_summary(team=moved["da1"], month=FEB).rows}


def test_home_progress_counts_follow_the_same_memberships(moved):
    cp1, da1 = moved["cp1"], moved["da1"]
    february_started(moved)
    zero = {"draft": 0, "submitted": 0, "countersigned": 0, "disputed": 0, "none": 0, "absent": 0, "elsewhere": 0}

    assert team_month_progress(teams=[cp1, da1], month=FEB) == {
        cp1.pk: {**zero, "draft": 1, "none": 1}, da1.pk: {**zero, "none": 1},
    }
    assert team_month_progress(teams=[cp1, da1], month=MAR) == {
        cp1.pk: {**zero, "none": 1}, da1.pk: {**zero, "none": 2},
    }


def test_the_team_month_page_and_home_counts_agree(client, moved):
    """Both pages show the same "not started" count for DA1's February: Dan only."""
    client.force_login(moved["da1_manager"])
    page = client.get(reverse("supervision:team-month", args=[moved["da1"].pk, 2025, 2])).content.decode()
    assert page.count('data-testid="worker-row-') == 1
    assert f'data-testid="worker-row-{moved["mover"].pk}"' not in page
    assert "0 countersigned · 0 awaiting countersignature · 0 disputed · 0 draft · 1 not started" in page


def test_start_a_past_month_from_the_team_the_worker_was_in_then(client, moved):
    mover, cp1, da1 = moved["mover"], moved["cp1"], moved["da1"]
    client.force_login(moved["cp1_manager"])
    page = client.get(reverse("supervision:team-month", args=[cp1.pk, 2025, 2])).content.decode()
    assert f'data-testid="start-entry-{mover.pk}"' in page

    response = client.post(reverse("supervision:entry-start", args=[cp1.pk, 2025, 2, mover.pk]))

    entry = ProformaEntry.objects.get(worker=mover, month=FEB)
    assert response.status_code == 302 and response["Location"] == reverse("supervision:entry-detail", args=[entry.pk])
    assert (entry.team, mover.team) == (cp1, da1)


def test_start_refuses_a_month_when_the_worker_was_not_in_the_team(client, moved):
    mover, cp1, da1 = moved["mover"], moved["cp1"], moved["da1"]
    client.force_login(moved["da1_manager"])

    before_joining = client.post(reverse("supervision:entry-start", args=[da1.pk, 2025, 2, mover.pk]))
    client.force_login(moved["cp1_manager"])
    after_leaving = client.post(reverse("supervision:entry-start", args=[cp1.pk, 2025, 3, mover.pk]))
    never_a_member = client.post(reverse("supervision:entry-start", args=[cp1.pk, 2025, 2, moved["resident"].pk]))

    assert before_joining.status_code == 409
    assert "Mo Mover was not a member of Duty and Assessment 1 in February 2025." in before_joining.content.decode()
    assert after_leaving.status_code == 409
    assert "Mo Mover was not a member of Child Protection 1 in March 2025." in after_leaving.content.decode()
    assert never_a_member.status_code == 404
    assert ProformaEntry.objects.filter(worker=mover).count() == 0


def test_a_mid_month_move_is_not_no_proforma_in_the_other_team(client, moved):
    """Stella moves CP1 -> DA1 on 15 March and her March pro-forma is started in DA1: she is listed in both
    teams' March, with her pro-forma in DA1 and "with another team" (not "No pro-forma") in CP1."""
    cp1, da1 = moved["cp1"], moved["da1"]
    stella = moved["stayer"]
    membership_move(worker=stella, team=da1, start=date(2025, 3, 15))
    march = started(stella, moved["da1_manager"], MAR, today=TODAY)

    cp1_march = team_month_summary(team=cp1, month=MAR, today=TODAY)
    da1_march = team_month_summary(team=da1, month=MAR, today=TODAY)

    assert march.team == da1
    assert [(r.worker.full_name, r.status, r.status_label) for r in cp1_march.rows] == [
        ("Stella Stayer", "elsewhere", "Pro-forma with Duty and Assessment 1"),
    ]
    assert (cp1_march.headcount, cp1_march.status_counts) == (0, {"elsewhere": 1})
    assert rows(da1_march) == [("Mo Mover", "none", None), ("Dan Resident", "none", None),
                               ("Stella Stayer", EntryStatus.DRAFT, march.pk)]
    assert team_month_progress(teams=[cp1], month=MAR)[cp1.pk]["elsewhere"] == 1
    client.force_login(moved["cp1_manager"])
    page = client.get(reverse("supervision:team-month", args=[cp1.pk, 2025, 3])).content.decode()
    assert re.search(rf'data-testid="worker-row-{stella.pk}" [^>]*data-status="elsewhere"', page)
    assert "Pro-forma with Duty and Assessment 1" in page
    assert f'data-testid="start-entry-{stella.pk}"' not in page
    assert "0 draft · 0 not started · 1 with another team" in page


def test_a_leaver_is_listed_for_the_months_they_were_there(moved):
    cp1 = moved["cp1"]
    leaver = WorkerFactory(team=cp1, first_name="Lee", surname="Leaver")
    leaver.memberships.update(end=date(2025, 2, 14))
    leaver.is_active = False
    leaver.save()
    february_started(moved)
    forgotten = WorkerFactory(team=cp1, first_name="Fay", surname="Forgotten", is_active=False)  # never closed
    Absence.objects.create(worker=moved["stayer"], kind="sickness", start=date(2025, 1, 6))  # long absence

    february = team_month_summary(team=cp1, month=FEB, today=TODAY)
    march = team_month_summary(team=cp1, month=MAR, today=TODAY)

    assert [(r.worker.full_name, r.status) for r in february.rows] == [
        ("Lee Leaver", "none"), ("Mo Mover", EntryStatus.DRAFT), ("Stella Stayer", "absent"),
    ]
    assert [(r.worker.full_name, r.status) for r in march.rows] == [("Stella Stayer", "absent")]
    assert forgotten.pk not in {r.worker.pk for r in february.rows}
