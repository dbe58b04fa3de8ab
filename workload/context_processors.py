"""Navigation links by capability (workload/capabilities.py), so base.html only displays them.

The counts in the badges ("3 waiting") come from supervision.context_processors.waiting: workload imports
nothing of supervision, so an item here only names which count it shows."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from workload.capabilities import can, capabilities_of
from workload.roles import user_roles


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    capability: str | None  # None: every signed-in user
    badge: str = ""  # which of the waiting counts (supervision.concerns.WaitingCounts) its badge shows
    menu: str = "main"  # "manage": under the Manage drop-down, so the bar fits at 1280 px for an administrator


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "home", None, badge="total"),
    NavItem("Teams", "workload:team-list", "team.view"),
    NavItem("Dashboards", "dashboards:authority", "reports.view"),
    NavItem("Escalations", "reporting:escalation-list", "reports.view"),
    NavItem("Reports", "reports:run-list", "reports.view"),
    NavItem("Supervision", "supervision:session-list", "supervision.view"),
    NavItem("Concerns", "supervision:concern-list", "concern.answer", badge="concerns_to_answer"),
    NavItem("My workload", "supervision:my-workload", "my_workload.view"),
    NavItem("Score a month", "workload:what-if", "scheme.what_if"),
    NavItem("Measure inputs", "inputs:home", "inputs.enter", menu="manage"),
    NavItem("Imports", "imports:batch-list", "data.import", menu="manage"),
    NavItem("Administration", "admin:index", "admin.site", menu="manage"),
)


def _shown(item: NavItem, user) -> bool:
    if item.capability is None:
        return True
    if item.capability == "my_workload.view":
        # their own record, whatever their role: a manager who also holds cases has a workload too.
        # Checked second, so a social worker's page does not pay for the worker query.
        return can(user, item.capability) or hasattr(user, "worker")
    return can(user, item.capability)


def nav_links(user, current_path: str, menu: str = "main") -> list[tuple[str, str, bool, str]]:
    """(label, url, is current page, badge) for each item of the menu the user's capabilities allow, in order."""
    if not getattr(user, "is_authenticated", False):
        return []
    links = [(item.label, reverse(item.url_name), item.badge) for item in NAV_ITEMS
             if item.menu == menu and _shown(item, user)]
    return [(label, url, current_path == url or (url != "/" and current_path.startswith(url)), badge)
            for label, url, badge in links]


def navigation(request) -> dict:
    return {
        "nav_links": nav_links(request.user, request.path),
        "nav_manage_links": nav_links(request.user, request.path, menu="manage"),
        "user_roles": user_roles(request.user),
        "user_can": capabilities_of(request.user),
        "authority_name": settings.CASEWEIGHT_AUTHORITY_NAME,
    }
