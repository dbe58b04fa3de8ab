"""Generated reports. One run per (kind, period, team), so a retried task never builds or sends twice."""
from django.db import models

from workload.models import Team


class ReportKind(models.TextChoices):
    QUARTERLY_RETURN = "quarterly_return", "Quarterly team return"
    AUTHORITY_PACK = "authority_pack", "Quarterly authority pack"
    SMT_WEEKLY = "smt_weekly", "Weekly SMT caseload report"
    SMT_MONTHLY = "smt_monthly", "Monthly SMT caseload report"


class ReportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERED = "rendered", "Rendered"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=30, choices=ReportKind.choices)
    period_key = models.CharField(max_length=10, help_text="e.g. 2025-Q3 or 2025-W41 (reporting/periods.py).")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="report_runs")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    pdf = models.FileField(upload_to="reports/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
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
