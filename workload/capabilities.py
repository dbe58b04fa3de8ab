"""One capability map: which roles may see or do what.

Access checks (workload/access.py), navigation (workload/context_processors.py), views and the role
groups migration all read this map, so a role's powers change here and nowhere else. A capability says
*what* a role may do; workload/access.py says *over which teams*, and a worker's own record is theirs
whatever their role (the views check that). docs/architecture.md shows the map as a table; a test keeps
the two the same (regenerate with `python -m workload.capabilities`).
"""
from __future__ import annotations

from dataclasses import dataclass

from workload.roles import Role, user_roles

ADMINISTRATOR, HEAD_OF_SERVICE, TEAM_MANAGER, SOCIAL_WORKER, SMT = (
    Role.ADMINISTRATOR, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER, Role.SOCIAL_WORKER, Role.SMT,
)


@dataclass(frozen=True)
class Capability:
    code: str
    label: str  # plain English, for the table in docs/architecture.md
    roles: frozenset[str]


def _capability(code: str, label: str, *roles: str) -> Capability:
    return Capability(code, label, frozenset(roles))


CAPABILITIES: tuple[Capability, ...] = (
    # -- seeing teams and their workers (which teams: workload/access.py)
    _capability("team.view", "See teams and their workers: the Teams page, the home page's team table, a "
                "pro-forma's team", ADMINISTRATOR, SMT, HEAD_OF_SERVICE, TEAM_MANAGER),
    _capability("team.view_all", "See every team and worker", ADMINISTRATOR, SMT),
    _capability("team.view_led", "See the teams of the service areas they lead, and the teams they are "
                "service manager of", HEAD_OF_SERVICE),
    _capability("team.view_managed", "See the teams they manage", TEAM_MANAGER),
    # -- changing a team's records: pro-formas, supervision sessions, the team pro-forma's fields
    _capability("team.manage_all", "Change the records of every team", ADMINISTRATOR),
    _capability("team.manage_managed", "Change the records of the teams they manage", TEAM_MANAGER),
    _capability("entry.submit", "Start, edit, submit and revise the pro-formas of a team they may change",
                ADMINISTRATOR, TEAM_MANAGER),
    _capability("team_month.comment_tm", "Write the manager's comment and unallocated count on the team "
                "pro-forma", ADMINISTRATOR, TEAM_MANAGER),
    _capability("team_month.comment_sm", "Write the service manager's comment on the team pro-forma",
                ADMINISTRATOR, HEAD_OF_SERVICE),
    _capability("supervision.view", "See supervision due and held: the Supervision page, overdue supervision "
                "on the home page", ADMINISTRATOR, HEAD_OF_SERVICE, TEAM_MANAGER),
    _capability("concern.answer", "See, answer and close the workload concerns of the workers in the teams they "
                "see; a concern left unanswered reaches the head of service", ADMINISTRATOR, HEAD_OF_SERVICE,
                TEAM_MANAGER),
    _capability("session.record", "Record a supervision session for a worker of a team they may change",
                ADMINISTRATOR, TEAM_MANAGER),
    # -- dashboards, escalations, reports and their inputs (issues 11 and 12)
    _capability("reports.view", "See the dashboards, who needs attention, escalations, and the reports of the "
                "teams they see", ADMINISTRATOR, SMT, HEAD_OF_SERVICE, TEAM_MANAGER),
    _capability("reports.generate", "Build the authority reports on request", ADMINISTRATOR, HEAD_OF_SERVICE),
    _capability("reports.narrative", "Write the committee report's narrative (background, main issues, future "
                "plans)", ADMINISTRATOR, HEAD_OF_SERVICE),
    _capability("reports.lists", "Keep the report distribution lists", ADMINISTRATOR),
    _capability("inputs.enter", "Enter the measures' inputs (child-level figures, trend rows, analysis, "
                "conferences chaired) for the teams they change or lead", ADMINISTRATOR, HEAD_OF_SERVICE),
    _capability("policy.propose", "Propose a change to a team's caseload policy or weighting scheme",
                ADMINISTRATOR),
    _capability("policy.approve", "Approve or refuse policy changes for the teams of the service areas they lead",
                HEAD_OF_SERVICE),
    # -- a worker's own record (the views also check that the record is the user's own)
    _capability("entry.sign", "Countersign or dispute their own pro-forma", SOCIAL_WORKER),
    _capability("my_workload.view", "See their own workload and pro-forma history", SOCIAL_WORKER),
    _capability("concern.raise", "Raise a concern about their own workload", SOCIAL_WORKER),
    # -- everyone and the administrator
    _capability("scheme.what_if", "Score a month under any scheme without saving",
                ADMINISTRATOR, HEAD_OF_SERVICE, TEAM_MANAGER, SOCIAL_WORKER, SMT),
    _capability("data.import", "Import teams, workers, cases and allocations from the case-management system, "
                "and see every import", ADMINISTRATOR),
    _capability("admin.site", "Open the administration site", ADMINISTRATOR),
)

CAN: dict[str, frozenset[str]] = {capability.code: capability.roles for capability in CAPABILITIES}


def can(user, capability: str) -> bool:
    """Whether any of the user's roles holds the capability. An unknown name is a programming error."""
    try:
        allowed = CAN[capability]
    except KeyError:
        raise KeyError(f"Unknown capability {capability!r}: the names are in workload/capabilities.py.") from None
    return bool(user_roles(user) & allowed)


def capabilities_of(user) -> frozenset[str]:
    """Every capability the user holds, for templates (`{% if "entry.submit" in user_can %}`)."""
    roles = user_roles(user)
    return frozenset(code for code, allowed in CAN.items() if roles & allowed)


def roles_in_map() -> frozenset[str]:
    """Every role some capability names: each needs an auth group (workload migration 0004)."""
    return frozenset().union(*CAN.values())


def markdown_table() -> str:
    """The map as the Markdown table in docs/architecture.md ("Roles and scoping")."""
    roles = list(Role)
    lines = [
        "| Capability | What it allows | " + " | ".join(role.label for role in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for capability in CAPABILITIES:
        cells = ["yes" if role in capability.roles else "" for role in roles]
        lines.append(f"| `{capability.code}` | {capability.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
