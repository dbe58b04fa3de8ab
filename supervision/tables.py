"""django-tables2 tables for supervision lists: they only present rows a selector already fetched (no
queries per row)."""
from __future__ import annotations

from datetime import date

import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils import dateformat
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from supervision.supervision_due import SupervisionStatus


class SupervisionStatusTable(tables.Table):
    """Workers with their last held supervision and next due date, from `supervision_status_rows`."""

    PER_PAGE = 25
    MAX_PER_PAGE = 100

    worker = tables.Column(verbose_name="Worker", accessor="full_name", order_by=("surname", "first_name", "pk"))
    team = tables.Column(verbose_name="Team", accessor="team__code", order_by=("team__name", "surname", "pk"))
    # plain columns with a render_ method: a DateColumn renders a template per cell (a third of the page's time)
    last_held = tables.Column(verbose_name="Last held", default="never recorded")
    next_due = tables.Column(verbose_name="Due", default="now")
    status = tables.Column(verbose_name="Status", empty_values=(), orderable=False)
    record = tables.Column(verbose_name=mark_safe('<span class="visually-hidden">Actions</span>'),  # a constant
                           empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "table table-sm align-middle", "id": "overdue-table", "data-testid": "overdue-table"}
        row_attrs = {"data-testid": lambda record: f"overdue-{record.pk}"}
        template_name = "supervision/partials/_table.html"
        empty_text = "No supervision is due or overdue."

    def __init__(self, *args, today: date, record_query: str | None, **kwargs):
        """record_query: the query string before "worker=" on each row's "Record" link (None: no link, the
        user cannot record sessions)."""
        super().__init__(*args, **kwargs)
        self.today, self.record_query = today, record_query
        if record_query is None:
            self.exclude = ("record",)

    def _status(self, record) -> SupervisionStatus:
        return SupervisionStatus(record, record.last_held, record.next_due, self.today)

    def render_last_held(self, value) -> str:
        return dateformat.format(value, "j M Y")

    def render_next_due(self, value) -> str:
        return dateformat.format(value, "j M Y")

    def render_status(self, record) -> str:
        return capfirst(self._status(record).due_label)

    def render_record(self, record) -> str:
        return format_html(
            '<a href="?{}worker={}#session-form">Record<span class="visually-hidden"> a session for {}</span></a>',
            self.record_query or "", record.pk, record.full_name,
        )

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        # per_page comes from the query string: 0 would divide by zero and a huge one would defeat paging
        per_page = min(max(per_page or self.PER_PAGE, 1), self.MAX_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
