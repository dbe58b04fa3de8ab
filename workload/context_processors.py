"""Navigation links by role, so base.html only displays them."""
from django.conf import settings
from django.urls import reverse

from workload.roles import Role, user_roles


def navigation(request) -> dict:
    roles = user_roles(request.user)
    if not roles and not getattr(request.user, "is_authenticated", False):
        return {"nav_links": [], "user_roles": set(), "authority_name": settings.CASEWEIGHT_AUTHORITY_NAME}
    links = [("Home", reverse("home"))]
    if roles & {Role.ADMINISTRATOR, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER, Role.SMT}:
        links.append(("Teams", reverse("workload:team-list")))
    if roles & {Role.ADMINISTRATOR, Role.HEAD_OF_SERVICE, Role.TEAM_MANAGER}:
        links.append(("Supervision", reverse("supervision:session-list")))
    if roles & {Role.SOCIAL_WORKER} or hasattr(request.user, "worker"):
        links.append(("My workload", reverse("supervision:my-workload")))
    links.append(("Score a month", reverse("workload:what-if")))
    if Role.ADMINISTRATOR in roles:
        links.append(("Administration", reverse("admin:index")))
    current = request.path
    return {
        "nav_links": [(label, url, current == url or (url != "/" and current.startswith(url))) for label, url in links],
        "user_roles": roles,
        "authority_name": settings.CASEWEIGHT_AUTHORITY_NAME,
    }
