"""Teams, workers, cases and the reference data that weights them.

Shaped for REPORTS.md §1.1: workers are effective-dated through memberships, cases are allocated with
dates, and per-worker caseload snapshots (weekly / month-end) feed the dashboards and reports.

One module for the app's models, though over 400 lines: they are fields and constraints with no behaviour
beyond small properties (rules live in services and supervision.rules), and Django finds them here.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def first_of_month(day: date) -> date:
    return day.replace(day=1)


# --- Reference data: weighting schemes and caseload policy presets, stored as data -----------------


class Scheme(models.Model):
    """A family of weighting scheme versions that share rules (e.g. Nottinghamshire WLM)."""

    code = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    authority = models.CharField(max_length=200, blank=True)
    rules = models.CharField(max_length=40, help_text="Rule family the scoring engine applies.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


_TABLES_BY_SLUG: dict = {}


class SchemeVersionQuerySet(models.QuerySet):
    def for_slug(self, slug: str):
        return self.filter(slug=slug)


class SchemeVersion(models.Model):
    """One immutable version of a scheme's tables (SCHEMES.md), as the data the engine reads.

    Stored as data so an authority can add a version without a code change; a version that a
    countersigned entry used is never edited (services add a new one instead)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="versions")
    slug = models.SlugField(max_length=80, unique=True)
    label = models.CharField(max_length=200)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = SchemeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["scheme__name", "slug"]

    def __str__(self) -> str:
        return self.label

    def tables(self):
        """The version's SchemeTables, built once per process: a version's data never changes, so the
        slug is a safe key (building the indexes costs ~17 ms; pages and scoring call this constantly)."""
        from workload.scoring.tables import SchemeTables

        cached = _TABLES_BY_SLUG.get(self.slug)
        if cached is None or cached.slug != self.data.get("slug", self.slug):
            cached = _TABLES_BY_SLUG[self.slug] = SchemeTables.from_data(self.data)
        return cached


class CaseloadPreset(models.Model):
    """A caseload policy preset (POLICIES.md §2): count targets, maxima and bases per team type."""

    code = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=200)
    data = models.JSONField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    def team_type(self, key: str) -> dict:
        return self.data.get("team_types", {}).get(key, {})

    def team_type_choices(self) -> list[tuple[str, str]]:
        return [(key, value["label"]) for key, value in self.data.get("team_types", {}).items()]


# --- Organisation -------------------------------------------------------------------------------


class ServiceArea(models.Model):
    name = models.CharField(max_length=120, unique=True)
    head_of_service = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_areas_led",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Team(TimeStampedModel):
    """A social-work team. Its scheme version and caseload preset are effective-dated assignments."""

    name = models.CharField(max_length=120, unique=True)
    code = models.CharField(max_length=20, unique=True, help_text="Short name used in reports, e.g. DA1.")
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, related_name="teams")
    managers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="managed_teams")
    service_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["service_area__name", "name"]

    def __str__(self) -> str:
        return self.name


