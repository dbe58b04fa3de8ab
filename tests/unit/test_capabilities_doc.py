"""The capability map is consistent with itself and with the table in docs/architecture.md."""
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser

from workload.capabilities import CAN, can, capabilities_of, markdown_table, roles_in_map
from workload.roles import Role

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def test_architecture_doc_shows_the_capability_map_as_it_is():
    match = re.search(r"<!-- capability-map:start -->\n(.*?)<!-- capability-map:end -->", DOC.read_text(), re.S)
    assert match is not None, "docs/architecture.md lost its capability-map markers"
    assert match.group(1) == markdown_table(), (
        "docs/architecture.md and workload/capabilities.py differ: paste the output of "
        "`python -m workload.capabilities` between the capability-map markers"
    )


def test_roles_that_see_teams_reach_some_teams():
    """team.view (pages and links) is no wider than the scopes that access.py turns into teams."""
    assert CAN["team.view"] == CAN["team.view_all"] | CAN["team.view_led"] | CAN["team.view_managed"]


@pytest.mark.parametrize("capability", ["entry.submit", "session.record", "team_month.comment_tm"])
def test_roles_that_change_team_records_have_teams_to_change(capability):
    assert CAN[capability] <= CAN["team.manage_all"] | CAN["team.manage_managed"]


def test_every_role_is_in_the_map():
    assert roles_in_map() == set(Role)


def test_an_anonymous_visitor_may_do_nothing():
    anonymous = AnonymousUser()
    assert capabilities_of(anonymous) == frozenset()
    assert [code for code in CAN if can(anonymous, code)] == []


def test_a_misspelt_capability_is_an_error_not_a_silent_no():
    with pytest.raises(KeyError, match="Unknown capability 'entry.sing'"):
        can(AnonymousUser(), "entry.sing")
