"""Bad input on the scoring page ("Score a month"): a clear 4xx or a page that ignores the junk, never a 500;
every message next to its field; no case data in any URL."""
import re
import time
from datetime import date

import pytest
from django.urls import reverse

from supervision.prefill import entry_start
from tests.factories_supervision import allocate

pytestmark = pytest.mark.django_db

URL = "/workload/score/"
NOTTS = {"scheme": "nottinghamshire-wlm-2016", "team_type": "assessment"}
TOO_MANY = "A month can have at most 60 case lines on this page; the form sent {}. Remove some lines."
GARBLED = "The list of case lines did not arrive complete. Reload the page and enter the month again."


def month_post(lines: list[dict], *, worker=None, total=None, **extra) -> dict:
    data = {**NOTTS, "lines-TOTAL_FORMS": str(len(lines) if total is None else total), "lines-INITIAL_FORMS": "0",
            **{f"worker-{k}": v for k, v in (worker or {"wte": "1"}).items()}, **extra}
    for i, line in enumerate(lines):
        data.update({f"lines-{i}-{key}": value for key, value in line.items()})
    return data


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def errors_of(response, field_id: str) -> list[str]:
    """The messages crispy puts under one field (id="error_<n>_<field id>")."""
    return re.findall(rf'id="error_\d+_{field_id}"[^>]*><strong>(.*?)</strong>', response.content.decode())


@pytest.fixture
def logged_in(client, manager):
    client.force_login(manager)
    return client


# ---------------------------------------------------------------------------------------------- query strings

@pytest.mark.parametrize("query", ["lines-%C2%B2-x=1", f"lines-{'9' * 5000}-x=1", "lines-0-children=4&lines-0-category=s47_icpc"])
def test_line_values_in_the_query_string_are_ignored(logged_in, query):
    response = logged_in.get(f"{URL}?scheme=nottinghamshire-wlm-2016&team_type=assessment&{query}")
    html = re.sub(r'\s+class="[^"]*"', "", response.content.decode())
    assert response.status_code == 200
    assert 'name="lines-TOTAL_FORMS" value="4"' in html  # four blank lines, nothing pre-filled from the URL
    assert 'name="lines-0-children" value=' not in html and "s47_icpc\" selected" not in html


@pytest.mark.parametrize("scheme", ["%00", "nottinghamshire-wlm-2016%00", "x" * 5000])
def test_a_nul_or_overlong_scheme_falls_back_to_the_users_own_teams_scheme(logged_in, scheme):
    response = logged_in.get(f"{URL}?scheme={scheme}&team_type=%00")
    assert response.status_code == 200  # the manager's team: Nottinghamshire, assessment (TeamFactory)
    assert "Nottinghamshire WLM tool (2016) — Assessment Teams" in page_text(response)


def test_a_nul_scheme_in_a_post_body_is_ignored_too(logged_in):
    response = logged_in.post(URL, month_post([], scheme="\x00", team_type="\x00"))
    assert response.status_code == 200
    assert '<input type="hidden" name="scheme" value="nottinghamshire-wlm-2016">' in response.content.decode()


# ---------------------------------------------------------------------------------------------- the formset

