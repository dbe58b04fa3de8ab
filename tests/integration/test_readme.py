"""README.md tells the truth about the demo: every login in its "Demo logins" table exists after seed_demo,
with the role the table gives and the password it gives, and the authority it names is the one the pages show.

The test reads the README, so a changed table is checked as it stands. seed_demo runs once for the module
inside a transaction that is rolled back at the end (as in test_seed.py).
"""
from __future__ import annotations

import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from workload.models import Position, ServiceArea, Team, TeamScheme, Worker
from workload.roles import Role

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text under a "## title" heading, up to the next "## " heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", README, flags=re.M | re.S)
    assert match, f'README.md has no "## {title}" section'
    return match.group(1)


DEMO = section("Demo logins")


def table_rows(text: str) -> list[list[str]]:
    """The cells of a Markdown table's body rows (header and rule dropped)."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("|")]
    return [row for row in rows[1:] if not set("".join(row)) <= set("-: ")]


def logins() -> dict[str, str]:
    """username -> the role the table gives, for every backticked name in the table's first column."""
    found = {}
    for first, role, *_ in table_rows(DEMO):
        for username in re.findall(r"`([^`]+)`", first):
            found[username] = role
    return found


def notes() -> dict[str, str]:
    """username -> the note in brackets after it in the first column, e.g. "DA1", "student", "moved CP1 → DA1"."""
    return {name: note for first, *_ in table_rows(DEMO) for name, note in re.findall(r"`([^`]+)`\s*\(([^)]+)\)", first)}


def note_holds(worker: Worker | None, note: str) -> bool:
    """Whether a worker is what the README's bracketed note says; notes of another form are not checked."""
    if worker is None:
        return False
    if re.fullmatch(r"[A-Z]+\d+", note):
        return worker.team.code == note
    if note == "student":
        return worker.position == Position.STUDENT
    if moved := re.fullmatch(r"moved (\w+) → (\w+)", note):
        history = [m.team.code for m in worker.memberships.select_related("team").order_by("start")]
        return history[-2:] == list(moved.groups())
    return True


def found(pattern: str) -> str | None:
    """The first group of a pattern in the section, whitespace-tolerant (the paragraph may be re-wrapped)."""
    match = re.search(pattern, DEMO)
    return match.group(1) if match else None


LOGINS = logins()
NOTES = notes()
PASSWORD = found(r"password\s+is\s+\*\*`([^`]+)`\*\*")
AUTHORITY = found(r"loads\s+\*([^*]+)\*")


def holds_role(user, role: str) -> bool:
    """Whether the user holds what the README's role words say (group membership, superuser, the post)."""
    groups = set(user.groups.values_list("name", flat=True))
    if role.startswith("administrator"):
        return user.is_superuser
    if role.startswith("senior management"):
        return Role.SMT in groups
    if role.startswith("head of service"):
        return Role.HEAD_OF_SERVICE in groups and ServiceArea.objects.filter(head_of_service=user).exists()
    if role.startswith("service manager"):  # a head-of-service login that is the service manager of teams
        return Role.HEAD_OF_SERVICE in groups and Team.objects.filter(service_manager=user).exists()
    if role.startswith("team manager"):
        return Role.TEAM_MANAGER in groups and Team.objects.filter(managers=user).exists()
    if role.startswith("social worker"):
        return Role.SOCIAL_WORKER in groups and Worker.objects.filter(user=user).exists()
    raise AssertionError(f"README.md names a role this test does not know: {role!r}")




def test_the_readme_table_is_read():
    """A guard on the parser: a table it cannot read would let the checks below pass on nothing."""
    rows = table_rows(DEMO)
    assert [row[0] for row in rows if "`" not in row[0]] == []  # every row names at least one login
    assert len(LOGINS) >= len(rows) >= 5
    assert (PASSWORD, AUTHORITY) == ("caseweight-demo", "Northshire County Council")


def test_every_login_in_the_readme_exists_with_its_role(demo):
    users = {u.username: u for u in get_user_model().objects.filter(username__in=LOGINS, is_active=True)}

    assert sorted(set(LOGINS) - set(users)) == []  # listed but not created
    assert [(name, role) for name, role in LOGINS.items() if not holds_role(users[name], role)] == []


def test_the_workers_are_what_the_readme_notes_say(demo):
    workers = {w.user.username: w for w in Worker.objects.filter(user__username__in=NOTES).select_related("user", "team")}

    assert [(name, note) for name, note in NOTES.items() if not note_holds(workers.get(name), note)] == []


def test_the_readme_password_works_for_every_listed_login(demo):
    stored = dict(get_user_model().objects.filter(username__in=LOGINS).values_list("username", "password"))

    assert sorted(stored) == sorted(LOGINS)
    # One check per distinct hash (the seeder hashes once; PBKDF2 takes a good fraction of a second a time).
    assert [encoded for encoded in set(stored.values()) if not check_password(PASSWORD, encoded)] == []


def test_the_readme_describes_the_demo_authority(demo):
    match = re.search(r"(\d+)\s+service\s+areas,\s+(\d+)\s+teams\s+on\s+(\w+)\s+weighting\s+schemes", DEMO)
    assert match, "README.md no longer says how many service areas, teams and schemes the demo has"
    areas, teams, schemes = match.groups()
    words = {"three": 3, "four": 4, "five": 5}

    assert (ServiceArea.objects.count(), Team.objects.count()) == (int(areas), int(teams))
    assert TeamScheme.objects.values("scheme_version__slug").distinct().count() == words[schemes]
    assert 40 <= Worker.objects.count() <= 50  # "about 45 workers"


def test_the_pages_name_the_authority_the_readme_names(demo, client):
    assert f"Seeding {AUTHORITY}:" in demo

    login_page = client.get(reverse("login"))
    assert f"Workload weighting for {AUTHORITY}." in login_page.content.decode()

    response = client.post(reverse("login"), {"username": "admin", "password": PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert f"Caseweight · {AUTHORITY} · Records here are evidence" in response.content.decode()
