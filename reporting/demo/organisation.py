"""The organisation stage: role users, service areas, teams with their scheme and policy, workers and memberships.
"""
from __future__ import annotations

import random
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils.text import slugify

from workload.models import EmploymentType, Membership, ServiceArea, Team, TeamPolicy, TeamScheme, Worker
from workload.roles import Role

from . import names
from .catalogue import TeamTemplate
from .grades import grade_for
from .state import BuildState


def _ascii(text: str) -> str:
    return slugify(text).replace("-", "")


def _check_template_codes(template: TeamTemplate, tables, preset) -> None:
    """Fail fast (before writing thousands of rows) if a template names a code its scheme or preset lacks."""
    if template.team_type not in tables.team_types:
        raise RuntimeError(f"{template.key}: {template.team_type} is not a team type of {template.scheme}")
    if preset is None:
        raise RuntimeError(f"Caseload preset {template.preset} is missing: run `manage.py migrate`.")
    if not preset.team_type(template.preset_team_type):
        raise RuntimeError(f"{template.key}: {template.preset_team_type} is not a team type of {preset.code}")


class OrganisationStage(BuildState):
    """Writes role users, areas, teams, workers and memberships."""

    def write_organisation(self) -> None:
        """The role users (admin, SMT, heads of service, service and team managers), areas and teams."""
        rng = random.Random(self.seed + 2)
        user_model = get_user_model()
        groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
        missing = [r.value for r in Role if r.value not in groups]
        if missing:
            raise RuntimeError(f"Role groups {missing} are missing: run `manage.py migrate`.")
        self.groups = groups
        self.password_hash = make_password(self.password)  # hashed once: a thousand PBKDF2 runs would take minutes
        self.usernames: set[str] = set(user_model.objects.values_list("username", flat=True))
        people = names.FIRST_NAMES, names.SURNAMES
        staff: list[tuple] = []  # (user, role)
        admin = self._user("admin", "Alex", "Administrator", is_staff=True, is_superuser=True)
        staff.append((admin, Role.ADMINISTRATOR))
        staff.append((self._user("smt", rng.choice(people[0]), rng.choice(people[1])), Role.SMT))
        self.hos, self.sms = {}, {}
        for area in self.areas:
            slug = slugify(area)
            self.hos[area] = self._user(f"hos.{slug}", rng.choice(people[0]), rng.choice(people[1]))
            self.sms[area] = self._user(f"sm.{slug}", rng.choice(people[0]), rng.choice(people[1]))
            staff += [(self.hos[area], Role.HEAD_OF_SERVICE), (self.sms[area], Role.HEAD_OF_SERVICE)]
        self.tms = {}
        for team in self.teams:
            self.tms[team.idx] = self._user(f"tm.{team.code.lower()}", rng.choice(people[0]), rng.choice(people[1]))
            staff.append((self.tms[team.idx], Role.TEAM_MANAGER))
        users = [user for user, _ in staff]
        user_model.objects.bulk_create(users, batch_size=self.batch)
        self._groups_add((user, role) for user, role in staff)
        self._write_teams()
        self._write_team_schemes()

    def _write_teams(self) -> None:
        """Service areas led by their heads of service, and teams with their service and team managers."""
        areas = [ServiceArea(name=area, head_of_service=self.hos[area]) for area in self.areas]
        ServiceArea.objects.bulk_create(areas, batch_size=self.batch)
        area_of = {a.name: a for a in areas}
        self.team_rows = [
            Team(name=t.name, code=t.code, service_area=area_of[t.area], service_manager=self.sms[t.area])
            for t in self.teams
        ]
        Team.objects.bulk_create(self.team_rows, batch_size=self.batch)
        Team.managers.through.objects.bulk_create(
            [Team.managers.through(team_id=row.pk, user_id=self.tms[t.idx].pk)
             for t, row in zip(self.teams, self.team_rows, strict=True)],
            batch_size=self.batch,
        )

    def _write_team_schemes(self) -> None:
        """Each team's weighting scheme and caseload policy from the first month of the history."""
        for template in {t.template.key: t.template for t in self.teams}.values():
            _check_template_codes(template, self._tables(template.scheme), self.presets.get(template.preset))
        first = self.months[0]
        schemes, policies = [], []
        for team, row in zip(self.teams, self.team_rows, strict=True):
            template = team.template
            schemes.append(TeamScheme(team=row, scheme_version=self.versions[template.scheme],
                                      team_type=template.team_type, valid_from=first))
            policies.append(TeamPolicy(team=row, preset=self.presets[template.preset],
                                       team_type=template.preset_team_type, valid_from=first))
        TeamScheme.objects.bulk_create(schemes, batch_size=self.batch)
        TeamPolicy.objects.bulk_create(policies, batch_size=self.batch)
        self.policy_rows = policies  # by team index; each holds its preset, so the caseload panel needs no query

    def _user(self, base: str, first: str, last: str, **flags):
        username, n = base, 1
        while username in self.usernames:
            n += 1
            username = f"{base}{n}"
        self.usernames.add(username)
        email_local = ".".join(part for part in base.split(".")[1:] if part) or base
        return get_user_model()(
            username=username, first_name=first, last_name=last, email=f"{email_local}@{self.domain}",
            password=self.password_hash, **flags,
        )

    def _groups_add(self, pairs: Iterable[tuple]) -> None:
        through = get_user_model().groups.through
        through.objects.bulk_create(
            [through(user_id=user.pk, group_id=self.groups[role].pk) for user, role in pairs], batch_size=self.batch
        )

    def write_workers(self) -> None:
        logins = []
        for w in self.workers:
            if w.login:
                user = self._user(f"sw.{_ascii(w.first_name)}.{_ascii(w.surname)}", w.first_name, w.surname)
                user.email = f"{_ascii(w.first_name)}.{_ascii(w.surname)}@{self.domain}"
                logins.append((w, user))
        get_user_model().objects.bulk_create([u for _, u in logins], batch_size=self.batch)
        self._groups_add((user, Role.SOCIAL_WORKER) for _, user in logins)
        self.user_of = {w.idx: user for w, user in logins}
        rows = []
        for w in self.workers:
            seat = w.seats[-1]
            template = self.teams[seat.team].template
            rows.append(Worker(
                user=self.user_of.get(w.idx), first_name=w.first_name, surname=w.surname,
                email=f"{_ascii(w.first_name)}.{_ascii(w.surname)}@{self.domain}" if w.login else "",
                team=self.team_rows[seat.team], position=w.position,
                employment_type=EmploymentType.AGENCY if w.agency else EmploymentType.PERMANENT,
                wte=w.wte, case_holding=w.case_holding, grade=grade_for(w, template.scheme, self.today),
                registration_number=w.registration_number, asye_start=w.asye_start,
                asye_completed=w.asye_completed,
                student_stage=w.student_stage, is_active=True,
            ))
        Worker.objects.bulk_create(rows, batch_size=self.batch)
        self.worker_rows = rows
        supervised = []
        for w, row in zip(self.workers, rows, strict=True):
            if w.supervisor is not None:
                row.supervisor = rows[w.supervisor]
                supervised.append(row)
        Worker.objects.bulk_update(supervised, ["supervisor"], batch_size=self.batch)
        Membership.objects.bulk_create(
            [Membership(worker=rows[w.idx], team=self.team_rows[s.team], start=s.start, end=s.end)
             for w in self.workers for s in w.seats],
            batch_size=self.batch,
        )
