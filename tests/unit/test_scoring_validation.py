"""Bad input is reported at the spec's field path (SCHEMES.md 8.3) with a message that names the bad value;
typed months (the web form) get the same paths; explanations add up."""

import copy
import json
from decimal import Decimal

import pytest

from workload.scoring import (
    CaseInput,
    MonthInput,
    Reason,
    SchemeDataError,
    SchemeTables,
    ScoringInputError,
    WorkerInput,
    builtin_scheme_data,
    builtin_tables,
    decimal_to_json_number,
    dumps,
    parse_month,
    score_month,
    validate_month,
)
from workload.scoring.registry import SCHEMES_DIR

NOTTS = {
    "scheme": "nottinghamshire-wlm-2016",
    "team_type": "assessment",
    "worker": {"wte": Decimal("0.6"), "personal": ["nqsw_asye"], "extra_duty_hours": 8},
    "cases": [
        {"children": 4, "category": "s47_icpc", "factors": ["interpreter"]},
        {"children": 1, "category": "cin_stable", "co_worked": True, "co_work_share": Decimal("0.3")},
    ],
}
SWINDON = {
    "scheme": "swindon-cws-v1",
    "team_type": "childrens_social_work",
    "worker": {"wte": 1, "grade": "experienced"},
    "cases": [{"children": 2, "category": "lac", "factors": ["lac_complex"]}],
}
WARRINGTON = {
    "scheme": "warrington-wms-2014",
    "team_type": "children_in_care",
    "worker": {"wte": 1},
    "cases": [{"children": 2, "category": "cp", "factors": ["newly_allocated"]}],
}
COUNT = {
    "scheme": "caseload-count-v1",
    "team_type": "luton_social_work",
    "worker": {"wte": 1},
    "cases": [{"children": 3, "category": "cin"}],
}


def changed(base: dict, **paths) -> dict:
    """A copy of base with dotted paths set ("worker.wte") or, with value DELETE, removed."""
    obj = copy.deepcopy(base)
    for path, value in paths.items():
        *parents, last = path.replace("__", ".").split(".")
        target = obj
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        key = int(last) if last.isdigit() else last
        if value is DELETE:
            del target[key]
        else:
            target[key] = value
    return obj


DELETE = object()


def error_of(obj) -> ScoringInputError:
    with pytest.raises(ScoringInputError) as info:
        parse_month(obj, tables_for=builtin_tables)
    return info.value


