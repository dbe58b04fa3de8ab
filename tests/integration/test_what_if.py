"""The scoring page: pick a scheme, enter cases, see the score explained, nothing saved."""
import re

import pytest
from django.urls import reverse

from supervision.models import ProformaEntry

pytestmark = pytest.mark.django_db

NOTTS = {"scheme": "nottinghamshire-wlm-2016", "team_type": "assessment"}


def post_lines(client, params, worker, lines, *, htmx=False):
    data = {"lines-TOTAL_FORMS": "6", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "60"}
    data.update({f"worker-{k}": v for k, v in worker.items()})
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{i}-{key}"] = value
    url = reverse("workload:what-if") + "?" + "&".join(f"{k}={v}" for k, v in params.items())
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url, data, **headers)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def line_reasons(page: str) -> list[list[tuple[str, str]]]:
    """Per case line, its reasons as (label, points) in the order shown; the grey detail is left out."""
    reasons = page.split('data-testid="case-reasons">')[1].split("</ol>")[0]
    return [re.findall(r"<li>(.*?): (-?[\d.]+)(?: <span[^>]*>[^<]*</span>)?</li>", line)
            for line in reasons.split("<strong>")[1:]]


def test_the_nottinghamshire_worked_example_is_explained_figure_by_figure(client, manager):
    client.force_login(manager)
    response = post_lines(
        client, NOTTS, {"wte": "1"}, [{"children": "4", "category": "s47_icpc", "factors": "interpreter"}]
    )
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="total-points">22<' in page
    assert "Line 1: 22 points" in page
    # each figure with its reason: column A for the first child, B for the others, the factor
    assert line_reasons(page) == [[
        ("First child (column A): S47 with ICPC", "15"),
        ("3 further children × 2 (column B)", "6"),
        ("Interpreter", "1"),
    ]]
    assert "Below sustainable" in page
    # the source of each figure names the category by its label, never its code
    assert ("(Table N-AD, Strategy discussion leading to a S47 assessment and ICPC (includes Police Protection "
            "Order), column A)") in page
    assert "s47_icpc" not in page.split('data-testid="case-reasons">')[1]
    assert ProformaEntry.objects.count() == 0  # nothing saved


def test_an_engine_error_is_shown_next_to_the_field_it_names(client, manager):
    client.force_login(manager)
    response = post_lines(
        client, NOTTS, {"wte": "1"},
        [{"children": "2", "category": "cin_stable", "factors": ["interpreter", "adult_of_concern", "overnight_stays"]}],
    )
    page = text(response)
    assert response.status_code == 200
    assert 'data-testid="score-error"' in page
    assert re.search(r'id="error_\d+_id_lines-0-factors"', page), "the error sits under line 1's factors"


def test_wte_outside_range_is_a_form_error_not_a_500(client, manager):
    client.force_login(manager)
    response = post_lines(client, NOTTS, {"wte": "1.5"}, [{"children": "1", "category": "cin_stable"}])
    assert response.status_code == 200
    assert 'id="error_1_id_worker-wte"' in response.content.decode()


def test_swindon_shows_grade_and_hides_nottinghamshire_fields(client, manager):
    client.force_login(manager)
    page = client.get(reverse("workload:what-if") + "?scheme=swindon-cws-v1&team_type=childrens_social_work").content.decode()
    assert 'name="worker-grade"' in page
    assert 'name="worker-extra_duty_hours"' not in page
    assert 'name="lines-0-co_work_share"' not in page


def test_unknown_scheme_or_team_type_falls_back_to_the_first_not_a_500(client, manager):
    from workload.models import SchemeVersion

    client.force_login(manager)
    response = client.get(reverse("workload:what-if") + "?scheme=nope&team_type=zzz")
    first = SchemeVersion.objects.order_by("label").first()
    first_team_type = next(iter(first.tables().team_types.values()))
    assert response.status_code == 200
    assert f"{first.label} — {first_team_type}" in response.content.decode()


def carry(client, fields: list[tuple[str, str]]):
    """POST a month to the page to pre-fill it, as the pro-forma's compare button and the scheme chooser do."""
    data: dict[str, list[str]] = {"carry": ["1"]}
    for key, value in fields:
        data.setdefault(key, []).append(value)
    return client.post(reverse("workload:what-if"), data)


MONTH = [("worker-wte", "0.6"), ("lines-0-reference", "F-1001"), ("lines-0-children", "4"),
         ("lines-0-category", "s47_icpc"), ("lines-0-factors", "interpreter"), ("lines-1-children", "2"),
         ("lines-1-category", "cin_stable"), ("lines-1-co_worked", "on")]


def test_a_month_can_be_carried_to_another_scheme_for_comparison(client, manager):
    """A posted month pre-fills the page; switching scheme (a POST too) keeps children and co-working."""
    client.force_login(manager)
    notts = carry(client, [("scheme", "nottinghamshire-wlm-2016"), ("team_type", "assessment"), *MONTH])
    page = notts.content.decode()
    assert notts.status_code == 200
    assert 'value="0.6"' in page and 'value="F-1001"' in page
    assert re.search(r'<option value="s47_icpc" selected>', page)
    counting = carry(client, [("scheme", "caseload-count-v1"), ("team_type", "barnet_duty_and_assessment"), *MONTH])
    html = re.sub(r'\s+class="[^"]*"', "", counting.content.decode())
    assert 'name="lines-0-children" value="4"' in html
    category_select = html.split('id="id_lines-0-category"')[1].split("</select>")[0]
    assert "selected" not in category_select  # s47_icpc is not a caseload-count category
    attributes, chooser = re.search(r'<form ([^>]*)aria-label="Choose a scheme">(.*?)</form>', html, re.S).groups()
    assert 'method="post"' in attributes and 'name="csrfmiddlewaretoken"' in chooser
    assert 'type="hidden" name="lines-1-co_worked" value="on"' in chooser  # carried on, in the body


def test_the_entry_page_posts_its_month_to_the_scoring_page(client, manager, worker):
    from datetime import date

    from supervision.prefill import entry_start
    from tests.factories_supervision import allocate

    allocate(worker, reference="F-2024", children=3, category="s47_icpc")
    entry = entry_start(worker=worker, month=date.today().replace(day=1), started_by=manager)
    client.force_login(manager)
    html = client.get(reverse("supervision:entry-detail", args=[entry.pk])).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*data-testid="compare-schemes">(.*?)</form>', html, re.S)
    assert form.group(1) == reverse("workload:what-if")
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    assert fields[0][0] == "csrfmiddlewaretoken"
    assert fields[1:] == [("carry", "1"), ("scheme", "nottinghamshire-wlm-2016"), ("team_type", "assessment"),
                          ("worker-wte", "1.00"), ("lines-0-reference", "F-2024"), ("lines-0-children", "3"),
                          ("lines-0-category", "s47_icpc")]
    response = carry(client, fields[2:])
    page = re.sub(r'\s+class="[^"]*"', "", response.content.decode())
    assert response.status_code == 200
    assert 'name="lines-0-reference" value="F-2024"' in page and 'name="lines-0-children" value="3"' in page
