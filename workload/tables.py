"""django-tables2 tables: they only present rows a selector already fetched (no queries per row)."""
from __future__ import annotations

from datetime import date

import django_tables2 as tables
from django.core.paginator import Paginator
from django.urls import reverse

from workload.selectors import snapshot_source

# The snapshot figures, in the order every page shows them, with the words a person reads.
FIGURES = (
    ("children", "Children allocated"),
    ("family_groups", "Family groups"),
    ("unallocated_children", "Unallocated children"),
)


def _figure_column(name: str) -> tables.Column:
    """A snapshot figure's cell, marked with the team and the figure so any page's number can be found
    (and compared) by the same data attributes: data-team, data-figure, data-value ("" = no data)."""
    return tables.Column(
        default="–",
        attrs={
            "th": {"class": "text-end"},
            "td": {
                "class": "text-end",
                "data-team": lambda record: record.pk,
                "data-figure": name,
                "data-value": lambda record: "" if getattr(record, name) is None else getattr(record, name),
            },
        },
    )


class TeamTable(tables.Table):
    """The team list: one row per team from `workload.selectors.team_list`, sortable on every column."""

    PER_PAGE = 25
    MAX_PER_PAGE = 100

    name = tables.Column(verbose_name="Team", linkify=lambda record: reverse("workload:team-detail", args=[record.pk]))
    code = tables.Column(verbose_name="Code")
    service_area = tables.Column(
        verbose_name="Service area", accessor="service_area__name", order_by=("service_area__name", "name")
    )
    scheme_label = tables.Column(verbose_name="Weighting scheme", default="–", attrs={"td": {"class": "small"}})
    preset_label = tables.Column(verbose_name="Caseload policy", default="–", attrs={"td": {"class": "small"}})
    headcount = tables.Column(verbose_name="Case-holders", attrs={"th": {"class": "text-end"},
                                                                  "td": {"class": "text-end"}})
    fte = tables.Column(verbose_name="FTE", attrs={"th": {"class": "text-end"}, "td": {"class": "text-end"}})
    children = _figure_column("children")
    family_groups = _figure_column("family_groups")
    unallocated_children = _figure_column("unallocated_children")

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle", "id": "team-table"}
        empty_text = "No teams to show."

    def __init__(self, *args, snapshot_on: date | None, **kwargs):
        super().__init__(*args, **kwargs)
        # each figure says which snapshot it is from (columns are copied per table, so this is local)
        source = snapshot_source(snapshot_on)
        for name, label in FIGURES:
            self.columns[name].column.verbose_name = f"{label} ({source})"

    def render_fte(self, value) -> str:
        return f"{value:.2f}"

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        # per_page comes from the query string: 0 would divide by zero in the paginator and a huge one
        # would defeat paging, so it is kept within 1..MAX_PER_PAGE
        per_page = min(max(per_page or self.PER_PAGE, 1), self.MAX_PER_PAGE)
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