BAD = [
    # (id, input, field, words the message must contain)
    ("not-an-object", [1, 2], "$", ["object"]),
    ("scheme-missing", changed(NOTTS, scheme=DELETE), "scheme", ["missing"]),
    ("scheme-unknown", changed(NOTTS, scheme="kent-2020"), "scheme", ["'kent-2020'", "not a known scheme"]),
    (
        "team-type-unknown",
        changed(NOTTS, team_type="duty"),
        "team_type",
        ["'duty'", "nottinghamshire-wlm-2016"],
    ),
    ("worker-not-object", changed(NOTTS, worker=[]), "worker", ["object"]),
    ("wte-missing", changed(NOTTS, worker__wte=DELETE), "worker.wte", ["missing"]),
    ("wte-zero", changed(NOTTS, worker__wte=0), "worker.wte", ["more than 0", "not 0"]),
    ("wte-over-one", changed(NOTTS, worker__wte=Decimal("1.5")), "worker.wte", ["at most 1", "1.5"]),
    ("wte-text", changed(NOTTS, worker__wte="1"), "worker.wte", ["number", "'1'"]),
    ("wte-boolean", changed(NOTTS, worker__wte=True), "worker.wte", ["number", "true"]),
    ("grade-not-used", changed(NOTTS, worker__grade="nqsw"), "worker.grade", ["does not use a grade"]),
    ("grade-required", changed(SWINDON, worker__grade=DELETE), "worker.grade", ["needs the worker's grade"]),
    ("grade-unknown", changed(SWINDON, worker__grade="senior"), "worker.grade", ["'senior'"]),
    ("personal-unknown", changed(NOTTS, worker__personal=["mentor"]), "worker.personal[0]", ["'mentor'"]),
    (
        "personal-three",
        changed(NOTTS, worker__personal=["nqsw_asye", "asye_mentor", "onsite_supervisor"]),
        "worker.personal",
        ["at most 2"],
    ),
    (
        "personal-both-trainee",
        changed(NOTTS, worker__personal=["trainee_term_time", "trainee_non_term"]),
        "worker.personal",
        ["'trainee_term_time' and 'trainee_non_term'"],
    ),
    ("personal-not-list", changed(NOTTS, worker__personal="nqsw_asye"), "worker.personal", ["list"]),
    (
        "personal-swindon",
        changed(SWINDON, worker__personal=["nqsw_asye"]),
        "worker.personal[0]",
        ["no personal"],
    ),
    (
        "hours-outside-notts",
        changed(SWINDON, worker__extra_duty_hours=0),
        "worker.extra_duty_hours",
        ["does not"],
    ),
    ("hours-negative", changed(NOTTS, worker__extra_duty_hours=-1), "worker.extra_duty_hours", ["negative"]),
    ("extra-notts", changed(NOTTS, worker__extras=["group_work"]), "worker.extras[0]", ["'group_work'"]),
    (
        "extra-wrong-grade",
        changed(SWINDON, worker__extras=["higher_specialist_psw"]),
        "worker.extras[0]",
        ["higher_specialist", "'experienced'"],
    ),
    (
        "extra-twice",
        changed(WARRINGTON, worker__extras=["pq_training", "pq_training"]),
        "worker.extras",
        ["twice"],
    ),
    ("cases-missing", changed(NOTTS, cases=DELETE), "cases", ["missing"]),
    ("cases-not-list", changed(NOTTS, cases={}), "cases", ["list"]),
    ("case-not-object", changed(NOTTS, cases=["s47_icpc"]), "cases[0]", ["object"]),
    ("children-zero", changed(NOTTS, cases__1__children=0), "cases[1].children", ["at least 1", "not 0"]),
    (
        "children-fraction",
        changed(NOTTS, cases__0__children=Decimal("2.5")),
        "cases[0].children",
        ["whole number", "2.5"],
    ),
    ("children-boolean", changed(NOTTS, cases__0__children=True), "cases[0].children", ["true"]),
    (
        "category-unknown",
        changed(NOTTS, team_type="through_care_lac", cases__1__category="cin_stable"),
        "cases[0].category",
        ["'s47_icpc' is not a category of team type 'through_care_lac'"],
    ),
    (
        "factor-unknown",
        changed(NOTTS, cases__0__factors=["interpreter", "translator"]),
        "cases[0].factors[1]",
        ["'translator'"],
    ),
    (
        "factor-wrong-category",
        changed(SWINDON, cases__0__category="cp"),
        "cases[0].factors[0]",
        ["'lac_complex'", "'cp'"],
    ),
    (
        "factor-wrong-team",
        {
            **changed(NOTTS, team_type="through_care_court"),
            "cases": [
                {"children": 1, "category": "private_law_s7_report", "factors": ["reg24_25_assessment"]}
            ],
        },
        "cases[0].factors[0]",
        ["through_care_court"],
    ),
    (
        "factors-three",
        changed(NOTTS, cases__0__factors=["interpreter", "adult_of_concern", "mappa_attendance"]),
        "cases[0].factors",
        ["at most 2"],
    ),
    (
        "factors-duplicate",
        changed(NOTTS, cases__0__factors=["interpreter", "interpreter"]),
        "cases[0].factors",
        ["twice"],
    ),
    (
        "factors-exclusive",
        changed(NOTTS, cases__0__factors=["home_visits_1_2h", "home_visits_over_4h"]),
        "cases[0].factors",
        ["'home_visits_1_2h' and 'home_visits_over_4h'", "choose one"],
    ),
    (
        "factors-closure-combined",
        changed(WARRINGTON, cases__0__factors=["to_be_closed", "newly_allocated"]),
        "cases[0].factors",
        ["'to_be_closed'", "'newly_allocated'"],
    ),
    (
        "factor-on-count",
        changed(COUNT, cases__0__factors=["interpreter"]),
        "cases[0].factors[0]",
        ["no additional"],
    ),
    ("co-worked-text", changed(NOTTS, cases__1__co_worked="yes"), "cases[1].co_worked", ["true or false"]),
    (
        "share-not-accepted",
        changed(SWINDON, cases__0__co_worked=True, cases__0__co_work_share=Decimal("0.5")),
        "cases[0].co_work_share",
        ["swindon-cws-v1"],
    ),
    (
        "share-without-co-working",
        changed(NOTTS, cases__1__co_worked=False),
        "cases[1].co_work_share",
        ["co_worked is true"],
    ),
    ("share-zero", changed(NOTTS, cases__1__co_work_share=0), "cases[1].co_work_share", ["more than 0"]),
]


@pytest.mark.parametrize(("obj", "field", "words"), [pytest.param(*b[1:], id=b[0]) for b in BAD])
def test_bad_input_reports_field_and_readable_message(obj, field, words):
    error = error_of(obj)
    assert error.field == field, error.message
    for word in words:
        assert word in error.message


