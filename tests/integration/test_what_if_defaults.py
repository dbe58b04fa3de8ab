"""Score a month starts from the user's own team's scheme and team type, its team types follow the chosen
scheme at once, it takes any number of lines up to the maximum, and its factors are checkboxes as on the
pro-forma."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import TeamFactory, WorkerFactory
from tests.factories_supervision import team_manager, user_in, worker_with_login
from workload.roles import Role

pytestmark = pytest.mark.django_db
URL = reverse("workload:what-if")


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def _html(response) -> str:
    return re.sub(r'\s+class="[^"]*"', "", response.content.decode())


def test_a_manager_starts_on_their_own_teams_scheme_and_team_type(client):
    team = TeamFactory(scheme=("warrington-wms-2014", "children_with_disabilities"))
    client.force_login(team_manager(team))
    html = _html(client.get(URL))
    assert _selected(html, "scheme") == ["warrington-wms-2014"]
    assert _selected(html, "team_type") == ["children_with_disabilities"]


def test_a_worker_starts_on_their_own_teams_scheme_and_a_chosen_scheme_wins(client):
    team = TeamFactory(scheme=("swindon-cws-v1", "cypd"))
    worker = worker_with_login(team)
    client.force_login(worker.user)
    html = _html(client.get(URL))
    assert (_selected(html, "scheme"), _selected(html, "team_type")) == (["swindon-cws-v1"], ["cypd"])
    chosen = _html(client.get(URL, {"scheme": "rbwm-cws-v1"}))
    assert (_selected(chosen, "scheme"), _selected(chosen, "team_type")) == (["rbwm-cws-v1"], ["all_cases"])


def test_without_a_team_the_page_starts_on_the_first_scheme(client):
    WorkerFactory(team=TeamFactory(scheme=("swindon-cws-v1", "cypd")))  # someone else's team
    client.force_login(user_in(Role.SMT))
    html = _html(client.get(URL))
    assert _selected(html, "scheme") == ["caseload-count-v1"]  # the first by label


def test_the_team_types_follow_the_scheme_at_once(client):
    team = TeamFactory()
    client.force_login(team_manager(team))
    page = client.get(URL).content.decode()
    scheme_select = re.search(r'<select name="scheme"[^>]*>', page).group(0)
    for attribute in (f'hx-get="{URL}"', 'hx-trigger="change"', 'hx-target="#team-type-field"',
                      'hx-select="#team-type-field"', 'hx-include="this"'):
        assert attribute in scheme_select
    # what htmx fetches on a change of scheme: that scheme's team types, inside the swapped element
    swapped = client.get(URL, {"scheme": "rbwm-cws-v1"}, HTTP_HX_REQUEST="true").content.decode()
    field = re.search(r'<div class="col-md-4" id="team-type-field">.*?</select>', swapped, re.S).group(0)
    assert _options(field, "team_type") == ["all_cases"]


@pytest.mark.parametrize(("add_count", "total"), [("10", 14), ("1", 5), ("999", 60), ("x", 8), ("", 8), ("0", 5)])
def test_add_lines_adds_as_many_as_asked_up_to_the_maximum(client, add_count, total):
    client.force_login(team_manager(TeamFactory()))
    data = {"scheme": "nottinghamshire-wlm-2016", "team_type": "assessment", "lines-TOTAL_FORMS": "4",
            "lines-INITIAL_FORMS": "0", "worker-wte": "1", "add_lines": "1", "add_count": add_count}
    html = _html(client.post(URL, data))
    assert f'name="lines-TOTAL_FORMS" value="{total}"' in html
    assert f'data-testid="line-{total - 1}"' in html and f'data-testid="line-{total}"' not in html


def test_factors_are_checkboxes_as_on_the_pro_forma(client):
    client.force_login(team_manager(TeamFactory()))
    html = _html(client.get(URL, {"scheme": "nottinghamshire-wlm-2016", "team_type": "assessment"}))
    assert re.search(r'<input type="checkbox"\s+name="lines-0-factors"\s+value="interpreter"', html)
    assert "Hold Ctrl" not in html
    assert re.search(r'<input type="number" name="lines-0-children"[^>]*inputmode="numeric"|'
                     r'<input type="number" inputmode="numeric"[^>]*name="lines-0-children"', html)
