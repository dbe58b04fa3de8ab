"""django-tables2 lists of the measure inputs: they present rows the selectors already fetched (no query per row)."""
from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse

TABLE_TEMPLATE = "supervision/partials/_table.html"  # the first cell is the row's header


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else "–"


class AggregateTable(tables.Table):
    team = tables.Column(verbose_name="Team", accessor="team__name", order_by=("team__name",))
    month = tables.DateColumn(verbose_name="Month", format="F Y")
    measure = tables.Column(verbose_name="Measure", accessor="get_measure_display", order_by=("measure",))
    numerator = tables.Column(verbose_name="Met the standard", attrs={"td": {"class": "text-end"}})
    denominator = tables.Column(verbose_name="Counted", attrs={"td": {"class": "text-end"}})
    percentage = tables.Column(verbose_name="Percentage", empty_values=(), orderable=False,
                               attrs={"td": {"class": "text-end"}})
    entered = tables.Column(verbose_name="Entered by", empty_values=(), order_by=("entered_at",))

    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "table table-sm align-middle", "data-testid": "figures-table"}
        orderable = False

    def render_percentage(self, record) -> str:
        # worked out, never stored (REPORTS: a percentage of nothing is no figure, not 0 %)
        return "–" if not record.denominator else f"{100 * record.numerator / record.denominator:.1f}%"

    def render_entered(self, record) -> str:
        return f"{_who(record.entered_by)}, {record.entered_at:%d %b %Y %H:%M}"


class TrendRowTable(tables.Table):
    label = tables.Column(verbose_name="Row", linkify=lambda record: reverse("inputs:trend-row", args=[record.pk]))
    measure = tables.Column(verbose_name="Measure", accessor="get_measure_display")
    scope = tables.Column(verbose_name="For", empty_values=())
    threshold = tables.Column(verbose_name="More than N", default="–")
    target = tables.Column(verbose_name="Target", default="–")
    start_month = tables.DateColumn(verbose_name="From", format="F Y", default="every month")

    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "table table-sm align-middle", "data-testid": "trend-rows-table"}
        orderable = False

    def render_scope(self, record) -> str:
        if record.scope_kind == "team":
            words = record.team.name
        elif record.scope_kind == "service_area":
            words = record.service_area.name
        elif record.scope_kind == "team_type":
            words = f"{self.team_types.get(record.team_type, 'Team type')} teams"
        else:
            words = "The authority"
        return f"{words} (ASYE workers only)" if record.asye_only else words

    def __init__(self, *args, team_types: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.team_types = team_types


class AnalysisTable(tables.Table):
    month = tables.DateColumn(verbose_name="Month", format="F Y")
    text = tables.Column(verbose_name="Analysis")
    author = tables.Column(verbose_name="Written by", empty_values=(), accessor="author")
    created_at = tables.DateTimeColumn(verbose_name="When", format="j M Y H:i")

    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "table table-sm align-middle", "data-testid": "analysis-table"}
        orderable = False

    def render_author(self, record) -> str:
        return _who(record.author)


class ConferenceCountTable(tables.Table):
    worker = tables.Column(verbose_name="Child protection adviser", accessor="worker__full_name")
    team = tables.Column(verbose_name="Team", accessor="worker__team__name")
    week_start = tables.Column(verbose_name="Week")
    conferences = tables.Column(verbose_name="Conferences chaired", attrs={"td": {"class": "text-end"}})

    class Meta:
        template_name = TABLE_TEMPLATE
        attrs = {"class": "table table-sm align-middle", "data-testid": "conferences-table"}
        orderable = False

    def render_week_start(self, value) -> str:
        year, week, _ = value.isocalendar()
        return f"Week {week} of {year} (from {value.day} {value:%b %Y})"
