"""Thin views for the pro-forma workflow: check access, parse, call one service or selector, render.

Status codes: objects outside the user's scope are 404 (the selectors raise it); in scope but not
permitted is 403 (PermissionDenied); a form with errors is 400; a stale or no-longer-editable entry is 409;
a wrong method is 405. Never 500 for anything a user can type or click.
"""
from supervision.views.entry import (
    entry_countersign_view,
    entry_detail_view,
    entry_dispute_view,
    entry_lines_view,
    entry_revise_view,
    entry_score_view,
    entry_submit_view,
)
from supervision.views.help import help_rules_view
from supervision.views.sessions import session_list_view
from supervision.views.team_month import entry_start_view, team_month_update_view, team_month_view
from supervision.views.worker import concern_raise_view, my_workload_view

__all__ = [
    "concern_raise_view", "entry_countersign_view", "entry_detail_view", "entry_dispute_view", "entry_lines_view",
    "entry_revise_view", "entry_score_view", "entry_start_view", "entry_submit_view", "help_rules_view",
    "my_workload_view",
    "session_list_view", "team_month_update_view", "team_month_view",
]
