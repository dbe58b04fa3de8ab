"""django-tables2 tables for the dashboards: they only present rows already worked out (no queries per row).
Every column has a plain-English heading; the same headings head the CSV and XLSX exports."""
from __future__ import annotations

import django_tables2 as tables
from django.core.paginator import Paginator
from django.urls import reverse

from reporting.attention import plain_number


class BoundedPaginationMixin:
    PER_PAGE = 25
    MAX_PER_PAGE = 100

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        # per_page comes from the query string: 0 would divide by zero and a huge one would defeat paging
        per_page = min(max(per_page or self.PER_PAGE, 1), self.MAX_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)


def _num(**extra) -> dict:
    return {"th": {"class": "text-end"}, "td": {"class": "text-end", **extra}}


class AttentionTable(BoundedPaginationMixin, tables.Table):
    """Who needs attention (reporting.attention.attention_list rows), sortable on every column."""

    worker_name = tables.Column(
        verbose_name="Worker", order_by=("worker_sort", "worker_id"),
        linkify=lambda record: reverse("workload:worker-detail", args=[record.worker_id]),
    )
    team_name = tables.Column(
        verbose_name="Team", linkify=lambda record: reverse("dashboards:team", args=[record.team_id]),
    )
    service_area = tables.Column(verbose_name="Service area")
    reason_label = tables.Column(verbose_name="Reason", order_by=("reason", "worker_sort"))
    cases = tables.Column(verbose_name="Children", default="–", attrs=_num())
    wte = tables.Column(verbose_name="WTE", attrs=_num())
    threshold_text = tables.Column(verbose_name="Threshold for this WTE", order_by=("threshold",), default="–",
                                   attrs=_num())
    months_over = tables.Column(verbose_name="Months in a row", default="–", attrs=_num())
    detail = tables.Column(verbose_name="Details", default="–", orderable=False)
    escalation = tables.Column(
        verbose_name="Open escalation", default="None open",
        linkify=lambda record: (reverse("reporting:escalation-detail", args=[record.escalation_id])
                                if record.escalation_id else None),
    )
    escalation_due = tables.DateColumn(verbose_name="Action due by", format="j M Y", default="–")

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle", "id": "attention-table"}
        empty_text = "Nobody needs attention for these choices."
        row_attrs = {"data-worker": lambda record: record.worker_id, "data-reason": lambda record: record.reason}

    def render_wte(self, value) -> str:
        return f"{value:.2f}"

    def value_wte(self, value) -> str:
        return f"{value:.2f}"

    def value_threshold_text(self, record) -> str:
        return plain_number(record.threshold) if record.threshold is not None else ""

    def value_escalation_due(self, value) -> str:
        return value.isoformat() if value else ""

    def value_escalation(self, value) -> str:
        return value or ""

    def value_cases(self, value) -> str:
        return "" if value is None else str(value)

    def value_months_over(self, value) -> str:
        return "" if value is None else str(value)

    def value_detail(self, value) -> str:
        return value or ""
