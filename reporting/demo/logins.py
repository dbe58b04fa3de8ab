"""The login table seed_demo prints (and the README and tests read): every role user, read from the database.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count

from workload.models import EmploymentType, Team, Worker
from workload.roles import Role

DEMO_PASSWORD = "caseweight-demo"

ROLE_ORDER = (Role.ADMINISTRATOR, Role.SMT, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER, Role.SOCIAL_WORKER)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    team: str
    notes: str = ""


def login_rows() -> list[Login]:
    """Every user holding a role, in role order, with what they see: read from the database, so a second
    run of seed_demo prints the same table."""
    user_model = get_user_model()
    users = (
        user_model.objects.filter(groups__name__in=[r.value for r in Role]).distinct()
        .prefetch_related("groups", "managed_teams", "service_areas_led").select_related("worker__team")
    )
    managed_areas = defaultdict(set)
    for team in Team.objects.exclude(service_manager=None).select_related("service_area"):
        managed_areas[team.service_manager_id].add(team.service_area.name)
    rows = []
    for user in users:
        roles = {g.name for g in user.groups.all()}
        if user.is_superuser:
            roles.add(Role.ADMINISTRATOR)
        role = next(r for r in ROLE_ORDER if r in roles)
        worker = getattr(user, "worker", None)
        if role in (Role.ADMINISTRATOR, Role.SMT):
            label, team, notes = Role(role).label, "all teams", "superuser" if user.is_superuser else "read-only"
        elif role == Role.HEAD_OF_SERVICE and user.pk in managed_areas:
            label, team, notes = "Service manager", ", ".join(sorted(managed_areas[user.pk])), "group head_of_service"
        elif role == Role.HEAD_OF_SERVICE:
            label, team, notes = "Head of service", ", ".join(a.name for a in user.service_areas_led.all()), ""
        elif role == Role.TEAM_MANAGER:
            label, team, notes = "Team manager", ", ".join(f"{t.name} ({t.code})" for t in user.managed_teams.all()), ""
        else:
            label = "Social worker"
            team = f"{worker.team.name} ({worker.team.code})" if worker and worker.team else ""
            notes = _worker_notes(worker) if worker else ""
        rows.append((ROLE_ORDER.index(role), team, user.username, Login(user.username, label, team, notes)))
    rows.sort(key=lambda row: row[:3])
    return [row[3] for row in rows]


def _worker_notes(worker: Worker) -> str:
    bits = [worker.get_position_display()]
    if worker.wte != 1:
        bits.append(f"{worker.wte.normalize()} WTE")
    if worker.employment_type == EmploymentType.AGENCY:
        bits.append("agency")
    if worker.grade:
        bits.append(f"grade {worker.grade}")
    return ", ".join(bits)


def login_notes(limit: int = 5) -> list[str]:
    """Who to look at in the demo beyond the table: workers without a login and workers who moved team."""
    notes = []
    for worker in Worker.objects.filter(user=None).select_related("team").order_by("surname")[:limit]:
        notes.append(f"- {worker.full_name} ({worker.get_position_display().lower()}, "
                     f"{worker.get_employment_type_display().lower()}, {worker.team.name}) has no login: "
                     "the team manager records their signature.")
    movers = Worker.objects.annotate(n=Count("memberships")).filter(n__gt=1).prefetch_related("memberships__team")
    for worker in movers.order_by("surname")[:limit]:
        old, new = sorted(worker.memberships.all(), key=lambda m: m.start)[-2:]
        notes.append(f"- {worker.full_name} moved from {old.team.name} to {new.team.name} on {new.start:%-d %b %Y}.")
    return notes


def format_logins(rows: list[Login], password: str = DEMO_PASSWORD, notes: Iterable[str] = ()) -> str:
    """A Markdown table (pastes into a README as it is)."""
    header = Login("Username", "Role", "Team", "Notes")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in ("username", "role", "team", "notes")]

    def line(r: Login) -> str:
        cells = (r.username, r.role, r.team, r.notes)
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    notes = list(notes)
    return "\n".join([f"Password for every demo account: {password}", "", line(header), rule, *map(line, rows),
                      *([""] + notes if notes else [])])
