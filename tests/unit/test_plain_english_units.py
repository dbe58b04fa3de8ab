"""Words people read: required-field messages without rule IDs, score reasons by category label, actions in
words. No database."""
from datetime import date
from decimal import Decimal

from supervision.audit import action_label
from supervision.models import ProformaEntry
from supervision.rules import required_reason_errors
from tests.unit.test_supervision_rules import panel_for
from workload.models import Worker
from workload.scoring import builtin_tables
from workload.templatetags.caseweight import category_label, category_labels, reason_detail

ALL_TRIGGERS = frozenset({"extra_duty", "deviation", "over_max", "demanding", "high", "over_capacity", "remedial"})


def test_required_field_messages_say_the_rule_in_words_without_ids():
    worker = Worker(first_name="W", surname="X", wte=Decimal("1"))
    entry = ProformaEntry(month=date(2025, 1, 1), date_of_score=None, workload_manageable=None,
                          extra_duty_hours=Decimal("6"))
    errors = required_reason_errors(entry=entry, triggers=ALL_TRIGGERS, panel=panel_for(worker, 24))

    assert errors == {
        "date_of_score": "Enter the date of the score (the supervision date).",
        "workload_manageable": "Say whether the workload is manageable in the hours worked.",
        "workload_comment": "Give detail on the workload; it is required before submitting.",
        "extra_duty_explanation": "Explain the 6 hours of extra duties; it is required when hours are entered.",
        "deviation_reason": "24 children is higher than the expected caseload (14.4–17.6): record the reason agreed "
                            "in supervision.",
        "over_max_reason": "24 children is over the maximum of 22: record the reason.",
        "over_max_until": "Set a time limit for holding more than the maximum.",
        "over_max_review_on": "Set a date to review the caseload above the maximum.",
        "demanding_until": "Demanding band: record until when the worker may hold this level of work.",
        "high_priorities": "High band: record the agreed priorities and how the workload will be managed.",
        "over_capacity_reason": "Over capacity: record this month's reason.",
        "remedial_action": "Over capacity two months running: record the remedial action.",
    }


def test_reason_detail_names_the_category_by_its_label():
    notts, swindon = builtin_tables("nottinghamshire-wlm-2016"), builtin_tables("swindon-cws-v1")
    notts_label, swindon_label = category_labels(notts)["s47_icpc"], category_labels(swindon)["cp"]

    assert reason_detail("Table N-AD row s47_icpc, column A", notts) == f"Table N-AD, {notts_label}, column A"
    assert reason_detail("Swindon weighting sheet row cp, column C, 10 per child", swindon) == (
        f"Swindon weighting sheet, {swindon_label}, column C, 10 per child")
    assert reason_detail("Personal element", notts) == "Personal element"
    assert reason_detail("Table N-AD row not_a_code, column A", notts) == "Table N-AD row not_a_code, column A"
    assert (category_label("cp", {"cp": "Child protection"}), category_label("zz", {})) == ("Child protection", "zz")


def test_actions_read_in_words_never_as_codes():
    assert action_label("entry.updated") == "Saved changes"
    assert action_label("session.moved") == "Supervision date moved"
    assert action_label("entry.notified", {"kind": "signature_request"}) == "Countersignature request emailed"
    assert action_label("entry.notified", {"kind": "dispute"}) == "Dispute notice emailed"
    assert action_label("entry.something_new") == "Recorded a change"
