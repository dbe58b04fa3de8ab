"""Reads for the dashboard pages: which authority, service areas and teams a person may open, and the
drill-down lists (service area -> teams -> workers -> pro-forma). The measures themselves come from
reporting.measures; nothing here computes one.

Scope (workload.access and the capability map): administrator and SMT see the authority and everything;
a head of service the service areas they lead (and the teams they are service manager of, as team views);
a team manager the team views of the teams they manage. Anything else is a 404, so a guessed id outside
the scope looks the same as one that does not exist."""
from __future__ import annotations

from datetime import date

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from supervision.models import ProformaEntry
from workload.access import teams_for_user
from workload.capabilities import can
from workload.models import CaseloadSnapshot, ServiceArea, Team
from workload.workdays import month_end


def sees_authority(user) -> bool:
    return can(user, "team.view_all")


def service_areas_for_user(user) -> QuerySet[ServiceArea]:
    """Service areas whose dashboard the user may open."""
    if sees_authority(user):
        return ServiceArea.objects.all().order_by("name")
    if can(user, "team.view_led"):
        return ServiceArea.objects.filter(head_of_service=user).order_by("name")
    return ServiceArea.objects.none()


def service_area_get_for_user(*, user, pk: int) -> ServiceArea:
    try:
        return service_areas_for_user(user).get(pk=pk)
    except ServiceArea.DoesNotExist as exc:
        raise Http404("No such service area.") from exc


def dashboard_teams(*, user, service_area: ServiceArea | None = None) -> QuerySet[Team]:
    """Active teams in the user's scope, optionally of one service area, by area and name."""
    teams = teams_for_user(user).filter(is_active=True).select_related("service_area")
    if service_area is not None:
        teams = teams.filter(service_area=service_area)
    return teams.order_by("service_area__name", "name")


def month_snapshot_date(*, month: date) -> date | None:
    """The snapshot a month's figures read: the latest on or before the month's last day (REPORTS 1.1)."""
    return (
        CaseloadSnapshot.objects.filter(taken_on__lte=month_end(month)).order_by("-taken_on")
        .values_list("taken_on", flat=True).first()
    )


def team_worker_rows(*, team: Team, month: date, snapshot_on: date | None) -> QuerySet[CaseloadSnapshot]:
    """The team's workers on the month's snapshot, each with the month's current pro-forma (id, status), for
    the drill-down to the worker and the entry. One query."""
    if snapshot_on is None:
        return CaseloadSnapshot.objects.none()
    entries = ProformaEntry.objects.current().filter(worker=OuterRef("worker_id"), month=month)
    return (
        CaseloadSnapshot.objects.filter(team=team, taken_on=snapshot_on)
        .select_related("worker")
        .annotate(entry_id=Subquery(entries.values("pk")[:1]), entry_status=Subquery(entries.values("status")[:1]))
        .order_by("worker__surname", "worker__first_name", "worker__pk")
    )


# ---------------------------------------------------------------------------------- measure panels
# The measures come from reporting.measures (another module, written alongside); these functions only ask
# it for the scope and month and shape nothing of their own. Until it is merged they return None and the
# pages say so.


def authority_panel(*, teams: list[Team], month: date):
    return None


def service_panel(*, area: ServiceArea, teams: list[Team], month: date):
    return None


def team_panel(*, team: Team, month: date):
    return None
