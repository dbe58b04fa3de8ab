"""The declared field list decides what a signature covers: every shown field is signed, changing any of
them changes the fingerprint, and each signature version's fingerprint is pinned so old signatures verify."""
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from supervision.fields import (
    CURRENT_HASH_VERSION,
    ENTRY_FIELDS,
    LINE_FIELDS,
    SHOWN,
    signed_fields,
    signed_line_fields,
)
from supervision.hashing import content_hash

ENTRY = {
    "worker_id": 7, "team_id": 3, "month": date(2025, 7, 1), "revision": 1, "scheme_version_id": 2,
    "team_type": "assessment", "revision_reason": "", "position": "social_worker", "is_agency": False,
    "wte": Decimal("0.60"), "grade": "", "date_of_score": date(2025, 7, 15), "completed_in_absence": False,
    "personal": ["nqsw_asye"], "extra_duty_hours": Decimal("3.50"), "extra_duty_explanation": "Fostering panel.",
    "extras": [], "case_points": Decimal("21.000"), "personal_points": Decimal("2.000"),
    "extra_points": Decimal("0.875"), "total_points": Decimal("23.875"), "band": "below_sustainable",
    "band_label": "Below sustainable", "band_thresholds": {"sustainable_min": "18", "sustainable_max": "21"},
    "workload_weight": None, "case_count": None, "case_band": "", "children_count": 4, "family_groups": 1,
    "workload_manageable": True, "workload_comment": "Manageable.", "workload_context": "", "workload_action": "",
    "deviation_reason": "", "over_max_reason": "", "over_max_until": None, "over_max_review_on": None,
    "demanding_until": None, "high_priorities": "", "over_capacity_reason": "", "remedial_action": "",
    "submitted_by_id": 11, "submitted_at": datetime(2025, 7, 15, 10, 30, tzinfo=UTC), "worker_comment": "",
}
LINES = [{"reference": "F-01", "children": 4, "category": "s47_icpc", "factors": ["interpreter"], "co_worked": False,
          "co_work_share": None, "not_allocated": False, "points": Decimal("21.000")}]

# Pinned fingerprints of ENTRY and LINES. Version 1 is what the first release computed (checked against its
# code when version 2 was added); a change to either means signatures already given would stop verifying.
PINNED = {
    1: "80bd83c0decb4ea942d7184fefb7c797246c4e8c53265e7f1d6112469078fb96",
    2: "7c7a52844201419ce4b8e7bcaae430ef53c8fe8efdadcf6935ecd87239fb1267",
}


def changed(kind: str, value):
    """A different value of the same kind."""
    if isinstance(value, bool) or kind in ("bool", "yesno"):
        return not value
    if isinstance(value, datetime):
        return value + timedelta(minutes=1)
    if isinstance(value, date):
        return value + timedelta(days=1)
    if value is None:
        return date(2025, 8, 1) if kind == "date" else Decimal("1")
    if isinstance(value, Decimal):
        return value + Decimal("0.01")
    if isinstance(value, int):
        return value + 1
    if isinstance(value, list):
        return [*value, "other"]
    if isinstance(value, dict):
        return {**value, "sustainable_max": "22"}
    return value + " (changed)"


def test_every_shown_field_is_signed_except_the_workers_own_comment():
    unsigned = {f.name for f in ENTRY_FIELDS if f.signed_since is None}
    assert unsigned == {"worker_comment"}  # written as the worker signs, so outside the hash it signs
    assert {f.name for f in SHOWN} - set(signed_fields(CURRENT_HASH_VERSION)) == {"worker_comment"}
    assert set(signed_line_fields(CURRENT_HASH_VERSION)) == {f.name for f in LINE_FIELDS}


@pytest.mark.parametrize("field", [f for f in ENTRY_FIELDS if f.signed_since], ids=lambda f: f.name)
def test_changing_any_signed_field_changes_the_fingerprint(field):
    before = content_hash(ENTRY, LINES)
    after = content_hash({**ENTRY, field.name: changed(field.kind, ENTRY[field.name])}, LINES)
    assert after != before


@pytest.mark.parametrize("field", LINE_FIELDS, ids=lambda f: f.name)
def test_changing_any_line_field_changes_the_fingerprint(field):
    line = LINES[0]
    after = content_hash(ENTRY, [{**line, field.name: changed(field.kind, line[field.name])}])
    assert after != content_hash(ENTRY, LINES)


def test_version_1_leaves_out_what_the_first_release_left_out():
    """So a version-1 signature is unaffected by the fields version 2 added (it still verifies)."""
    added = sorted(set(signed_fields(2)) - set(signed_fields(1)))
    assert added == ["band_label", "band_thresholds", "completed_in_absence", "date_of_score",
                     "extra_duty_explanation", "is_agency", "revision_reason", "submitted_at", "submitted_by_id"]
    assert content_hash({**ENTRY, "date_of_score": date(2025, 7, 1)}, LINES, version=1) == content_hash(
        ENTRY, LINES, version=1)


@pytest.mark.parametrize("version", sorted(PINNED))
def test_fingerprints_are_pinned_per_version(version):
    assert content_hash(ENTRY, LINES, version=version) == PINNED[version]


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="Unknown signature version 3"):
        content_hash(ENTRY, LINES, version=3)
