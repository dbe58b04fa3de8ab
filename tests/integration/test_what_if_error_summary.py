"""Score a month: every problem is listed at the top of the form, linked to its field, and the typed values stay."""
import re

import pytest

from tests.integration.test_bad_input_scoring import URL, month_post

pytestmark = pytest.mark.django_db


def test_score_a_month_lists_every_problem_at_the_top_linked_to_its_field(client, manager):
    client.force_login(manager)

    response = client.post(URL, month_post([{"children": "1", "category": "s47_icpc"},
                                            {"children": "100", "category": "s47_icpc", "reference": "F-2"}],
                                           worker={"wte": "0"}))

    html = response.content.decode()
    summary = html.split('data-testid="error-summary"')[1].split("</div>")[0]
    items = [re.sub(r"\s+", " ", item).strip() for item in re.findall(r"<li>(.*?)</li>", summary, flags=re.S)]
    assert items == [
        '<a href="#id_worker-wte">WTE: Enter a WTE from 0.01 to 1 (1 = full time).</a>',
        '<a href="#id_lines-1-children">Line 2, children: Enter a whole number of children from 1 to 99.</a>',
    ]
    assert html.index('id="error-summary"') < html.index('id="id_worker-wte"')  # before the first field
    assert re.search(r'name="lines-1-children"[^>]*value="100"|value="100"[^>]*name="lines-1-children"', html)
    assert re.search(r'name="worker-wte"[^>]*value="0"|value="0"[^>]*name="worker-wte"', html)


def test_no_error_summary_when_the_month_scores(client, manager):
    client.force_login(manager)
    response = client.post(URL, month_post([{"children": "1", "category": "s47_icpc"}]))
    assert response.status_code == 200 and 'id="error-summary"' not in response.content.decode()
