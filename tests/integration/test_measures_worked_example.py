"""REPORTS.md worked example: every measure for DA1 and the authority roll-up with IP1, from the API."""
from datetime import date
from decimal import Decimal

import pytest

from reporting.measures import AUTHORITY, measure_workers, measures_by_team, measures_for, parse_scope
from tests.worked_example import MONTH, MONTH_END, build

pytestmark = pytest.mark.django_db


def by_key(values):
    return {(v.measure, v.threshold): v for v in values}


@pytest.fixture
def example():
    return build()


def test_da1_every_measure_equals_the_worked_example(example):
    values = by_key(measures_for(parse_scope("team:DA1"), [MONTH]))
    m01 = values["M01", None]
    assert (m01.display, m01.status, m01.rag, m01.target, m01.basis) == ("18.9", "ok", "red", Decimal(16), "fte")
    assert (m01.numerator, m01.denominator, m01.snapshot_on) == (Decimal(102), Decimal("5.40"), MONTH_END)
    assert m01.detail["dfe_display"] == "18.9"
    assert (values["M02", None].display, values["M02", None].rag) == ("+2.9 (+18 %)", "red")
    assert values["M03", None].display == "6 – 29"
    m04 = values["M04", Decimal(22)]
    assert (m04.label, m04.display, m04.rag, m04.detail["raw_reading"], m04.basis) == (
        "Workers with more than 22 cases", "3 (50 %); 2 without pro rata", "red", 2, "pro_rata")
    m04_25 = values["M04", Decimal(25)]
    assert (m04_25.display, m04_25.detail["raw_reading"]) == ("1 (17 %)", 1)
    m05 = values["M05", Decimal(12)]
    assert (m05.label, m05.value, m05.rag, m05.detail["raw_reading"]) == (
        "ASYEs with more than 12 cases", Decimal(1), "red", 1)
    assert (values["M06", Decimal(12)].display, values["M06", Decimal(12)].rag) == ("50 %", "red")
    m07 = values["M07", None]
    assert (m07.display, m07.detail["ratio"].quantize(Decimal(1))) == ("10.6 / 46 %", Decimal(46))
    assert (values["M10", None].display, values["M10", None].rag, values["M10", None].snapshot_on) == (
        "83 %", "red", None)
    m15 = values["M15", None]
    assert m15.detail == {"unallocated": 5, "held_by_absent": 3}
    m16 = values["M16", None]
    assert (m16.detail["vacant_fte"], m16.detail["agency_fte"], m16.display) == (
        Decimal("2.00"), Decimal("1.00"), "2.00 vacant, 1.00 covered by agency staff")
    assert (values["M17", None].value, values["M17", None].rag) == (Decimal(1), "red")
    # REPORTS worked example: W6 over the maximum since 15 Nov 2024; W2's agreement due Fri 31 Jan 2025
    assert values["M18", None].detail == {"awaiting_agreement": 2, "over_maximum_too_long": 1,
                                          "oldest_since": date(2024, 11, 15), "earliest_due": date(2025, 1, 31)}
    assert (values["M19", None].display, values["M19", None].rag) == ("67 %", "red")
    assert values["M20", None].detail == {
        "Below sustainable": 0, "Sustainable": 2, "Demanding": 0, "High": 2, "Not scored": 2}
    m22 = values["M22", None].detail["rows"]
    assert [(r["name"], r["workers"], r["points"]) for r in m22] == [("TM Example", 4, Decimal("404.000"))]
    assert values["M22", None].display == "TM Example: 404.0 points, 4 workers"
    for code in ("M11", "M12", "M13", "M14"):
        assert (values[code, None].status, values[code, None].display) == ("no_data", "–")
    assert ("M08", None) not in values  # no care-leaver team in scope


def test_m18_counts_an_agreement_as_it_stood_on_the_snapshot_date(example):
    """An agreement given after the snapshot, or one that had already ended by it (R04: it lapses at its end
    date), leaves the escalation awaiting agreement on that date."""
    from datetime import date

    from reporting.models import Escalation, EscalationState

    w2, w3 = example.escalations["W2"], example.escalations["W3"]
    Escalation.objects.filter(pk=w2.pk).update(state=EscalationState.AGREED, agreed_on=date(2025, 2, 3))
    Escalation.objects.filter(pk=w3.pk).update(state=EscalationState.OPEN, agreed_on=date(2025, 1, 27),
                                               agreed_until=date(2025, 1, 30))
    m18 = by_key(measures_for(parse_scope("team:DA1"), [MONTH]))["M18", None]
    assert (m18.detail["awaiting_agreement"], m18.detail["over_maximum_too_long"]) == (2, 1)
    Escalation.objects.filter(pk=w2.pk).update(agreed_on=date(2025, 1, 30))  # in force on Fri 31 Jan
    m18 = by_key(measures_for(parse_scope("team:DA1"), [MONTH]))["M18", None]
    assert m18.detail["awaiting_agreement"] == 1


def test_authority_pools_worker_rows(example):
    values = by_key(measures_for(AUTHORITY, [MONTH]))
    m01 = values["M01", None]
    assert (m01.display, m01.target.quantize(Decimal("0.01")), m01.rag) == ("16.4", Decimal("15.64"), "amber")
    m04 = values["M04", Decimal(22)]
    assert (m04.display, m04.rag, m04.detail["raw_reading"], m04.detail["raw_rag"]) == ("3 (33 %); 2 without pro rata", "red", 2, "red")


def test_measures_by_team_gives_each_team_its_own_figures(example):
    rows = measures_by_team([example.da1.pk, example.ip1.pk], MONTH)
    ip1 = by_key(rows[example.ip1.pk])
    assert (ip1["M01", None].display, ip1["M01", None].rag) == ("12.0", "green")
    assert by_key(rows[example.da1.pk])["M01", None].display == "18.9"


def test_measure_workers_lists_initials_behind_a_count(example):
    rows = measure_workers(parse_scope("team:DA1"), MONTH, "M04", 22)
    assert [(r["initials"], r["cases"]) for r in rows] == [("WE", 24), ("WE", 14), ("WE", 29)]
    assert [r["initials"] for r in measure_workers(AUTHORITY, MONTH, "M17")] == ["TE"]


def test_national_figure_for_context(settings):
    from reporting.measures import national_caseload

    assert national_caseload() == {"value": Decimal("16.3"), "label": (
        "England average caseload per FTE, 30 September 2023 (DfE, Children's social work workforce)")}
    settings.NATIONAL_CASELOAD = {"value": "17.0", "label": "England, 2024"}
    assert national_caseload() == {"value": Decimal("17.0"), "label": "England, 2024"}


def test_builder_countersigns_through_the_service_with_the_schemes_bands(example):
    from supervision.models import ProformaEntry

    rows = ProformaEntry.objects.filter(team=example.da1).order_by("worker__first_name")
    assert [(e.worker.first_name, e.status, e.total_points, e.band, hasattr(e, "countersignature")) for e in rows] == [
        ("W1", "countersigned", Decimal("88.000"), "sustainable", True),
        ("W2", "countersigned", Decimal("115.000"), "high", True),
        ("W4", "countersigned", Decimal("80.000"), "sustainable", True),
        ("W5", "submitted", None, "", False),
        ("W6", "countersigned", Decimal("121.000"), "high", True),
    ]
