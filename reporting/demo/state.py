"""The generator's shared state: what every stage reads (layout, months, today, seed) and what earlier
stages wrote for later ones (rows by simulation index, users by role).

The stages are mixins over this class (planning, organisation, sessions, cases, entries, pro-formas,
snapshots); generator._Builder combines them and generator.generate runs them in order. Each attribute
below is set by the stage named beside it and only read by the stages after it.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from supervision.models import SupervisionSession
from workload.models import Case, CaseloadPreset, SchemeVersion, Team, TeamPolicy, Worker

from .draws import add_months, weekday_on_or_before
from .people import SimTeam, SimWorker
from .simulate import CaseFactory

DEFAULT_AUTHORITY = "Northshire County Council"


def authority_name() -> str:
    """The configured authority's name, unless it is still the settings default (then the demo's own)."""
    name = getattr(settings, "CASEWEIGHT_AUTHORITY_NAME", "")
    return name if name and name != "Caseweight demo authority" else DEFAULT_AUTHORITY


class BuildState:
    """Shared state of one generate() run; see the module docstring for who sets what."""

    # set by PlanStage.plan
    teams: list[SimTeam]
    areas: list[str]
    workers: list[SimWorker]
    factory: CaseFactory
    # set by OrganisationStage
    groups: dict
    password_hash: str
    usernames: set[str]
    hos: dict
    sms: dict
    tms: dict  # team index -> team manager (user)
    team_rows: list[Team]  # by team index
    policy_rows: list[TeamPolicy]  # by team index
    user_of: dict  # worker index -> user, for workers with a login
    worker_rows: list[Worker]  # by worker index
    # set by SessionStage
    held_in_month: dict[tuple[int, date], list[SupervisionSession]]
    # set by CaseStage
    case_rows: list[Case]  # by case index
    # set by ProformaStage
    disputed_worker: SimWorker | None
    bands: dict[str, int]

    def __init__(self, *, layout, months, children, seed, today, password, batch_size, result):
        self.layout, self.n_months, self.children, self.seed = layout, months, children, seed
        self.today, self.password, self.batch, self.result = today, password, batch_size, result
        current = today.replace(day=1)
        self.months = [add_months(current, k - months + 1) for k in range(months)]
        self.now = timezone.now()
        self.authority = authority_name()
        self.domain = slugify(self.authority.split()[0]) + ".gov.uk"
        self.versions = {v.slug: v for v in SchemeVersion.objects.all()}
        self.presets = {p.code: p for p in CaseloadPreset.objects.all()}

    def _tables(self, slug: str):
        try:
            return self.versions[slug].tables()
        except KeyError as exc:
            raise RuntimeError(
                f"Scheme version {slug} is missing: run `manage.py migrate` (workload 0002 loads it)."
            ) from exc

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        moment = timezone.make_aware(datetime.combine(day, clock(hour, minute)))
        return min(moment, self.now - timedelta(minutes=5))

    def last_session_day(self) -> date:
        """The latest day a session of this month can have been held: the last weekday up to today (today
        itself while the month has had no weekday yet)."""
        day = weekday_on_or_before(self.today)
        return day if day >= self.months[-1] else self.today
