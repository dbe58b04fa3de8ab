"""The month view and the entry page run a fixed number of queries whatever the team size."""
from datetime import date

import pytest
from django.urls import reverse

from supervision.team_month import team_month_summary
from tests.factories import WorkerFactory
from tests.factories_supervision import allocate, started, team_with_entries

pytestmark = pytest.mark.django_db
JULY = date(2025, 7, 1)

# Month view (15, counted with the request's SAVEPOINT/RELEASE from ATOMIC_REQUESTS): session, user,
# groups (roles, cached on the user), the team (scoped); the summary's 7 (entries with workers, other
# workers, absences, scheme, team-month row, unallocated count, managers); can-manage; the navigation's
# "has a worker record" check. The same bound at 5 and at 50 workers. Both pages add 3 after the view: the
# session save that moves the idle expiry on (SESSION_SAVE_EVERY_REQUEST: SAVEPOINT, UPDATE, RELEASE).
SESSION_SAVE = 3
NAV_WAITING = 1  # the navigation's "N waiting" badge: one query with a COUNT subquery per kind of item
MONTH_VIEW_QUERIES = 15 + SESSION_SAVE + NAV_WAITING
# Entry page (15, with SAVEPOINT/RELEASE): session, user, groups, the entry with its joins (scoped); lines,
# revisions, policy, reductions, last month's band, audit trail, disputes; can-manage; the navigation's
# worker check. The same at 5 and 50 workers and at 3 and 30 lines.
ENTRY_PAGE_QUERIES = 15 + SESSION_SAVE + NAV_WAITING


@pytest.mark.parametrize("workers", [5, 50])
def test_month_view_queries_do_not_grow_with_the_team(client, django_assert_max_num_queries, workers):
    team, manager = team_with_entries(workers=workers, month=JULY)
    client.force_login(manager)
    url = reverse("supervision:team-month", args=[team.pk, 2025, 7])

    with django_assert_max_num_queries(MONTH_VIEW_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="worker-row-') == workers


@pytest.mark.parametrize("workers", [5, 50])
def test_team_month_summary_is_a_fixed_number_of_queries(django_assert_num_queries, workers):
    team, manager = team_with_entries(workers=workers, month=JULY)
    with django_assert_num_queries(7):  # entries+workers, other workers, absences, team month, unallocated,
        summary = team_month_summary(team=team, month=JULY)  # scheme, managers
    assert (len(summary.rows), summary.headcount) == (workers, workers)
    assert all(row.entry is not None for row in summary.rows)


@pytest.mark.parametrize(("workers", "lines"), [(5, 3), (50, 3), (5, 30)])
def test_entry_page_queries_do_not_grow(client, django_assert_max_num_queries, workers, lines):
    team, manager = team_with_entries(workers=workers, month=JULY)
    worker = WorkerFactory(team=team, first_name="Lena", surname="Lines")
    for n in range(lines):
        allocate(worker, reference=f"L-{n:02d}")
    entry = started(worker, manager, JULY)
    client.force_login(manager)
    url = reverse("supervision:entry-detail", args=[entry.pk])

    with django_assert_max_num_queries(ENTRY_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count('data-testid="line-') == lines
