"""Write a generated authority to the database: organisation, people, cases, pro-formas, snapshots.

One generator for both commands: `seed_demo` passes the hand-written demo layout, `seed_large` a generated
one of any size. The history is decided in memory first (reporting/demo/simulate.py, one seeded
random.Random, so the same seed and day give the same data), then written with bulk_create inside one
transaction: no per-row queries, which keeps a 36-month, 1,200-worker authority within minutes on SQLite.

The demo obeys the app's own rules, by calling them rather than copying them:
- every pro-forma is scored by supervision.entry_store.score_into on exactly the lines stored with it;
- the policy reasons a submitted month needs are decided by supervision.rules (caseload_panel,
  policy_triggers) and checked with required_reason_errors, as entry_submit checks them;
- supervision sessions record next_due = supervision.rules.supervision_next_due and follow that cadence;
  each month's pro-forma is dated by, and linked to, that month's latest held supervision;
- no pro-forma for supervision.rules.NO_PROFORMA_POSITIONS; ASYE status is Worker.is_asye_on throughout;
- content hashes are supervision.hashing.content_hash over the rows as saved, read back.
It spans every app, so it lives in reporting, the app allowed to import both supervision and workload.

This module is the orchestrator; each stage lives in a module named for what it writes (planning,
organisation, sessions, cases, entries and proformas, snapshots), all sharing state.BuildState. The login
table is logins.py.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from supervision.models import (
    AuditEvent,
    Countersignature,
    Dispute,
    EntryLine,
    ProformaEntry,
    SupervisionSession,
)
from workload.models import (
    Allocation,
    Case,
    CaseloadSnapshot,
    Membership,
    ServiceArea,
    Team,
    TeamPolicy,
    TeamScheme,
    TeamSnapshot,
    Worker,
)
from workload.roles import Role

from .cases import CaseStage
from .catalogue import DEMO_LAYOUT, Layout
from .dashboard_inputs import DashboardInputStage
from .logins import DEMO_PASSWORD
from .organisation import OrganisationStage
from .people import generated_layout
from .planning import PlanStage
from .proformas import ProformaStage
from .sessions import SessionStage
from .snapshots import SnapshotStage

BATCH_SIZE = 2000


# --- results ------------------------------------------------------------------------------------------


@dataclass
class Result:
    phases: list[tuple[str, float]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    children: int = 0
    bands: dict[str, int] = field(default_factory=dict)


class Timer:
    def __init__(self, result: Result, say: Callable[[str], None]):
        self.result, self.say = result, say
        self.started = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.result.phases.append((phase, now - self.started))
        self.say(f"  {phase:<28} {now - self.started:7.1f} s")
        self.started = now


# --- the generator ------------------------------------------------------------------------------------


def demo_layout() -> Layout:
    return DEMO_LAYOUT


def large_layout(*, teams: int, workers: int, seed: int) -> Layout:
    return generated_layout(random.Random(seed + 7), teams=teams, workers=workers, movers=max(1, workers // 50))


def generated_data_exists() -> bool:
    return Team.objects.exists() or Worker.objects.exists()


def generate(*, layout: Layout, months: int = 12, children: int | None = None, seed: int = 2025,
             today: date | None = None, password: str = DEMO_PASSWORD, batch_size: int = BATCH_SIZE,
             say: Callable[[str], None] = lambda text: None) -> Result:
    """Generate and write a whole authority. `children`: total children over all cases, or None to size
    caseloads from each team's targets alone."""
    result = Result()
    timer = Timer(result, say)
    today = today or timezone.localdate()
    builder = _Builder(layout=layout, months=months, children=children, seed=seed, today=today,
                       password=password, batch_size=batch_size, result=result)
    builder.plan()
    timer.lap("plan (in memory)")
    with transaction.atomic():
        builder.write_organisation()
        timer.lap("organisation and users")
        builder.write_workers()
        timer.lap("workers and memberships")
        builder.write_sessions()
        timer.lap("supervision sessions")
        builder.write_cases()
        timer.lap("cases and allocations")
        builder.write_proformas()
        timer.lap("pro-formas")
        builder.write_snapshots()
        timer.lap("caseload snapshots")
        builder.write_dashboard_inputs()
        timer.lap("dashboard inputs")
    result.counts = row_counts()
    return result


def row_counts() -> dict[str, int]:
    user_model = get_user_model()
    models = (
        ServiceArea, Team, user_model, Worker, Membership, Case, Allocation, SupervisionSession, ProformaEntry,
        EntryLine, Countersignature, Dispute, AuditEvent, CaseloadSnapshot, TeamSnapshot,
    )
    return {model.__name__: model.objects.count() for model in models}


class _Builder(PlanStage, OrganisationStage, SessionStage, CaseStage, ProformaStage, SnapshotStage,
               DashboardInputStage):
    """The stages over one shared state (state.BuildState), run in order by generate."""


# --- wiping -------------------------------------------------------------------------------------------

# Children before parents. Reference data (schemes, presets, groups) stays.
_WIPE_ORDER = (
    AuditEvent, Countersignature, Dispute, "supervision.WorkloadConcern", "supervision.TeamMonth", EntryLine,
    ProformaEntry, SupervisionSession, CaseloadSnapshot, TeamSnapshot, Allocation, Case, "workload.Absence",
    "workload.CapacityReduction", Membership, Worker, TeamPolicy, TeamScheme, Team.managers.through, Team, ServiceArea,
)


def wipe() -> None:
    """Delete all organisation, people, case and pro-forma data, and the users who hold a role.

    Raw DELETEs child-first: the ORM's collector would load every row of a large authority first."""
    from django.apps import apps

    models = [apps.get_model(m) if isinstance(m, str) else m for m in _WIPE_ORDER]
    wiped = set(models)
    with transaction.atomic():
        # Rows of other apps that point at what goes (e.g. report runs per team) go first, via the ORM.
        for model in apps.get_models(include_auto_created=True):
            if model in wiped or model._meta.app_label in ("auth", "contenttypes", "admin", "sessions"):
                continue
            if any(f.concrete and f.is_relation and f.related_model in wiped for f in model._meta.get_fields()):
                model.objects.all().delete()
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        role_users = get_user_model().objects.filter(groups__name__in=[r.value for r in Role])
        get_user_model().objects.filter(pk__in=list(role_users.values_list("pk", flat=True))).delete()