class TeamScheme(models.Model):
    """Which weighting scheme version (and scheme team type) a team uses from which month."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="scheme_assignments")
    scheme_version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="+")
    team_type = models.CharField(max_length=60, help_text="Team type code of the scheme (SCHEMES.md).")
    valid_from = models.DateField(help_text="First month this assignment applies to.")

    class Meta:
        ordering = ["team", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["team", "valid_from"], name="one_scheme_per_team_month"),
            models.CheckConstraint(condition=Q(valid_from__day=1), name="team_scheme_starts_on_month"),
        ]

    def __str__(self) -> str:
        return f"{self.team} uses {self.scheme_version} from {self.valid_from:%b %Y}"

    def clean(self) -> None:
        if self.scheme_version_id and self.team_type:
            tables = self.scheme_version.tables()
            if self.team_type not in tables.team_types:
                raise ValidationError(
                    {"team_type": f"'{self.team_type}' is not a team type of {self.scheme_version.slug}."}
                )


class TeamPolicy(models.Model):
    """Which caseload policy preset (and preset team type) a team follows from which month."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="policy_assignments")
    preset = models.ForeignKey(CaseloadPreset, on_delete=models.PROTECT, related_name="+")
    team_type = models.CharField(max_length=60, help_text="Team type key of the preset (POLICIES.md §2).")
    valid_from = models.DateField()
    # Per-team overrides of the preset team type's keys (POLICIES §6 "overridable per team"), e.g.
    # {"reporting_thresholds": [22, 25], "asye_limit_cases": 12}. Read through `settings()`.
    overrides = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["team", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["team", "valid_from"], name="one_policy_per_team_month"),
            models.CheckConstraint(condition=Q(valid_from__day=1), name="team_policy_starts_on_month"),
        ]

    def __str__(self) -> str:
        return f"{self.team} follows {self.preset} from {self.valid_from:%b %Y}"

    def settings(self) -> dict:
        """The preset's preset-wide keys, then its team type's keys, then this team's overrides (POLICIES §6)."""
        merged = {key: value for key, value in self.preset.data.items() if key != "team_types"}
        merged.update(self.preset.team_type(self.team_type))
        merged.update(self.overrides or {})
        return merged

    def clean(self) -> None:
        if self.preset_id and self.team_type and not self.preset.team_type(self.team_type):
            raise ValidationError({"team_type": f"'{self.team_type}' is not a team type of {self.preset.code}."})


# --- Workers --------------------------------------------------------------------------------------


class Position(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "Social worker"
    SENIOR_PRACTITIONER = "senior_practitioner", "Senior practitioner"
    ASYE = "asye", "NQSW / ASYE"
    SWA = "swa", "Social work assistant / alternatively qualified"
    TRAINEE = "trainee", "Trainee social worker"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    IRO = "iro", "Independent reviewing officer"
    CPA = "cpa", "Child protection adviser"
    STUDENT = "student", "Student on placement"
    CONSULTANT = "consultant", "Consultant social worker"
    PRACTICE_MANAGER = "practice_manager", "Practice manager"
    TEAM_MANAGER = "team_manager", "Team manager"


SHORT_POSITION = {
    Position.SOCIAL_WORKER: "SW",
    Position.SENIOR_PRACTITIONER: "SP",
    Position.ASYE: "NQSW",
    Position.SWA: "SWA",
    Position.TRAINEE: "Trainee",
    Position.PERSONAL_ADVISER: "PA",
    Position.IRO: "IRO",
    Position.CPA: "CPA",
    Position.STUDENT: "Student",
    Position.CONSULTANT: "CSW",
    Position.PRACTICE_MANAGER: "PM",
    Position.TEAM_MANAGER: "TM",
}


class EmploymentType(models.TextChoices):
    PERMANENT = "permanent", "Permanent"
    AGENCY = "agency", "Agency / locum"


class StudentStage(models.TextChoices):
    FIRST = "first", "First placement"
    FINAL = "final", "Final placement"


class WorkerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_team(self, team: Team):
        return self.filter(team=team)

    def case_holding(self):
        return self.filter(case_holding=True)


class Worker(TimeStampedModel):
    """A person who holds (or co-works) cases. The login is optional: agency staff may have none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="worker"
    )
    first_name = models.CharField(max_length=80)
    surname = models.CharField(max_length=80)
    email = models.EmailField(blank=True)
    # The worker's id in the case-management system: how an import finds the worker again (issue 13).
    source_id = models.CharField(
        "ID in the case-management system", max_length=40, unique=True, null=True, blank=True
    )
    # Current team, kept in step with Membership by workload.services (membership_move): every scoped
    # query filters on it, so it is stored rather than derived from the open membership each time.
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="workers")
    position = models.CharField(max_length=30, choices=Position.choices, default=Position.SOCIAL_WORKER)
    employment_type = models.CharField(
        max_length=20, choices=EmploymentType.choices, default=EmploymentType.PERMANENT
    )
    wte = models.DecimalField(
        "WTE",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
        help_text="Whole-time equivalent, e.g. 0.6 = 3 days a week.",
    )
    case_holding = models.BooleanField(default=True)
    grade = models.CharField(max_length=40, blank=True, help_text="Scheme grade code (Swindon, RBWM, Warrington).")
    registration_number = models.CharField("Social Work England registration", max_length=40, blank=True)
    asye_start = models.DateField("ASYE start date", null=True, blank=True)
    asye_completed = models.DateField("ASYE programme completed", null=True, blank=True)
    student_stage = models.CharField(max_length=10, choices=StudentStage.choices, blank=True)
    non_statutory = models.BooleanField(
        default=False, help_text="Holds no CIN/CP/LAC case responsibility (POLICIES POL-20)."
    )
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supervisees"
    )
    is_active = models.BooleanField(default=True)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        ordering = ["surname", "first_name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(wte__gt=0) & Q(wte__lte=1), name="worker_wte_in_range"),
            models.CheckConstraint(
                condition=Q(asye_completed__isnull=True)
                | Q(asye_start__isnull=False, asye_completed__gte=models.F("asye_start")),
                name="worker_asye_completion_after_start",
            ),
        ]
        indexes = [models.Index(fields=["team", "surname"], name="worker_team_surname")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.surname}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.surname[:1]}".upper()

    @property
    def short_position(self) -> str:
        return SHORT_POSITION.get(self.position, self.position)

    def asye_until(self) -> date | None:
        """ASYE status lasts 12 months from the start or to the completion date, whichever is later."""
        if self.asye_start is None:
            return None
        try:
            twelve = self.asye_start.replace(year=self.asye_start.year + 1)
        except ValueError:  # 29 February
            twelve = self.asye_start.replace(year=self.asye_start.year + 1, day=28)
        return max(twelve, self.asye_completed) if self.asye_completed else twelve

    def is_asye_on(self, day: date) -> bool:
        until = self.asye_until()
        return until is not None and self.asye_start <= day < until


class Membership(models.Model):
    """A worker's time in a team. Workers move teams; history stays for reports of past months."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Last day in the team; empty while current.")

    class Meta:
        ordering = ["worker", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"], condition=Q(end__isnull=True), name="one_open_membership_per_worker"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="membership_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["team", "start", "end"], name="membership_team_dates")]

    def __str__(self) -> str:
        return f"{self.worker} in {self.team} from {self.start}"

    def overlaps(self, start: date, end: date | None) -> bool:
        mine_end = self.end or date.max
        other_end = end or date.max
        return self.start <= other_end and start <= mine_end


