"""What a figure is about: the authority, one service area or one team (REPORTS (e) filters)."""
from __future__ import annotations

from dataclasses import dataclass

from workload.models import ServiceArea, Team


@dataclass(frozen=True)
class Scope:
    kind: str  # "authority" | "service" | "team"
    pk: int | None  # None for the authority
    label: str  # what people read

    @property
    def pooled(self) -> bool:
        """Service and authority figures pool worker rows and round to the aggregate precision (REPORTS 1.3)."""
        return self.kind != "team"

    def team_ids(self) -> list[int]:
        teams = Team.objects.active()
        if self.kind == "service":
            teams = teams.filter(service_area_id=self.pk)
        elif self.kind == "team":
            teams = Team.objects.filter(pk=self.pk)
        return list(teams.order_by("pk").values_list("pk", flat=True))


AUTHORITY = Scope("authority", None, "Whole authority")


def team_scope(team: Team) -> Scope:
    return Scope("team", team.pk, team.name)


def parse_scope(text: str) -> Scope:
    """ "authority" | "service:<name>" | "team:<code>"; ValueError with a message a person can act on."""
    text = (text or "").strip()
    if text == "authority":
        return AUTHORITY
    kind, sep, name = text.partition(":")
    if not sep or not name.strip():
        raise ValueError(f"Scope '{text}' is not one of: authority, service:<name>, team:<code>.")
    name = name.strip()
    if kind == "service":
        area = ServiceArea.objects.filter(name=name).first()
        if area is None:
            raise ValueError(f"There is no service area called '{name}'.")
        return Scope("service", area.pk, area.name)
    if kind == "team":
        team = Team.objects.filter(code=name).first()
        if team is None:
            raise ValueError(f"There is no team with the code '{name}'.")
        return Scope("team", team.pk, team.name)
    raise ValueError(f"Scope '{text}' is not one of: authority, service:<name>, team:<code>.")
