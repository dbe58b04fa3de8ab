"""One truth per figure: children, family groups and unallocated children are the same on the home page, the
team list, the team page and the team month for the same team and date, each labelled with its snapshot."""
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import user_with_role
from tests.factories import CaseFactory, CaseloadSnapshotFactory, TeamFactory, WorkerFactory
from workload.models import TeamSnapshot
from workload.roles import Role
from workload.selectors import team_figures

pytestmark = pytest.mark.django_db


class FigureCells(HTMLParser):
    """Collects {figure: data-value} of the elements marked data-team=<pk> data-figure=<name>."""

    def __init__(self, team_pk: int):
        super().__init__()
        self.team_pk, self.values = str(team_pk), {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("data-team") == self.team_pk and "data-figure" in attrs:
            self.values[attrs["data-figure"]] = attrs["data-value"]


def figures_on(html: str, team_pk: int) -> dict[str, str]:
    parser = FigureCells(team_pk)
    parser.feed(html)
    return parser.values


@pytest.fixture
def snapshotted():
    """Two teams with snapshots on two dates, and live allocations that disagree with the latest snapshot
    (an unallocated case of 4 children opened since), so a page reading allocations would show otherwise."""
    today = timezone.localdate()
    latest, older = today - timedelta(days=1), today - timedelta(days=8)
    alpha, bravo = TeamFactory(name="Alpha"), TeamFactory(name="Bravo")
    ann = WorkerFactory(team=alpha, first_name="Ann", surname="Able")
    bob = WorkerFactory(team=alpha, first_name="Bob", surname="Baker")
    cat = WorkerFactory(team=bravo, first_name="Cat", surname="Cole")
    for worker, children, families in ((ann, 12, 5), (bob, 7, 3), (cat, 30, 14)):
        CaseloadSnapshotFactory(worker=worker, taken_on=latest, kind="weekly", allocated_children=children,
                                family_groups=families)
        CaseloadSnapshotFactory(worker=worker, taken_on=older, kind="weekly", allocated_children=1, family_groups=1)
    TeamSnapshot.objects.create(team=alpha, taken_on=latest, kind="weekly", unallocated_children=5)
    TeamSnapshot.objects.create(team=bravo, taken_on=latest, kind="weekly", unallocated_children=2)
    TeamSnapshot.objects.create(team=alpha, taken_on=older, kind="weekly", unallocated_children=9)
    CaseFactory(team=alpha, children=4, opened=today)  # live: one unallocated case of 4 children
    return {"alpha": alpha, "bravo": bravo, "latest": latest, "today": today}


def test_the_four_pages_show_the_same_figures_from_the_same_snapshot(client, snapshotted):
    alpha, bravo, latest, today = snapshotted["alpha"], snapshotted["bravo"], snapshotted["latest"], snapshotted["today"]
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    pages = {
        "home": client.get(reverse("home")).content.decode(),
        "team list": client.get(reverse("workload:team-list")).content.decode(),
        "team page": client.get(reverse("workload:team-detail", args=[alpha.pk])).content.decode(),
        "team month": client.get(reverse("supervision:team-month", args=[alpha.pk, today.year, today.month])
                                 ).content.decode(),
    }
    expected = {"children": "19", "family_groups": "8", "unallocated_children": "5"}
    source = f"snapshot {latest.day} {latest:%b %Y}"

    assert {name: figures_on(html, alpha.pk) for name, html in pages.items()} == dict.fromkeys(pages, expected)
    for name, html in pages.items():
        for label in ("Children allocated", "Family groups", "Unallocated children"):
            assert f"{label} ({source})" in html, (name, label)
    bravo_figures = {"children": "30", "family_groups": "14", "unallocated_children": "2"}
    assert figures_on(pages["home"], bravo.pk) == figures_on(pages["team list"], bravo.pk) == bravo_figures


def test_unallocated_is_counted_in_children_from_the_snapshot(snapshotted):
    alpha, today = snapshotted["alpha"], snapshotted["today"]
    figures = team_figures(team=alpha, day=today)
    assert (figures.snapshot_on, figures.children, figures.family_groups, figures.unallocated_children) == (
        snapshotted["latest"], 19, 8, 5)
    assert figures.source == f"snapshot {snapshotted['latest'].day} {snapshotted['latest']:%b %Y}"


def test_a_past_team_month_uses_the_snapshot_of_that_month(client):
    """July 2025's team month reads the latest snapshot on or before 31 Jul 2025 (the month-end one, not the
    earlier weekly or August's), says so, and pre-fills the team pro-forma's unallocated field with it."""
    team = TeamFactory(name="Delta")
    worker = WorkerFactory(team=team)
    for taken_on, kind, children, unallocated in ((date(2025, 7, 25), "weekly", 3, 1),
                                                   (date(2025, 7, 31), "month_end", 11, 6),
                                                   (date(2025, 8, 29), "weekly", 40, 20)):
        CaseloadSnapshotFactory(worker=worker, taken_on=taken_on, kind=kind, allocated_children=children,
                                family_groups=4)
        TeamSnapshot.objects.create(team=team, taken_on=taken_on, kind=kind, unallocated_children=unallocated)
    manager = user_with_role(Role.TEAM_MANAGER)
    team.managers.add(manager)
    client.force_login(manager)

    html = client.get(reverse("supervision:team-month", args=[team.pk, 2025, 7])).content.decode()

    assert figures_on(html, team.pk) == {"children": "11", "family_groups": "4", "unallocated_children": "6"}
    assert "Unallocated children (snapshot 31 Jul 2025)" in html
    assert re.search(r'name="unallocated_cases" value="6"', html)


def test_a_team_without_a_snapshot_shows_no_data_not_zero(client):
    team = TeamFactory(name="Charlie")
    client.force_login(user_with_role(Role.ADMINISTRATOR))
    html = client.get(reverse("workload:team-detail", args=[team.pk])).content.decode()
    assert figures_on(html, team.pk) == {"children": "", "family_groups": "", "unallocated_children": ""}
    assert "Children allocated (no snapshot yet)" in html