class AbsenceType(models.TextChoices):
    ANNUAL_LEAVE = "annual_leave", "Annual leave"
    PLANNED = "planned", "Other planned leave"
    SICKNESS = "sickness", "Sickness"
    OTHER = "other", "Other"


class Absence(models.Model):
    """REPORTS.md §1.1: absences decide the population and long-absence escalation (R14)."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(max_length=20, choices=AbsenceType.choices)
    start = models.DateField()
    expected_return = models.DateField(null=True, blank=True)
    actual_return = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["worker", "-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_return__isnull=True) | Q(actual_return__gte=models.F("start")),
                name="absence_return_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker}: {self.get_kind_display()} from {self.start}"


class CapacityReduction(models.Model):
    """A temporary reduction of a worker's capacity (POLICIES R25); the score's band never changes."""

    class Reason(models.TextChoices):
        PERSONAL = "personal", "Personal issues"
        PHASED_RETURN = "phased_return", "Phased return after sickness"
        CAPABILITY = "capability", "Capability"

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="capacity_reductions")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reduction_percent = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)])
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["worker", "-start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="reduction_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.worker}: −{self.reduction_percent}% to {self.end}"


# --- Cases and allocations --------------------------------------------------------------------------


class CaseQuerySet(models.QuerySet):
    def open_on(self, day: date):
        return self.filter(Q(opened__lte=day), Q(closed__isnull=True) | Q(closed__gte=day))

    def for_team(self, team: Team):
        return self.filter(team=team)


class Case(TimeStampedModel):
    """A family group (or line) from the case-management system: the unit a pro-forma line scores."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=40, unique=True, help_text="Case-management system reference.")
    children = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    category = models.CharField(max_length=60, help_text="Category code of the team's scheme.")
    factors = models.JSONField(default=list, blank=True, help_text="Complicating factor codes.")
    opened = models.DateField()
    closed = models.DateField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(condition=Q(children__gte=1), name="case_has_children"),
            models.CheckConstraint(
                condition=Q(closed__isnull=True) | Q(closed__gte=models.F("opened")), name="case_closed_after_opened"
            ),
        ]
        indexes = [models.Index(fields=["team", "closed"], name="case_team_closed")]

    def __str__(self) -> str:
        return self.reference


