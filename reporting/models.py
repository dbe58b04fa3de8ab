"""Reports and their runs (one per kind, period and team, so a retried task never builds or sends twice), the
quarterly return workflow, distribution lists; the dashboard inputs and escalations (issue 11)."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from workload.models import Team


class ReportKind(models.TextChoices):
    QUARTERLY_RETURN = "quarterly_return", "Quarterly team return"
    AUTHORITY_PACK = "authority_pack", "Quarterly authority pack"
    COMMITTEE = "committee", "Quarterly committee report"
    SMT_WEEKLY = "smt_weekly", "Weekly SMT caseload report"
    SMT_MONTHLY = "smt_monthly", "Monthly SMT caseload report"


class ReportRun(models.Model):
    """One build of one report for one period and scope. Unique per (kind, period, team), so a retried or
    repeated task finds the run instead of building and emailing again (`emailed_at` is set once)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    period_key = models.CharField(max_length=10, help_text="e.g. 2025-Q3, 2025-W41 or 2025-11 (reporting/periods.py).")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="report_runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done while running.")
    error = models.TextField(blank=True, help_text="Why the last attempt failed, in words.")
    attempts = models.PositiveSmallIntegerField(default=0)
    pdf = models.FileField(upload_to="reports/", blank=True)
    csv = models.FileField(upload_to="reports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_key", "team"], name="one_run_per_kind_period_team"),
            models.UniqueConstraint(
                fields=["kind", "period_key"], condition=models.Q(team__isnull=True), name="one_authority_run_per_period"
            ),
        ]

    def __str__(self) -> str:
        scope = self.team.code if self.team_id else "authority"
        return f"{self.get_kind_display()} {self.period_key} ({scope})"


class ReportDelivery(models.Model):
    """One email of one run to one list: what was sent, to whom, when. A run is emailed at most once per list."""

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="deliveries")
    recipients = models.JSONField(default=list, help_text="The addresses the email went to.")
    subject = models.CharField(max_length=200)
    late = models.BooleanField(default=False, help_text="A return approved after its authority pack had gone.")
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.run} to {len(self.recipients)} recipients at {self.sent_at:%Y-%m-%d %H:%M}"


