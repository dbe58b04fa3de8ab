"""Changing a team's caseload policy or weighting scheme (POLICIES R26): an administrator proposes, the head of
service of the team's service area approves or refuses before the effective month; never retroactive.

Approval writes the TeamPolicy / TeamScheme row through workload.services (team_policy_set, team_scheme_set), so
figures for a past month keep reading the setting in force then (workload.selectors.team_policy_on). The
PolicyChange row is the audit record (who, when, before and after): workload may not import supervision's
audit trail (imports go reporting -> supervision -> workload), and the change row holds every fact anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from workload.capabilities import can
from workload.models import (
    CaseloadPreset,
    PolicyChange,
    PolicyChangeKind,
    PolicyChangeStatus,
    SchemeVersion,
    Team,
)
from workload.selectors import team_policy_on, team_scheme_on
from workload.services import team_policy_set, team_scheme_set

# Messages people read; tests assert them exactly.
NOT_FUTURE = "Choose a month after the current one: a change never applies to a month that has begun."
NOT_FIRST = "A change starts on the first day of a month."
REASON_REQUIRED = "Say why the change is needed: the head of service reads it before approving."
ALREADY_PENDING = "A change to this for {month} is already waiting for approval."
NO_DIFFERENCE = "That is already what the team has for {month}; change something before sending it for approval."
NOT_AN_ADMINISTRATOR = "Only an administrator can propose a change to a team's caseload policy or scheme."
NOT_THE_APPROVER = "Only the head of service of the team's service area can approve or refuse this change."
SELF_APPROVAL = "You proposed this change, so someone else must approve it: ask the head of service."
ALREADY_DECIDED = "This change has already been {status}."
EXPIRED = ("This change was not approved before {month} began, so it has expired and can no longer be approved. "
           "Ask for a new change from a later month.")
REFUSAL_NEEDS_COMMENT = "Say why you are refusing the change: the administrator reads it."
UNKNOWN_TEAM_TYPE = "Choose a team type of the chosen policy."
UNKNOWN_SCHEME_TEAM_TYPE = "Choose a team type of the chosen scheme."
UNKNOWN_FIGURE = "'{key}' is not a figure a team can change."


@dataclass(frozen=True)
class OverrideField:
    """A key of the preset team type a team may override (POLICIES §6 "overridable per team"). Whole numbers."""

    key: str
    label: str  # what people read: the form, the history, the approval page
    low: int
    high: int
    many: bool = False  # a list of numbers ("22, 25")
    unit: str = " cases"

    def words(self, value) -> str:
        if self.many:
            values = list(value or [])
            return " and ".join(f"{v}" for v in values) + (" cases" if values else "none")
        return f"{value}{self.unit}"


OVERRIDE_FIELDS: tuple[OverrideField, ...] = (
    OverrideField("target_low", "Target caseload (lower figure)", 1, 100),
    OverrideField("target_high", "Target caseload (upper figure)", 1, 100),
    OverrideField("max", "Individual maximum", 1, 100),
    OverrideField("agree_threshold", "Head of service agreement needed above", 1, 100),
    OverrideField("escalation_months", "Months over the maximum before escalation", 1, 12, unit=" months"),
    OverrideField("asye_limit_cases", "ASYE caseload limit", 1, 100),
    OverrideField("reporting_thresholds", "Reporting thresholds (workers with more than N cases)", 1, 100,
                  many=True),
)
OVERRIDES = {field.key: field for field in OVERRIDE_FIELDS}
MAX_REPORTING_THRESHOLDS = 4


def _month_words(day: date) -> str:
    return f"{day:%B %Y}"


# ------------------------------------------------------------------------------------------------ who
def can_propose(user) -> bool:
    return can(user, "policy.propose")


def approver_teams(user):
    """Teams whose changes this user approves: the teams of the service areas they lead as head of service."""
    if not can(user, "policy.approve"):
        return Team.objects.none()
    return Team.objects.filter(service_area__head_of_service=user)


def can_approve(user, team: Team) -> bool:
    return approver_teams(user).filter(pk=team.pk).exists()


# ------------------------------------------------------------------------------------------------ rules
def overrides_check(*, preset: CaseloadPreset, team_type: str, overrides: dict) -> dict:
    """The per-team figures, checked and tidied (lists sorted, no duplicates), or ValidationError keyed by the
    figure. Each figure is a whole number in its range; with the preset's own figures merged in, the target's
    lower figure is at most its upper figure, and the upper figure at most the individual maximum."""
    errors: dict[str, str] = {}
    clean: dict = {}
    for key, value in (overrides or {}).items():
        field = OVERRIDES.get(key)
        if field is None:
            errors["__all__"] = UNKNOWN_FIGURE.format(key=key)
            continue
        values = value if field.many else [value]
        if not isinstance(values, list) or not all(type(v) is int for v in values):
            errors[key] = f"Enter whole numbers from {field.low} to {field.high}."
            continue
        if any(not field.low <= v <= field.high for v in values):
            errors[key] = f"Enter {'numbers' if field.many else 'a number'} from {field.low} to {field.high}."
            continue
        if field.many:
            if len(set(values)) > MAX_REPORTING_THRESHOLDS:
                errors[key] = f"Enter at most {MAX_REPORTING_THRESHOLDS} thresholds."
                continue
            clean[key] = sorted(set(values))
        else:
            clean[key] = value
    merged = {**preset.team_type(team_type), **clean}
    low, high, maximum = merged.get("target_low"), merged.get("target_high"), merged.get("max")
    if not errors and low is not None and high is not None and low > high:
        errors["target_low" if "target_low" in clean else "target_high"] = (
            f"The target's lower figure ({low}) cannot be above its upper figure ({high}).")
    if not errors and high is not None and maximum is not None and high > maximum:
        errors["target_high" if "target_high" in clean else "max"] = (
            f"The target ({high}) cannot be above the individual maximum ({maximum}).")
    if errors:
        raise ValidationError(errors)
    return clean


def _effective_from_check(effective_from: date, today: date) -> None:
    if effective_from.day != 1:
        raise ValidationError({"effective_from": NOT_FIRST})
    if effective_from <= today:
        raise ValidationError({"effective_from": NOT_FUTURE})


def policy_setting(*, team: Team, month: date) -> dict:
    """The caseload policy in force for the month as stored data ({} if none)."""
    policy = team_policy_on(team=team, month=month)
    if policy is None:
        return {}
    return {"preset": policy.preset.code, "team_type": policy.team_type, "overrides": policy.overrides or {}}


def scheme_setting(*, team: Team, month: date) -> dict:
    scheme = team_scheme_on(team=team, month=month)
    if scheme is None:
        return {}
    return {"scheme_version": scheme.scheme_version.slug, "team_type": scheme.team_type}


def change_setting(change: PolicyChange) -> dict:
    """What the change asks for, in the same shape as policy_setting / scheme_setting."""
    if change.kind == PolicyChangeKind.POLICY:
        return {"preset": change.preset.code, "team_type": change.preset_team_type, "overrides": change.overrides}
    return {"scheme_version": change.scheme_version.slug, "team_type": change.scheme_team_type}


def setting_in_force(*, change: PolicyChange) -> dict:
    setting = policy_setting if change.kind == PolicyChangeKind.POLICY else scheme_setting
    return setting(team=change.team, month=change.effective_from)


# ------------------------------------------------------------------------------------------------ writes
@transaction.atomic
def policy_change_propose(
    *,
    team: Team,
    proposed_by,
    effective_from: date,
    reason: str,
    today: date,
    preset: CaseloadPreset | None = None,
    preset_team_type: str = "",
    overrides: dict | None = None,
    scheme_version: SchemeVersion | None = None,
    scheme_team_type: str = "",
) -> PolicyChange:
    """Propose a change for a team from a month on: a caseload policy (preset, team type, per-team figures) or a
    weighting scheme version (with the scheme's team type). It applies only once approved (policy_change_approve).

    Never retroactive: the month must start after today, and it must still do so when approved."""
    if not can_propose(proposed_by):
        raise PermissionDenied(NOT_AN_ADMINISTRATOR)
    if (preset is None) == (scheme_version is None):
        raise ValueError("A change names either a caseload policy preset or a scheme version.")
    _effective_from_check(effective_from, today)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    Team.objects.select_for_update().filter(pk=team.pk).first()  # one proposal at a time per team
    change = PolicyChange(team=team, effective_from=effective_from, reason=reason, proposed_by=proposed_by,
                          proposed_at=timezone.now())
    if preset is not None:
        if not preset_team_type or not preset.team_type(preset_team_type):
            raise ValidationError({"preset_team_type": UNKNOWN_TEAM_TYPE})
        change.kind, change.preset, change.preset_team_type = PolicyChangeKind.POLICY, preset, preset_team_type
        change.overrides = overrides_check(preset=preset, team_type=preset_team_type, overrides=overrides or {})
    else:
        if scheme_team_type not in scheme_version.tables().team_types:
            raise ValidationError({"scheme_team_type": UNKNOWN_SCHEME_TEAM_TYPE})
        change.kind, change.scheme_version, change.scheme_team_type = (
            PolicyChangeKind.SCHEME, scheme_version, scheme_team_type)
    month = _month_words(effective_from)
    if PolicyChange.objects.for_team(team).open_on(today).filter(kind=change.kind,
                                                                 effective_from=effective_from).exists():
        raise ValidationError({"effective_from": ALREADY_PENDING.format(month=month)})
    if change_setting(change) == setting_in_force(change=change):
        raise ValidationError(NO_DIFFERENCE.format(month=month))
    change.full_clean()
    change.save()
    return change


def _locked_for_decision(change: PolicyChange, user, today: date) -> PolicyChange:
    change = PolicyChange.objects.select_for_update(of=("self",)).select_related(
        "team", "preset", "scheme_version").get(pk=change.pk)
    if not can_approve(user, change.team):
        raise PermissionDenied(NOT_THE_APPROVER)
    if change.status != PolicyChangeStatus.PENDING:
        raise ValidationError(ALREADY_DECIDED.format(status=change.get_status_display().lower()))
    if change.is_expired(today):
        raise ValidationError(EXPIRED.format(month=_month_words(change.effective_from)))
    if change.proposed_by_id == user.pk:
        raise ValidationError(SELF_APPROVAL)
    return change


def _decide(change: PolicyChange, *, user, status: str, comment: str) -> PolicyChange:
    change.before = setting_in_force(change=change)
    change.status, change.decided_by, change.decided_at = status, user, timezone.now()
    change.decision_comment = comment
    change.full_clean()
    change.save(update_fields=["before", "status", "decided_by", "decided_at", "decision_comment"])
    return change


@transaction.atomic
def policy_change_approve(*, change: PolicyChange, approved_by, today: date, comment: str = "") -> PolicyChange:
    """Approve a pending change before its month begins and write the team's setting from that month on.

    The head of service of the team's service area approves, never the person who proposed it (an
    administrator who is also a head of service asks a colleague)."""
    change = _locked_for_decision(change, approved_by, today)
    change = _decide(change, user=approved_by, status=PolicyChangeStatus.APPROVED, comment=(comment or "").strip())
    if change.kind == PolicyChangeKind.POLICY:
        team_policy_set(team=change.team, preset=change.preset, team_type=change.preset_team_type,
                        valid_from=change.effective_from, overrides=change.overrides)
    else:
        # No pro-forma can be started for a month that has not begun (supervision.prefill), so none is
        # countersigned after the current month: it bounds the team's agreed months, and the effective month
        # is after it. Passed because workload may not ask supervision for the exact month.
        team_scheme_set(team=change.team, scheme_version=change.scheme_version, team_type=change.scheme_team_type,
                        valid_from=change.effective_from, agreed_through=today.replace(day=1))
    return change


@transaction.atomic
def policy_change_refuse(*, change: PolicyChange, refused_by, today: date, comment: str) -> PolicyChange:
    """Refuse a pending change, saying why; the team's setting is unchanged."""
    comment = (comment or "").strip()
    change = _locked_for_decision(change, refused_by, today)
    if not comment:
        raise ValidationError({"comment": REFUSAL_NEEDS_COMMENT})
    return _decide(change, user=refused_by, status=PolicyChangeStatus.REFUSED, comment=comment)