def test_a_claim_of_99999_lines_is_refused_at_once_with_a_400(logged_in):
    body = {**NOTTS, "lines-TOTAL_FORMS": "99999", "lines-INITIAL_FORMS": "0"}
    # The same refusal once untimed: a process's first request compiles templates and imports lazily, which
    # is not what the limit is about (it timed out as the first test of a parallel process).
    assert logged_in.post(URL, {**body, "lines-TOTAL_FORMS": "61"}).status_code == 400
    started = time.perf_counter()
    response = logged_in.post(URL, body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert elapsed < 0.5, f"took {elapsed:.2f}s: forms were built before refusing"
    assert f'data-testid="lines-error">{TOO_MANY.format(99999)}<' in response.content.decode()
    assert 'name="lines-TOTAL_FORMS" value="4"' in re.sub(r'\s+class="[^"]*"', "", response.content.decode())


@pytest.mark.parametrize(("total", "message"), [
    ("61", TOO_MANY.format(61)), ("9" * 5000, TOO_MANY.format("far more")), ("²", GARBLED), ("-1", GARBLED),
    ("", GARBLED),
])
def test_a_line_count_over_the_maximum_or_garbled_is_a_400_with_a_message(logged_in, total, message):
    response = logged_in.post(URL, {**NOTTS, "lines-TOTAL_FORMS": total, "lines-INITIAL_FORMS": "0"})
    assert response.status_code == 400
    assert f'data-testid="lines-error">{message}<' in response.content.decode()


def test_a_missing_management_form_is_a_400_not_a_500(logged_in):
    response = logged_in.post(URL, {**NOTTS, "worker-wte": "1"})
    assert response.status_code == 400
    assert f'data-testid="lines-error">{GARBLED}<' in response.content.decode()


def test_django_caps_the_formset_at_60_forms_whatever_it_is_told():
    from workload.forms import line_formset
    from workload.scoring import builtin_tables

    lines = line_formset(tables=builtin_tables("nottinghamshire-wlm-2016"), team_type="assessment",
                         data={"lines-TOTAL_FORMS": "99999", "lines-INITIAL_FORMS": "0"})
    assert (lines.total_form_count(), len(lines.forms), lines.absolute_max) == (60, 60, 60)


def test_sixty_lines_are_scored(logged_in):
    response = logged_in.post(URL, month_post([{"children": "1", "category": "s47_icpc"}] * 60))
    page = page_text(response)
    assert response.status_code == 200
    assert 'data-testid="total-points">900<' in page  # 60 × 15 (column A, S47 with ICPC)
    assert "Line 60: 15 points" in page
    assert "Add four more lines" not in page and "A month can have at most 60 lines here." in page


def test_add_lines_gives_four_more_blank_lines_and_keeps_the_filled_ones(logged_in):
    response = logged_in.post(URL, month_post([{"children": "2", "category": "s47_icpc"}], total=4, add_lines="1"))
    html = re.sub(r'\s+class="[^"]*"', "", response.content.decode())
    assert response.status_code == 200
    assert 'name="lines-TOTAL_FORMS" value="8"' in html
    assert 'name="lines-0-children" value="2"' in html and 'data-testid="line-7"' in html
    assert 'data-testid="total-points">17<' in page_text(response)  # 15 + 1 further child × 2


# ---------------------------------------------------------------------------------------------- field limits

@pytest.mark.parametrize(("line", "field", "message"), [
    ({"children": "100", "category": "s47_icpc"}, "children", "Enter a whole number of children from 1 to 99."),
    ({"children": "0", "category": "s47_icpc"}, "children", "Enter a whole number of children from 1 to 99."),
    ({"children": "9" * 5000, "category": "s47_icpc"}, "children", "Enter a whole number of children from 1 to 99."),
    ({"children": "²", "category": "s47_icpc"}, "children", "Enter a whole number of children from 1 to 99."),
    ({"children": "1", "category": "s47_icpc", "reference": "R" * 41}, "reference",
     "Keep the reference to 40 characters (it has 41)."),
    ({"children": "1", "category": "s47_icpc", "reference": "F-1\x00"}, "reference", "Null characters are not allowed."),
    ({"children": "1", "category": "s47_icpc", "co_worked": "on", "co_work_share": "1e999999999"}, "co_work_share",
     "Enter this worker&#x27;s share from 0.001 to 1, e.g. 0.5."),
])
def test_a_line_value_out_of_bounds_is_one_plain_message_under_its_field(logged_in, line, field, message):
    response = logged_in.post(URL, month_post([line]))
    assert response.status_code == 200
    assert errors_of(response, f"id_lines-0-{field}") == [message]
    assert 'data-testid="score-error">Correct the fields marked below to see the score.<' in response.content.decode()


@pytest.mark.parametrize(("worker", "field", "message"), [
    ({"wte": "1e999999999"}, "wte", "Enter a WTE from 0.01 to 1 (1 = full time)."),
    ({"wte": "0"}, "wte", "Enter a WTE from 0.01 to 1 (1 = full time)."),
    ({"wte": "0.125"}, "wte", "Use at most 2 decimal places."),
    ({"wte": "NaN"}, "wte", "Enter a number."),
    ({"wte": "1", "extra_duty_hours": "745"}, "extra_duty_hours",
     "Enter from 0 to 744 hours (a 31-day month of 24-hour days)."),
    ({"wte": "1", "extra_duty_hours": "1e99999999"}, "extra_duty_hours",
     "Enter from 0 to 744 hours (a 31-day month of 24-hour days)."),
    ({"wte": "1", "extra_duty_hours": "1e-999999999"}, "extra_duty_hours", "Use at most 2 decimal places."),
])
def test_a_worker_value_out_of_bounds_is_one_plain_message_under_its_field(logged_in, worker, field, message):
    response = logged_in.post(URL, month_post([{"children": "1", "category": "s47_icpc"}], worker=worker))
    assert response.status_code == 200
    assert errors_of(response, f"id_worker-{field}") == [message]


def test_the_most_extra_duty_hours_a_month_can_hold_are_scored(logged_in):
    response = logged_in.post(
        URL, month_post([{"children": "1", "category": "s47_icpc"}], worker={"wte": "1", "extra_duty_hours": "744"})
    )
    assert response.status_code == 200
    assert 'data-testid="total-points">387<' in page_text(response)  # 15 + 744 × 0.5


# ---------------------------------------------------------------------------------------------- case data and URLs

def test_the_entry_page_has_no_link_carrying_case_data(client, manager, worker):
    allocate(worker, reference="F-3001", children=2, category="s47_icpc")
    entry = entry_start(worker=worker, month=date.today().replace(day=1), started_by=manager)
    client.force_login(manager)
    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and [h for h in hrefs if "lines-" in h or "reference" in h or "F-3001" in h] == []
    compare = re.search(r'<form method="post" action="/workload/score/"[^>]*data-testid="compare-schemes">', html)
    assert compare is not None
    assert '<input type="hidden" name="lines-0-reference" value="F-3001">' in html


def test_the_scoring_page_posts_everything_and_puts_no_case_data_in_urls(logged_in):
    html = logged_in.post(URL, month_post([{"children": "2", "category": "s47_icpc", "reference": "F-4001"}])
                          ).content.decode()
    assert re.findall(r'hx-(put|patch|delete)=', html) == []
    # the one hx-get: the scheme select fetching its team types, with nothing but the scheme (hx-include)
    assert re.findall(r'<select name="scheme"[^>]*hx-get="([^"]*)"[^>]*hx-include="this"', html) == [URL]
    assert len(re.findall(r'hx-get=', html)) == 1
    assert re.findall(r'hx-post="([^"]*)"', html) == [URL]
    assert [a for a in re.findall(r'(?:href|action|hx-post)="([^"]*)"', html) if "lines-" in a or "F-4001" in a] == []
    get_forms = re.findall(r'<form [^>]*method="get"[^>]*>(.*?)</form>', html, re.S)
    assert get_forms and all("lines-" not in form and "worker-" not in form for form in get_forms)


def test_the_scoring_page_accepts_no_put_or_delete(logged_in):
    assert (logged_in.put(URL).status_code, logged_in.delete(URL).status_code) == (405, 405)


def test_a_post_with_more_than_a_thousand_fields_is_refused_by_django(logged_in):
    body = {**NOTTS, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            **{f"junk-{i}": "x" for i in range(1001)}}
    assert logged_in.post(URL, body).status_code == 400