class AllocationRole(models.TextChoices):
    ALLOCATED = "allocated", "Allocated worker"
    CO_WORKER = "co_worker", "Co-worker"
    AWAITING = "awaiting", "Awaiting allocation"


class AllocationQuerySet(models.QuerySet):
    def current_on(self, day: date):
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


class Allocation(models.Model):
    """A worker's responsibility for a case over dates. At most two workers hold a case at once."""

    MAX_WORKERS = 2

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="allocations")
    role = models.CharField(max_length=20, choices=AllocationRole.choices, default=AllocationRole.ALLOCATED)
    co_work_share = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
        help_text="This worker's share when co-worked, if not the scheme's default (usually ½).",
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["case", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "worker"], condition=Q(end__isnull=True), name="one_open_allocation_per_worker_case"
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="allocation_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["worker", "end"], name="allocation_worker_end")]

    def __str__(self) -> str:
        return f"{self.case} → {self.worker}"


# --- Caseload snapshots (REPORTS.md §1.1) -----------------------------------------------------------


class SnapshotKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTH_END = "month_end", "Month end"


class SnapshotSource(models.TextChoices):
    ALLOCATIONS = "allocations", "Derived from allocations"
    IMPORT = "import", "Case-management system import"
    MANUAL = "manual", "Entered by the team manager"


class CaseloadSnapshotQuerySet(models.QuerySet):
    def for_team(self, team: Team):
        return self.filter(team=team)

    def on(self, day: date):
        return self.filter(taken_on=day)


class CaseloadSnapshot(models.Model):
    """One row per worker per snapshot date: the counts every caseload measure is built from."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="snapshots")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="worker_snapshots")
    taken_on = models.DateField()
    kind = models.CharField(max_length=10, choices=SnapshotKind.choices)
    source = models.CharField(max_length=12, choices=SnapshotSource.choices, default=SnapshotSource.ALLOCATIONS)
    wte = models.DecimalField(max_digits=3, decimal_places=2)
    allocated_children = models.PositiveIntegerField(default=0)
    family_groups = models.PositiveIntegerField(default=0)
    coworked_children = models.PositiveIntegerField(default=0)
    awaiting_allocation_children = models.PositiveIntegerField(default=0)

    objects = CaseloadSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_on", "worker"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "taken_on"], name="one_snapshot_per_worker_date"),
        ]
        indexes = [
            models.Index(fields=["team", "taken_on"], name="snapshot_team_date"),
            # the latest snapshot date on or before a day: every dashboard and the home page ask it first
            models.Index(fields=["taken_on"], name="snapshot_date"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} on {self.taken_on}: {self.allocated_children} children"


class TeamSnapshot(models.Model):
    """Per team and snapshot date: unallocated children and the establishment (M15a, M16)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="snapshots")
    taken_on = models.DateField()
    kind = models.CharField(max_length=10, choices=SnapshotKind.choices)
    unallocated_children = models.PositiveIntegerField(default=0)
    establishment_fte = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    vacant_fte = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    agency_fte = models.DecimalField(max_digits=6, decimal_places=2, default=0)

    class Meta:
        ordering = ["-taken_on", "team"]
        constraints = [models.UniqueConstraint(fields=["team", "taken_on"], name="one_snapshot_per_team_date")]

    def __str__(self) -> str:
        return f"{self.team} on {self.taken_on}"


