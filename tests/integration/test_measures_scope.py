"""parse_scope: the three forms, and a message naming what is wrong."""
import pytest

from reporting.measures import AUTHORITY, Scope, parse_scope
from tests.factories import ServiceAreaFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_three_forms():
    team = TeamFactory(code="DA1", name="Duty and Assessment", service_area=ServiceAreaFactory(name="North"))
    TeamFactory(service_area=team.service_area)
    TeamFactory(is_active=False, service_area=team.service_area)
    assert parse_scope("authority") == AUTHORITY
    north = parse_scope("service:North")
    assert (north, len(north.team_ids())) == (Scope("service", team.service_area_id, "North"), 2)
    assert parse_scope(" team:DA1 ") == Scope("team", team.pk, "Duty and Assessment")
    assert (AUTHORITY.pooled, north.pooled, parse_scope("team:DA1").pooled) == (True, True, False)


@pytest.mark.parametrize(
    ("text", "message"),
    [("team:ZZ9", "There is no team with the code 'ZZ9'."), ("service:Mars", "There is no service area called 'Mars'."),
     ("team:", "Scope 'team:' is not one of: authority, service:<name>, team:<code>."),
     ("everyone", "Scope 'everyone' is not one of: authority, service:<name>, team:<code>.")],
)
def test_unknown_scope_says_which(text, message):
    with pytest.raises(ValueError) as raised:
        parse_scope(text)
    assert str(raised.value) == message
