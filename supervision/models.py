"""Monthly pro-formas, their lines, supervision sessions, signatures, disputes and the audit trail.

A pro-forma entry is evidence: once countersigned it never changes. A correction is a new revision
(the old one stays, marked superseded) that needs signing again. Totals are stored, not recomputed,
so re-weighting a scheme never moves a month that was already agreed.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from workload.models import Case, Position, SchemeVersion, Team, TimeStampedModel, Worker


class EntryStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting countersignature"
    COUNTERSIGNED = "countersigned", "Countersigned"
    DISPUTED = "disputed", "Disputed"


class ProformaEntryQuerySet(models.QuerySet):
    def for_team(self, team: Team):
        return self.filter(team=team)

    def in_month(self, month):
        return self.filter(month=month)

    def current(self):
        return self.filter(is_current=True)

    def submitted(self):
        return self.filter(status=EntryStatus.SUBMITTED)

    def countersigned(self):
        return self.filter(status=EntryStatus.COUNTERSIGNED)


class ProformaEntry(TimeStampedModel):
    """A worker's monthly workload pro-forma (REPORTS.md (a)), one current revision per worker-month."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="entries")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="entries")
    month = models.DateField(help_text="First day of the reporting month.")
    revision = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    revision_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    lock_version = models.PositiveIntegerField(default=0, help_text="Optimistic lock: bumped on every save.")

    # Worker details as they stood this month (field 1), so later changes to the worker don't move it.
    scheme_version = models.ForeignKey(SchemeVersion, on_delete=models.PROTECT, related_name="entries")
    team_type = models.CharField(max_length=60)
    position = models.CharField(max_length=30, choices=Position.choices)
    is_agency = models.BooleanField(default=False)
    wte = models.DecimalField(
        "WTE", max_digits=3, decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1.00"))],
    )
    grade = models.CharField(max_length=40, blank=True)

    # Field 2.
    date_of_score = models.DateField(null=True, blank=True)
    session = models.ForeignKey(
        "SupervisionSession", null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )

    # Field 3: personal capacity.
    personal = models.JSONField(default=list, blank=True)
    extra_duty_hours = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    extra_duty_explanation = models.TextField(blank=True)
    extras = models.JSONField(default=list, blank=True)

    # Field 5: stored score.
    case_points = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    personal_points = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    extra_points = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    total_points = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    band_thresholds = models.JSONField(default=dict, blank=True)
    workload_weight = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)
    case_count = models.PositiveIntegerField(null=True, blank=True)
    case_band = models.CharField(max_length=40, blank=True)
    children_count = models.PositiveIntegerField(default=0)
    family_groups = models.PositiveIntegerField(default=0)

    # Fields 7-9: comments.
    workload_manageable = models.BooleanField(null=True, blank=True)
    workload_comment = models.TextField(blank=True)
    workload_context = models.TextField(blank=True)
    workload_action = models.TextField(blank=True)
    deviation_reason = models.TextField(blank=True)
    # Field 8, POLICIES R03: allocating while over the maximum needs a reason, a time limit and a review date.
    over_max_reason = models.TextField(blank=True)
    over_max_until = models.DateField(null=True, blank=True)
    over_max_review_on = models.DateField(null=True, blank=True)
    demanding_until = models.DateField(null=True, blank=True)
    high_priorities = models.TextField(blank=True)
    over_capacity_reason = models.TextField(blank=True)
    # POLICIES R23: over capacity in two consecutive months needs the remedial action recorded.
    remedial_action = models.TextField(blank=True)
    worker_comment = models.TextField(blank=True)
    completed_in_absence = models.BooleanField(default=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    content_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the content submitted.")
    # Which declared field list the hash covers (supervision.fields): old signatures keep verifying.
    hash_version = models.PositiveSmallIntegerField(default=2)

    objects = ProformaEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "worker__surname", "worker__pk"]
        verbose_name_plural = "pro-forma entries"
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "month"], condition=Q(is_current=True), name="one_current_entry_per_worker_month"
            ),
            models.UniqueConstraint(fields=["worker", "month", "revision"], name="unique_entry_revision"),
            models.CheckConstraint(condition=Q(month__day=1), name="entry_month_is_first_of_month"),
            models.CheckConstraint(condition=Q(wte__gt=0) & Q(wte__lte=1), name="entry_wte_in_range"),
            models.CheckConstraint(condition=Q(extra_duty_hours__gte=0), name="entry_extra_hours_not_negative"),
        ]
        indexes = [
            models.Index(fields=["team", "month", "is_current"], name="entry_team_month"),
            models.Index(fields=["status", "submitted_at"], name="entry_status_submitted"),
        ]

    def __str__(self) -> str:
        suffix = f" (revision {self.revision})" if self.revision > 1 else ""
        return f"{self.worker} — {self.month:%B %Y}{suffix}"

    @property
    def is_editable(self) -> bool:
        return self.is_current and self.status in (EntryStatus.DRAFT, EntryStatus.DISPUTED)

    @property
    def month_label(self) -> str:
        return f"{self.month:%b-%y}"