def test_first_error_in_spec_order_wins():
    # A bad wte (5) comes before a bad personal element (7) and a bad case (11).
    obj = changed(NOTTS, worker__wte=0, worker__personal=["x"], cases__0__children=0)
    assert error_of(obj).field == "worker.wte"
    # Within a case: children before category; a list's elements before its list rules.
    obj = changed(NOTTS, cases__0__children=0, cases__0__category="nope")
    assert error_of(obj).field == "cases[0].children"
    obj = changed(NOTTS, cases__0__factors=["interpreter", "interpreter", "adult_of_concern", "x"])
    assert error_of(obj).field == "cases[0].factors[3]"


def test_nan_and_floats_are_not_numbers():
    assert error_of(changed(NOTTS, worker__wte=Decimal("NaN"))).field == "worker.wte"
    assert (
        error_of(changed(NOTTS, worker__wte=0.6)).field == "worker.wte"
    )  # parse JSON with parse_float=Decimal


def typed(obj: dict) -> MonthInput:
    worker = obj["worker"]
    return MonthInput(
        scheme=obj["scheme"],
        team_type=obj["team_type"],
        worker=WorkerInput(
            wte=Decimal(worker["wte"]),
            grade=worker.get("grade"),
            personal=tuple(worker.get("personal", ())),
            extra_duty_hours=Decimal(worker.get("extra_duty_hours", 0)),
            extras=tuple(worker.get("extras", ())),
        ),
        cases=tuple(
            CaseInput(
                children=c["children"],
                category=c["category"],
                factors=tuple(c.get("factors", ())),
                co_worked=c.get("co_worked", False),
                co_work_share=c.get("co_work_share"),
            )
            for c in obj["cases"]
        ),
    )


TYPED_IDS = [
    "wte-zero",
    "wte-over-one",
    "grade-not-used",
    "grade-required",
    "personal-three",
    "personal-both-trainee",
    "extra-wrong-grade",
    "extra-twice",
    "children-zero",
    "category-unknown",
    "factor-unknown",
    "factor-wrong-category",
    "factor-wrong-team",
    "factors-three",
    "factors-exclusive",
    "factors-closure-combined",
    "factor-on-count",
    "share-not-accepted",
    "share-without-co-working",
]


@pytest.mark.parametrize(
    ("obj", "field"), [pytest.param(b[1], b[2], id=b[0]) for b in BAD if b[0] in TYPED_IDS]
)
def test_typed_month_reports_the_same_field(obj, field):
    month = typed(obj)
    tables = builtin_tables(month.scheme)
    with pytest.raises(ScoringInputError) as info:
        validate_month(month, tables)
    assert info.value.field == field


@pytest.mark.parametrize(
    "obj", [NOTTS, SWINDON, WARRINGTON, COUNT], ids=["notts", "swindon", "warrington", "count"]
)
def test_valid_input_parses_to_the_typed_month(obj):
    month, tables = parse_month(obj, tables_for=builtin_tables)
    assert month == typed(obj)
    validate_month(month, tables)


def test_nottinghamshire_worked_example_reasons():
    # 4 siblings subject of a S47 investigation with an ICPC, an interpreter required: 15 + 3 × 2 + 1 = 22.
    obj = {
        "scheme": "nottinghamshire-wlm-2016",
        "team_type": "assessment",
        "worker": {"wte": 1},
        "cases": [{"children": 4, "category": "s47_icpc", "factors": ["interpreter"]}],
    }
    month, tables = parse_month(obj, tables_for=builtin_tables)
    (case,) = score_month(month=month, tables=tables).cases
    assert case.points == Decimal(22)
    assert case.reasons == (
        Reason("First child (column A): S47 with ICPC", Decimal(15), "Table N-AD row s47_icpc, column A"),
        Reason("3 further children × 2 (column B)", Decimal(6), "Table N-AD row s47_icpc, column B"),
        Reason("Interpreter", Decimal(1), "Additional factor, per case"),
    )
    assert sum(reason.points for reason in case.reasons) == case.points


def test_explanations_add_up_and_say_why():
    month, tables = parse_month(NOTTS, tables_for=builtin_tables)
    score = score_month(month=month, tables=tables)
    assert [c.points for c in score.cases] == [Decimal(22), Decimal("0.6")]
    assert score.cases[1].reasons[-1] == Reason(
        "Co-worked: × 0.3", Decimal("-1.4"), "Co-working: this worker's agreed share"
    )
    assert score.personal_reasons == (Reason("NQSW / ASYE", Decimal(10), "Personal element"),)
    assert [r.points for r in score.extra_reasons] == [Decimal(4)]
    assert score.band_reason == "36.6 is below 45 (75 × WTE 0.6, sustainable minimum)"
    assert (score.band, score.band_label) == ("below_sustainable", "Below sustainable")