# --- Establishment (REPORTS.md §1.1 team inputs; M16) -------------------------------------------------


class EstablishmentPostQuerySet(models.QuerySet):
    def in_force_on(self, day: date):
        return self.filter(Q(start__lte=day), Q(end__isnull=True) | Q(end__gte=day))


class EstablishmentPost(models.Model):
    """A funded post in a team over dates. No holder = vacant; an agency holder = vacant but covered (M16).

    Effective-dated, so a snapshot of a past date reads the establishment as it was then."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="establishment_posts")
    label = models.CharField(max_length=80, help_text="e.g. P2, Social worker post 2.")
    fte = models.DecimalField(
        "FTE", max_digits=3, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Last day of the post; empty while funded.")
    holder = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.SET_NULL, related_name="establishment_posts",
        help_text="Empty while the post is vacant.",
    )

    objects = EstablishmentPostQuerySet.as_manager()

    class Meta:
        ordering = ["team", "label", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(fte__gt=0) & Q(fte__lte=1), name="establishment_post_fte_in_range"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="establishment_post_end_after_start"
            ),
        ]
        indexes = [models.Index(fields=["team", "start", "end"], name="establishment_team_dates")]

    def __str__(self) -> str:
        return f"{self.team} {self.label} ({self.fte} FTE)"
# --- Changes to a team's caseload policy or weighting scheme, approved by the head of service ---------


class PolicyChangeKind(models.TextChoices):
    POLICY = "policy", "Caseload policy"
    SCHEME = "scheme", "Weighting scheme"


class PolicyChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class PolicyChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=PolicyChangeStatus.PENDING)

    def open_on(self, day: date):
        """Pending and still in time: the effective month has not begun (POLICIES R26: before the date)."""
        return self.pending().filter(effective_from__gt=day)

    def expired_on(self, day: date):
        return self.pending().filter(effective_from__lte=day)

    def for_team(self, team: Team):
        return self.filter(team=team)


class PolicyChange(models.Model):
    """A proposed change to a team's caseload policy (preset, team type, per-team figures) or weighting scheme
    version, from a month on (POLICIES R26: approval by the head of service, effective-dated, never retroactive).

    The row is also the change's audit record: who proposed it and when, who decided and when, the comment,
    and the setting it replaced (`before`, taken when decided) beside the one it asked for. A decided row is
    never edited. Expiry is not stored: a pending change whose month has begun is expired (`expired_on`)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="policy_changes")
    kind = models.CharField(max_length=10, choices=PolicyChangeKind.choices)
    effective_from = models.DateField(help_text="First month the change applies to.")
    # kind = policy
    preset = models.ForeignKey(CaseloadPreset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    preset_team_type = models.CharField(max_length=60, blank=True)
    overrides = models.JSONField(default=dict, blank=True)
    # kind = scheme
    scheme_version = models.ForeignKey(
        SchemeVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheme_team_type = models.CharField(max_length=60, blank=True)
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=PolicyChangeStatus.choices, default=PolicyChangeStatus.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(max_length=2000, blank=True)
    before = models.JSONField(default=dict, blank=True, help_text="The setting in force for the month when decided.")

    objects = PolicyChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(effective_from__day=1), name="policy_change_starts_on_month"),
            models.CheckConstraint(
                condition=(Q(kind="policy", preset__isnull=False, scheme_version__isnull=True)
                           | Q(kind="scheme", scheme_version__isnull=False, preset__isnull=True)),
                name="policy_change_names_what_it_changes",
            ),
            models.CheckConstraint(
                condition=(Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                           | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False))),
                name="policy_change_decided_with_who_and_when",
            ),
        ]
        indexes = [models.Index(fields=["team", "status", "effective_from"], name="policy_change_team_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} change for {self.team} from {self.effective_from:%b %Y}"

    def is_expired(self, day: date) -> bool:
        return self.status == PolicyChangeStatus.PENDING and self.effective_from <= day