class DistributionList(models.Model):
    """Who receives a kind of report: per report kind and, where it applies, per service area (REPORTS (c), (d))."""

    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    service_area = models.ForeignKey(
        "workload.ServiceArea", null=True, blank=True, on_delete=models.PROTECT, related_name="distribution_lists"
    )
    name = models.CharField(max_length=120)
    addresses = models.JSONField(default=list, blank=True, help_text="Email addresses, one per item.")
    users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="distribution_lists")

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "service_area"], name="one_list_per_kind_area"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(service_area__isnull=True), name="one_authority_list_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class QuarterlyReturn(models.Model):
    """A team's quarterly return (REPORTS (c), POLICIES R19): the team pro-forma of the quarter's reporting
    month (its fields live on supervision.TeamMonth) plus the quarter block, completed by the team manager,
    checked and approved by the service manager. Approval locks it and dispatches it, once."""

    class State(models.TextChoices):
        DRAFT = "draft", "Being completed by the team manager"
        SUBMITTED = "submitted", "With the service manager"
        RETURNED = "returned", "Returned to the team manager"
        APPROVED = "approved", "Approved and sent"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="quarterly_returns")
    quarter = models.CharField(max_length=7, help_text="Calendar quarter key, e.g. 2025-Q1.")
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    completed_on = models.DateField(null=True, blank=True, help_text="Date of completion (the quarter block's last column).")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(max_length=4000, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    last_escalated_on = models.DateField(null=True, blank=True)
    run = models.OneToOneField(
        ReportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="quarterly_return"
    )
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-quarter", "team"]
        constraints = [models.UniqueConstraint(fields=["team", "quarter"], name="one_return_per_team_quarter")]

    def __str__(self) -> str:
        return f"{self.team} {self.quarter} ({self.get_state_display()})"


class CommitteeNarrative(models.Model):
    """The committee report's narrative for one quarter, authority-wide (REPORTS (c) "Quarterly committee report",
    S002 §1–3): written by a head of service (or an administrator) before the report is issued. Without it the
    report is only a draft. Every save is an AuditEvent (reporting/committee_services.py)."""

    quarter = models.CharField(max_length=7, unique=True, help_text="Calendar quarter key, e.g. 2025-Q1.")
    background = models.TextField(max_length=8000)
    main_issues = models.TextField(max_length=8000)
    future_plans = models.TextField(max_length=8000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               help_text="Who saved it last.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-quarter"]

    def __str__(self) -> str:
        return f"Committee narrative {self.quarter}"


# --- Dashboard inputs and escalations (issue 11). The measures module (reporting/measures/) reads them; ----
# --- reporting/escalations.py writes Escalation rows from the snapshots. See docs/dashboards.md. ---------


class MeasureCode(models.TextChoices):
    """The measures of REPORTS.md (e). Labels are what people read; codes stay in exports and URLs only."""

    M01 = "M01", "Average caseload"
    M02 = "M02", "Variance from target"
    M03 = "M03", "Caseload range"
    M04 = "M04", "Workers with more than N cases"
    M05 = "M05", "ASYEs with more than N cases"
    M06 = "M06", "ASYEs with more than N cases (%)"
    M07 = "M07", "ASYE caseload"
    M08 = "M08", "Care-leaver average caseload"
    M09 = "M09", "Care-leaver workers with more than N cases"
    M10 = "M10", "Worker supervision held in the month"
    M11 = "M11", "Case supervision in the month"
    M12 = "M12", "Initial child protection conferences within 15 working days"
    M13 = "M13", "Child protection visits in timescale"
    M14 = "M14", "Looked-after children visits in timescale"
    M15 = "M15", "Unallocated cases"
    M16 = "M16", "Vacancies"
    M17 = "M17", "Managers holding cases"
    M18 = "M18", "Open escalations"
    M19 = "M19", "Pro-formas countersigned"
    M20 = "M20", "Workload band distribution"
    M21 = "M21", "Month-by-month trend"
    M22 = "M22", "Manager workload"


IMPORTED_MEASURES = (MeasureCode.M11, MeasureCode.M12, MeasureCode.M13, MeasureCode.M14)


class ImportedAggregate(models.Model):
    """Numerator and denominator per team per month for the child-level measures M11–M14 (REP-14), entered by
    a performance officer or imported. The percentage is computed, never stored."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="imported_aggregates")
    month = models.DateField(help_text="First day of the month.")
    measure = models.CharField(max_length=3, choices=[(m.value, m.label) for m in IMPORTED_MEASURES])
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "team", "measure"]
        constraints = [
            models.UniqueConstraint(fields=["team", "month", "measure"], name="one_aggregate_per_team_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="aggregate_month_first_day"),
            models.CheckConstraint(condition=Q(numerator__lte=F("denominator")), name="aggregate_numerator_le_denominator"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%b %Y} {self.get_measure_display()}: {self.numerator}/{self.denominator}"


class TrendRow(models.Model):
    """One configured row of the month-by-month trend table (M21): measure, scope, threshold, target, label."""

    class ScopeKind(models.TextChoices):
        AUTHORITY = "authority", "Authority"
        SERVICE_AREA = "service_area", "Service area"
        TEAM_TYPE = "team_type", "Team type"
        TEAM = "team", "Team"

    position = models.PositiveSmallIntegerField(default=0)
    measure = models.CharField(max_length=3, choices=MeasureCode.choices)
    label = models.CharField(max_length=200)
    scope_kind = models.CharField(max_length=20, choices=ScopeKind.choices, default=ScopeKind.AUTHORITY)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    service_area = models.ForeignKey(
        "workload.ServiceArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team_type = models.CharField(max_length=60, blank=True, help_text="Preset team type key (team_type scope).")
    asye_only = models.BooleanField(default=False)
    threshold = models.PositiveSmallIntegerField(null=True, blank=True, help_text="N for 'more than N' rows.")
    target = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    start_month = models.DateField(null=True, blank=True, help_text="Months before it are blank (not started).")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label


class MeasureAnalysis(models.Model):
    """A performance officer's or head of service's analysis of one trend row for one month (REP-29)."""

    trend_row = models.ForeignKey(TrendRow, on_delete=models.CASCADE, related_name="analyses")
    month = models.DateField()
    text = models.TextField(max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["trend_row", "-month", "-created_at"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="analysis_month_first_day")]

    def __str__(self) -> str:
        return f"{self.trend_row} {self.month:%b %Y}"


class CpaConferenceCount(models.Model):
    """Child protection conferences chaired by a CPA in one ISO week (POLICIES R28)."""

    worker = models.ForeignKey("workload.Worker", on_delete=models.CASCADE, related_name="conference_counts")
    week_start = models.DateField(help_text="Monday of the ISO week.")
    conferences = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["worker", "-week_start"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "week_start"], name="one_conference_count_per_week"),
            models.CheckConstraint(condition=Q(week_start__week_day=2), name="conference_week_starts_monday"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} w/c {self.week_start}: {self.conferences}"


class EscalationKind(models.TextChoices):
    """The POLICIES §3 rules the snapshots can check. M18 counts HOS_AGREEMENT (a) and SUSTAINED (b)."""

    MANAGER_HOLDING_CASES = "manager_holding_cases", "Manager holding cases"
    HOS_AGREEMENT = "hos_agreement", "Over the head of service agreement threshold"
    SUSTAINED = "sustained", "Over the maximum for longer than the escalation period"
    LONG_ABSENCE = "long_absence", "Long absence while holding cases"
    TEAM_ABOVE_TARGET = "team_above_target", "Team average above target"


class EscalationState(models.TextChoices):
    OPEN = "open", "Waiting for action"
    AGREED = "agreed", "Agreed by the head of service"
    REFUSED = "refused", "Refused by the head of service"
    ACTION_RECORDED = "action_recorded", "Action recorded"
    CLOSED = "closed", "Closed"


class EscalationQuerySet(models.QuerySet):
    def open_on(self, day):
        """Opened on or before the day and not closed by it."""
        return self.filter(opened_on__lte=day).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))


class Escalation(models.Model):
    """One episode of one rule for one worker (or team): opened by the daily evaluation, acted on by people,
    closed when the condition ends. `first_over_on` keys the episode so evaluating twice changes nothing."""

    kind = models.CharField(max_length=30, choices=EscalationKind.choices)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="escalations")
    worker = models.ForeignKey(
        "workload.Worker", null=True, blank=True, on_delete=models.PROTECT, related_name="escalations"
    )
    first_over_on = models.DateField(help_text="First snapshot of the episode.")
    opened_on = models.DateField(help_text="Snapshot date on which the rule fired.")
    due_on = models.DateField(null=True, blank=True, help_text="Date the required action is due.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_escalations"
    )
    state = models.CharField(max_length=20, choices=EscalationState.choices, default=EscalationState.OPEN)
    cases = models.PositiveIntegerField(default=0, help_text="Children held at the latest evaluation.")
    threshold = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    agreed_until = models.DateField(null=True, blank=True)
    action_plan = models.TextField(max_length=4000, blank=True)
    review_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EscalationQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "team", "worker", "first_over_on"], name="one_escalation_per_episode"
            ),
        ]
        indexes = [models.Index(fields=["team", "opened_on"], name="escalation_team_opened")]

    def __str__(self) -> str:
        who = self.worker or self.team
        return f"{self.get_kind_display()}: {who} from {self.first_over_on}"


class EscalationEvent(models.Model):
    """The history of an escalation: opened, updated, agreed, refused, action recorded, closed, emailed."""

    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.escalation} {self.action} at {self.at:%Y-%m-%d %H:%M}"


# --- Imports in the app (issue 13): upload -> mapping -> preview -> confirm. The formats, the reading, the ---
# --- plan and the atomic apply are reporting/imports/; these record each import and the saved mappings. ----


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    NEEDS_MAPPING = "needs_mapping", "Columns to match"
    PLANNING = "planning", "Checking the files"
    READY = "ready", "Ready to apply"
    INVALID = "invalid", "Errors to fix"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"


RUNNING_IMPORT_STATES = (ImportState.PLANNING, ImportState.APPLYING)


class ImportBatch(models.Model):
    """One import: the files someone uploaded together, what checking them found, and what applying them did.

    Kept for good, applied or not: who imported what, when, from which exact files (checksums), is evidence.
    `counts` is per file kind {"created", "changed", "closed", "unchanged"}; `errors` the per-row errors of the
    last check, each {"file", "row", "column", "message"}. Nothing reaches the case records before `applied_at`."""

    source = models.CharField(max_length=60, blank=True,
                              help_text="Where the files came from, e.g. Mosaic; saved column matches are per source.")
    state = models.CharField(max_length=20, choices=ImportState.choices, default=ImportState.UPLOADED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done while checking or applying.")
    rows = models.PositiveIntegerField(default=0, help_text="Data rows across the files.")
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    notices = models.JSONField(default=list, blank=True, help_text="Not errors: e.g. columns we do not read, ignored.")
    failure = models.TextField(blank=True, help_text="Why checking or applying stopped, in words.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "import batches"
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(applied_at__isnull=True) | Q(state="applied"), name="import_applied_only_when_applied"
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in RUNNING_IMPORT_STATES


class ImportFile(models.Model):
    """One uploaded file of a batch, stored as received, with its checksum; `mapping` is their header -> our
    column, as matched on the mapping step (empty when the headers were ours already)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255, help_text="The file's name as uploaded.")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    size = models.PositiveBigIntegerField(help_text="Bytes.")
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=40, blank=True, help_text="Which of the import formats it is.")
    headers = models.JSONField(default=list, blank=True, help_text="The header row as the file has it.")
    mapping = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["batch", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"


class ColumnMapping(models.Model):
    """A saved match of another system's headers to ours, per source and file kind (their header -> our
    column), offered again the next time files from that source are uploaded."""

    source = models.CharField(max_length=60)
    kind = models.CharField(max_length=40)
    mapping = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind"], name="one_column_mapping_per_source_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.kind}"