def test_swindon_sibling_cap_and_warrington_weight_are_explained():
    obj = changed(SWINDON, cases=[{"children": 5, "category": "lac"}])
    month, tables = parse_month(obj, tables_for=builtin_tables)
    (case,) = score_month(month=month, tables=tables).cases
    assert case.points == Decimal(60)
    assert (
        Reason(
            "Sibling cap: basic weight capped at 30",
            Decimal(-20),
            "Swindon weighting sheet row lac, column C, 10 per child",
        )
        in case.reasons
    )
    obj = changed(WARRINGTON, cases=[{"children": 8, "category": "cic"}])
    month, tables = parse_month(obj, tables_for=builtin_tables)
    score = score_month(month=month, tables=tables)
    assert (score.case_points, score.workload_weight) == (Decimal(26), 2)
    assert score.weight_reasons == (
        Reason("Workload weight: floor(24 / 10) = 2", Decimal(2), "1 point per 10 case points accumulated"),
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal(21), "21"),
        (Decimal("21.0"), "21"),
        (Decimal("10.50"), "10.5"),
        (Decimal("56.25"), "56.25"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("-0.0"), "0"),
        (7, "7"),
    ],
)
def test_numbers_print_as_plain_decimals(value, text):
    assert decimal_to_json_number(value) == text
    assert dumps({"n": [value]}) == f'{{"n": [{text}]}}'


def test_shipped_scheme_data_has_no_floats_and_builds():
    def no_float(text):
        raise AssertionError(f"JSON float {text} in scheme data: write decimals as strings")

    for path in sorted(SCHEMES_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=no_float)
        assert data["slug"] == path.stem
        assert SchemeTables.from_data(data).slug == path.stem
    assert sorted(builtin_scheme_data()) == [
        "caseload-count-v1",
        "nottinghamshire-wlm-2016",
        "rbwm-cws-v1",
        "swindon-cws-v1",
        "warrington-wms-2014",
    ]
    assert builtin_tables("no-such-scheme") is None


def test_bad_scheme_data_is_a_value_error_naming_the_problem():
    data = builtin_scheme_data()["swindon-cws-v1"]
    with pytest.raises(SchemeDataError, match="unknown rules 'kent'"):
        SchemeTables.from_data({**data, "rules": "kent"})
    data["factors"][0]["categories"] = ["lac", "orphans"]
    with pytest.raises(ValueError, match="orphans"):
        SchemeTables.from_data(data)


def test_a_new_version_is_just_data():
    data = builtin_scheme_data()["nottinghamshire-wlm-2016"]
    data.update(
        slug="nottinghamshire-wlm-2030",
        thresholds={"sustainable_min": 70, "sustainable_max": 90, "demanding_max": 100},
    )
    tables = SchemeTables.from_data(data)
    month, _ = parse_month(
        changed(NOTTS, scheme="nottinghamshire-wlm-2030"), tables_for={tables.slug: tables}.get
    )
    score = score_month(month=month, tables=tables)
    assert score.band_thresholds == {"sustainable_min": 42, "sustainable_max": 54, "demanding_max": 60}


def test_ui_lookups():
    tables = builtin_tables("nottinghamshire-wlm-2016")
    assert tables.team_types["through_care_court"] == "Through Care – Court Work"
    assert (
        "s47_icpc",
        "Strategy discussion leading to a S47 assessment and ICPC (includes Police Protection Order)",
    ) in tables.categories_for("assessment")
    court = dict(tables.factors_for("through_care_court", "private_law_s7_report"))
    assert "interpreter" in court and "s7_report_open_case" not in court
    assert tables.personal_elements["pq_module"] == ("PQ – whilst completing a module", Decimal("7.5"))
    assert tables.band_label("demanding") == "Demanding"
    flags = {
        slug: tuple(
            getattr(builtin_tables(slug), flag)
            for flag in (
                "requires_grade",
                "accepts_grade",
                "accepts_personal",
                "accepts_extra_duty_hours",
                "accepts_extras",
                "accepts_co_work_share",
                "accepts_factors",
            )
        )
        for slug in builtin_scheme_data()
    }
    assert flags == {
        "nottinghamshire-wlm-2016": (False, False, True, True, False, True, True),
        "swindon-cws-v1": (True, True, False, False, True, False, True),
        "rbwm-cws-v1": (True, True, False, False, False, False, True),
        "warrington-wms-2014": (False, True, False, False, True, True, True),
        "caseload-count-v1": (False, False, False, False, False, False, False),
    }
