"""Emails name the authority, link to the real site (CASEWEIGHT_SITE_URL) and say rules in words."""
import re

import pytest
from django.core.cache import caches

from supervision import notifications
from supervision.team_services import concern_raise
from tests.factories import TeamFactory, UserFactory
from tests.factories_supervision import head_of_service, team_manager, worker_with_login

pytestmark = pytest.mark.django_db
SITE = "https://caseweight.northshire.example.gov.uk"


@pytest.fixture
def site(settings):
    settings.CASEWEIGHT_SITE_URL = SITE + "/"
    settings.CASEWEIGHT_AUTHORITY_NAME = "Northshire County Council"
    caches["default"].clear()  # the reset rate limit counts live in the shared cache
    yield
    caches["default"].clear()


def test_password_reset_email_links_to_the_site_url_not_the_request_host(client, mailoutbox, site, settings):
    settings.ALLOWED_HOSTS = ["testserver", "internal.example.com"]  # a host the server answers, e.g. behind a proxy
    user = UserFactory(username="sam.worker", email="sam@example.org", first_name="Sam", last_name="Worker")

    response = client.post("/accounts/password_reset/", {"email": "sam@example.org"}, HTTP_HOST="internal.example.com")

    assert response.status_code == 302
    [mail] = mailoutbox
    assert mail.subject == "Reset your Caseweight password (Northshire County Council)"
    links = re.findall(r"https?://\S+", mail.body)
    assert len(links) == 1 and links[0].startswith(f"{SITE}/accounts/reset/"), links
    assert "internal.example.com" not in mail.body and "testserver" not in mail.body
    assert mail.body.startswith("Dear Sam Worker,\n\nSomeone asked to reset the password of your Caseweight "
                                "account at Northshire County Council.")
    assert mail.body.rstrip().endswith("Northshire County Council · Caseweight")
    assert f"Your username is {user.username}." in mail.body
    # the link works: it opens the form to choose a new password
    confirm = client.get(links[0].removeprefix(SITE), follow=True)
    assert b"new password" in confirm.content.lower()


def test_concern_email_says_the_response_time_in_words_with_a_link_to_why(site):
    team = TeamFactory()
    team_manager(team, email="tess@example.org")
    head_of_service(team.service_area, email="hos@example.org")
    worker = worker_with_login(team)
    concern = concern_raise(worker=worker, raised_by=worker.user, text="Three court cases at once.")

    mail = notifications.concern_notice(concern)

    assert re.search(r"\b(?:R\d\d|REP-\d+|POL-\d+)\b", mail.body) is None
    assert ("An answer not given by then is sent on to the head of service. If the worker thinks the concern has "
            "not been dealt with swiftly and robustly, they can also go to the head of service themselves. Why:\n"
            f"{SITE}/supervision/help/rules/#worker-concern\n") in mail.body
    assert f"Read and answer the concern:\n{SITE}/supervision/concerns/{concern.pk}/\n" in mail.body
    assert mail.body.rstrip().endswith("Northshire County Council · Caseweight")
