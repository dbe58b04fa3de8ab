"""SMT's home at an authority's size: the first 25 teams and a link to the sorted, filtered, paged team list."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import TeamFactory
from tests.factories_supervision import user_in
from workload.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("teams", "rows", "more"), [(25, 25, False), (30, 25, True)])
def test_home_lists_at_most_25_teams_and_links_the_full_list(client, teams, rows, more):
    for n in range(teams):
        TeamFactory(name=f"Team {n:03d}", code=f"T{n:03d}")
    client.force_login(user_in(Role.SMT))
    body = client.get(reverse("home")).content.decode()
    assert f"Teams you can see ({teams})" in body
    assert len(re.findall(r"data-progress=", body)) == rows
    link = f'Showing 25 of {teams} teams. <a href="{reverse("workload:team-list")}">See every team</a>'
    assert (link in body) is more
