"""The pro-forma form follows the scheme and puts each engine error on the field it names (no database)."""
import pytest

from supervision.entry_forms import EntryForm, add_scoring_error, line_formset, scoring_error_place
from workload.scoring.registry import builtin_tables

FIELDS_BY_SCHEME = {
    # (scheme, team type): (fields shown, fields not shown) of REPORTS.md (a) fields 1 and 3
    ("nottinghamshire-wlm-2016", "assessment"): ({"personal", "extra_duty_hours", "extra_duty_explanation"},
                                                 {"grade", "extras"}),
    ("swindon-cws-v1", "childrens_social_work"): ({"grade", "extras"},
                                                  {"personal", "extra_duty_hours", "extra_duty_explanation"}),
    ("rbwm-cws-v1", "all_cases"): ({"grade"}, {"personal", "extra_duty_hours", "extras"}),
    ("warrington-wms-2014", "children_in_need"): ({"grade", "extras"}, {"personal", "extra_duty_hours"}),
    ("caseload-count-v1", "barnet_duty_and_assessment"): (set(), {"grade", "personal", "extra_duty_hours", "extras"}),
}


@pytest.mark.parametrize(("scheme", "team_type"), list(FIELDS_BY_SCHEME))
def test_the_form_shows_no_field_the_scheme_rejects(scheme, team_type):
    shown, hidden = FIELDS_BY_SCHEME[(scheme, team_type)]
    tables = builtin_tables(scheme)
    form = EntryForm(tables=tables, team_type=team_type)
    line = line_formset(tables=tables, team_type=team_type, initial=[{}]).forms[0]
    assert shown <= set(form.fields) and not hidden & set(form.fields)
    assert ("factors" in line.fields) is tables.accepts_factors
    assert ("co_work_share" in line.fields) is tables.accepts_co_work_share


def _bound(rows: int):
    tables = builtin_tables("nottinghamshire-wlm-2016")
    data = {"lines-TOTAL_FORMS": rows, "lines-INITIAL_FORMS": 0}
    for i in range(rows):
        data.update({f"lines-{i}-reference": f"F-{i}", f"lines-{i}-children": "1", f"lines-{i}-category": "cin_stable"})
    entry_form = EntryForm({"lock_version": "0", "position": "social_worker", "wte": "1"}, tables=tables,
                           team_type="assessment")
    formset = line_formset(tables=tables, team_type="assessment", data=data)
    assert entry_form.is_valid() and formset.is_valid()
    return entry_form, formset


@pytest.mark.parametrize(("path", "where"), [
    ("worker.personal[1]", ("entry", "personal")),
    ("worker.extra_duty_hours", ("entry", "extra_duty_hours")),
    ("worker.grade", ("entry", None)),  # Nottinghamshire shows no grade: a form-level error
    ("cases[1].factors[0]", (2, "factors")),  # the second filled line is table row 2
    ("cases[0].children", (0, "children")),
    ("cases[1]", (2, None)),
    ("cases[1].co_work_share", (2, "co_work_share")),
    ("team_type", ("entry", None)),
])
def test_engine_paths_map_to_the_form_field(path, where):
    entry_form, formset = _bound(3)
    form, name = scoring_error_place(path, entry_form=entry_form, formset=formset, line_indexes=[0, 2])
    assert ("entry" if form is entry_form else formset.forms.index(form), name) == where


def test_a_placed_error_renders_next_to_its_input():
    entry_form, formset = _bound(2)
    add_scoring_error("cases[1].category", "Not a category of this team.", entry_form=entry_form, formset=formset,
                      line_indexes=[0, 1])
    bound = formset.forms[1]["category"]
    assert bound.errors == ["Not a category of this team."]
    assert 'aria-invalid="true"' in str(bound) and 'aria-describedby="id_lines-1-category_error"' in str(bound)