class EntryLine(models.Model):
    """One case line of a pro-forma (field 4): what was scored, as it stood that month."""

    entry = models.ForeignKey(ProformaEntry, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reference = models.CharField(max_length=40, help_text="Family / line reference, not full names.")
    children = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    category = models.CharField(max_length=60)
    factors = models.JSONField(default=list, blank=True)
    co_worked = models.BooleanField(default=False)
    co_work_share = models.DecimalField(
        max_digits=4, decimal_places=3, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("1"))],
    )
    not_allocated = models.BooleanField(
        default=False, help_text="Work on a case the worker is not allocated to: scored, not counted (REP-24)."
    )
    points = models.DecimalField(max_digits=9, decimal_places=3, null=True, blank=True)

    class Meta:
        ordering = ["entry", "position", "pk"]
        constraints = [models.CheckConstraint(condition=Q(children__gte=1), name="line_has_children")]

    def __str__(self) -> str:
        return f"{self.reference} ({self.children})"


class SessionKind(models.TextChoices):
    WORKER = "worker", "Worker supervision"
    CASE = "case", "Case supervision"


class SupervisionSession(TimeStampedModel):
    """A supervision meeting (held or not), the evidence for M10 and the next due date."""

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="sessions")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    held = models.BooleanField(default=True)
    kind = models.CharField(max_length=10, choices=SessionKind.choices, default=SessionKind.WORKER)
    attendees = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    next_due = models.DateField(null=True, blank=True)
    # Recorded by saving a pro-forma with this date of score (not on the sessions page): it moves with a
    # corrected date instead of leaving a stray meeting behind.
    recorded_with_proforma = models.BooleanField(default=False)

    class Meta:
        ordering = ["-held_on", "worker"]
        indexes = [models.Index(fields=["worker", "held_on"], name="session_worker_date")]

    def __str__(self) -> str:
        return f"{self.worker} — {self.held_on:%d %b %Y}"


class Countersignature(models.Model):
    """The worker's signature: typed name, time and the hash of exactly what they signed."""

    entry = models.OneToOneField(ProformaEntry, on_delete=models.PROTECT, related_name="countersignature")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)
    hash_version = models.PositiveSmallIntegerField(default=2)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.typed_name} signed {self.entry} at {self.signed_at:%Y-%m-%d %H:%M}"


class Dispute(models.Model):
    entry = models.ForeignKey(ProformaEntry, on_delete=models.PROTECT, related_name="disputes")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    raised_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Dispute of {self.entry} at {self.raised_at:%Y-%m-%d %H:%M}"


CONCERN_RESPONSE_MAX_LENGTH = 4000  # a reply, not a report; the worker reads it on one page


class WorkloadConcern(TimeStampedModel):
    """A worker's caseload concern to their line manager and head of service (POLICIES R09)."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an answer"
        RESPONDED = "responded", "Answered"
        CLOSED = "closed", "Closed"

    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True, validators=[MaxLengthValidator(CONCERN_RESPONSE_MAX_LENGTH)])
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # When the overdue concern was sent to the head of service: set once, so the daily task escalates once.
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # the worker is told something before a concern is put away
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(response=""), name="closed_concern_has_answer"),
        ]


class TeamMonth(TimeStampedModel):
    """The team pro-forma's own fields for a month (REPORTS.md (b) header and footer)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="months")
    month = models.DateField()
    unallocated_cases = models.PositiveIntegerField(null=True, blank=True)
    manager_comment = models.TextField(blank=True)
    service_manager_comment = models.TextField(blank=True)
    # Who wrote the service manager's comment and when: shown beside it, so a head of service reading the
    # month knows whose view it is and how current (set by team_month_update, cleared with the comment).
    service_manager_comment_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_manager_comment_at = models.DateTimeField(null=True, blank=True)
    suggestions = models.TextField(blank=True)
    lock_version = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="one_team_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="team_month_is_first_of_month"),
        ]


class AuditEvent(models.Model):
    """Who did what, when and from where. Written by services, never by signals; never edited."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.PositiveBigIntegerField()
    entry = models.ForeignKey(
        ProformaEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"
