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


def test_a_service_area_without_teams_has_no_data_not_zeros():
    from datetime import date

    from reporting.measures import measures_for

    area = ServiceAreaFactory(name="Empty")
    values = measures_for(parse_scope("service:Empty"), [date(2025, 1, 1)])
    assert {v.measure: (v.status, v.display) for v in values} == {
        m: ("no_data", "–") for m in ("M01", "M02", "M03", "M07", "M10", "M11", "M12", "M13", "M14", "M15",
                                       "M16", "M17", "M18", "M19", "M20", "M22")  # no rows: no data, M22 too
    }
    assert {v.scope for v in values} == {Scope("service", area.pk, "Empty")}
