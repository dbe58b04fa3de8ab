"""Reads for the caseload policy pages: a team's history of settings (what applied when, who approved), its
changes, the changes waiting for a head of service, and every setting in words (labels, never codes)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet
from django.http import Http404

from workload.access import teams_for_user
from workload.models import (
    CaseloadPreset,
    PolicyChange,
    PolicyChangeKind,
    PolicyChangeStatus,
    SchemeVersion,
    Team,
    TeamPolicy,
    TeamScheme,
)
from workload.policy_services import OVERRIDE_FIELDS, approver_teams, change_setting


class Labels:
    """Presets and scheme versions by code, loaded once per page (a handful of rows), to put settings in words."""

    def __init__(self):
        self.presets = {p.code: p for p in CaseloadPreset.objects.all()}
        self.versions = {v.slug: v for v in SchemeVersion.objects.all()}

    def policy(self, setting: dict) -> str:
        preset = self.presets.get(setting.get("preset", ""))
        if preset is None:
            return "None"
        team_type = preset.team_type(setting.get("team_type", "")).get("label", "unknown team type")
        words = f"{preset.label}, {team_type}"
        figures = overrides_words(setting.get("overrides") or {})
        return f"{words}; for this team: {figures}" if figures else words

    def scheme(self, setting: dict) -> str:
        version = self.versions.get(setting.get("scheme_version", ""))
        if version is None:
            return "None"
        team_type = version.tables().team_types.get(setting.get("team_type", ""), "unknown team type")
        return f"{version.label}, team type {team_type}"

    def setting(self, kind: str, setting: dict) -> str:
        return self.policy(setting) if kind == PolicyChangeKind.POLICY else self.scheme(setting)


def overrides_words(overrides: dict) -> str:
    """Per-team figures in words, in the form's order: "Individual maximum 24 cases, ASYE caseload limit 12 cases"."""
    return ", ".join(f"{field.label} {field.words(overrides[field.key])}"
                     for field in OVERRIDE_FIELDS if field.key in overrides)


@dataclass(frozen=True)
class HistoryRow:
    """One setting a team had from a month: which, in words, and the approved change that set it (if any)."""

    kind: str
    kind_label: str
    valid_from: date
    words: str
    in_force: bool  # the setting of its kind for the current month
    change: PolicyChange | None  # None: set up before changes were approved here (data load, demo)


def team_policy_history(*, team: Team, month: date, labels: Labels) -> list[HistoryRow]:
    """Every caseload policy and scheme the team has had, newest first, each with the approved change that set it
    (the latest approved change for that kind and month). Three queries whatever
    the history's length."""
    approved: dict[tuple[str, date], PolicyChange] = {}
    for change in (PolicyChange.objects.for_team(team).filter(status=PolicyChangeStatus.APPROVED)
                   .select_related("proposed_by", "decided_by").order_by("decided_at", "pk")):
        approved[(change.kind, change.effective_from)] = change  # a later approval for the month replaces it
    rows: list[HistoryRow] = []
    policies = list(TeamPolicy.objects.filter(team=team).select_related("preset").order_by("-valid_from"))
    schemes = list(TeamScheme.objects.filter(team=team).select_related("scheme_version").order_by("-valid_from"))
    current_policy = next((p.valid_from for p in policies if p.valid_from <= month), None)
    current_scheme = next((s.valid_from for s in schemes if s.valid_from <= month), None)
    for p in policies:
        setting = {"preset": p.preset.code, "team_type": p.team_type,
                   "overrides": p.overrides}
        rows.append(HistoryRow(PolicyChangeKind.POLICY, PolicyChangeKind.POLICY.label, p.valid_from,
                               labels.policy(setting), p.valid_from == current_policy,
                               approved.get((PolicyChangeKind.POLICY, p.valid_from))))
    for s in schemes:
        setting = {"scheme_version": s.scheme_version.slug, "team_type": s.team_type}
        rows.append(HistoryRow(PolicyChangeKind.SCHEME, PolicyChangeKind.SCHEME.label, s.valid_from,
                               labels.scheme(setting), s.valid_from == current_scheme,
                               approved.get((PolicyChangeKind.SCHEME, s.valid_from))))
    return sorted(rows, key=lambda row: (row.valid_from, row.kind), reverse=True)


@dataclass(frozen=True)
class ChangeRow:
    change: PolicyChange
    asks_for: str  # the setting asked for, in words
    expired: bool


def change_rows(changes, *, today: date, labels: Labels) -> list[ChangeRow]:
    return [ChangeRow(c, labels.setting(c.kind, change_setting(c)), c.is_expired(today)) for c in changes]


def _with_relations(qs: QuerySet[PolicyChange]) -> QuerySet[PolicyChange]:
    return qs.select_related("team", "team__service_area", "preset", "scheme_version", "proposed_by", "decided_by")


def team_change_list(*, team: Team) -> QuerySet[PolicyChange]:
    """The team's changes, pending and decided, newest proposal first."""
    return _with_relations(PolicyChange.objects.for_team(team)).order_by("-proposed_at", "-pk")


def changes_waiting_for(*, user, today: date) -> QuerySet[PolicyChange]:
    """Pending changes this head of service may still approve (the month has not begun), soonest month first."""
    return (_with_relations(PolicyChange.objects.open_on(today).filter(team__in=approver_teams(user).values("pk")))
            .order_by("effective_from", "team__name", "pk"))


def changes_waiting_count(*, user, today: date) -> int:
    return PolicyChange.objects.open_on(today).filter(team__in=approver_teams(user).values("pk")).count()


def policy_change_get_for_user(*, user, pk: int) -> PolicyChange:
    """A change of a team the user sees, or 404 (a guessed id learns nothing)."""
    try:
        return _with_relations(PolicyChange.objects.filter(team__in=teams_for_user(user).values("pk"))).get(pk=pk)
    except PolicyChange.DoesNotExist as exc:
        raise Http404("No such change.") from exc


def policy_change_get_for_approver(*, user, pk: int) -> PolicyChange:
    """A change this user may decide (a team of a service area they lead), or 404."""
    try:
        return _with_relations(PolicyChange.objects.filter(team__in=approver_teams(user).values("pk"))).get(pk=pk)
    except PolicyChange.DoesNotExist as exc:
        raise Http404("No such change.") from exc
