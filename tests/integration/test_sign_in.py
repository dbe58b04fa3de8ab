"""Sign-in security through the real pages: lockout (site and admin), audit, password-reset limits,
idle sessions and no-store pages. Settings are the defaults: 5 failures, 15 minutes, 5 resets an hour,
30 idle minutes, signed out at browser close."""
from datetime import date, timedelta

import pytest
from axes.exceptions import AxesBackendRequestParameterRequired
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from tests.factories import TeamFactory, UserFactory
from tests.factories_supervision import started, team_manager, worker_with_login
from workload.signin import LOCKED_OUT_MESSAGE, PASSWORD_RESET_LIMITED_MESSAGE

pytestmark = pytest.mark.django_db

PASSWORD = "caseweight-test"  # UserFactory's
WRONG = "not-the-password"
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
RESET = "/accounts/password_reset/"
RESET_DONE = "/accounts/password_reset/done/"
LOCKED = LOCKED_OUT_MESSAGE.format(wait="15 minutes")
WRONG_PASSWORD = "Please enter a correct username and password."  # Django's own message, before the limit
NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    """Every sign-in here hashes a password; MD5 keeps the module quick. Lockout does not depend on the hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reset_limits():
    """The rate-limit counts live in the shared cache (Redis in the test run), not in the rolled-back database."""
    caches["default"].clear()
    yield
    caches["default"].clear()


def sign_in(client, username, password, *, url=LOGIN, address="127.0.0.1"):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def page(response) -> str:
    return response.content.decode()


# --- lockout -------------------------------------------------------------------------------------------


def test_five_wrong_passwords_pause_sign_in_with_a_message_even_for_the_right_password(client):
    UserFactory(username="sam.worker")

    tries = [sign_in(client, "sam.worker", WRONG) for _ in range(5)]
    assert [r.status_code for r in tries] == [400, 400, 400, 400, 429]
    assert [WRONG_PASSWORD in page(r) for r in tries] == [True, True, True, True, False]
    assert LOCKED in page(tries[4])

    right = sign_in(client, "sam.worker", PASSWORD)
    assert right.status_code == 429
    assert LOCKED in page(right)
    assert 'name="password"' in page(right) and 'value="sam.worker"' in page(right)  # the login form, filled in
    assert "_auth_user_id" not in client.session


def test_the_pause_is_for_one_username_from_one_address(client):
    UserFactory(username="sam.worker")
    UserFactory(username="kim.colleague")
    for _ in range(5):
        sign_in(client, "sam.worker", WRONG)

    results = [
        sign_in(client, "sam.worker", PASSWORD).status_code,  # locked
        sign_in(client, "kim.colleague", PASSWORD).status_code,  # a colleague at the same office
    ]
    client.logout()
    results.append(sign_in(client, "sam.worker", PASSWORD, address="10.1.2.3").status_code)  # elsewhere
    assert results == [429, 302, 302]


def test_behind_a_proxy_the_pause_follows_the_forwarded_address(client, settings):
    settings.CASEWEIGHT_REVERSE_PROXIES = 1
    UserFactory(username="sam.worker")
    proxy = "10.0.0.2"

    def through_proxy(password, client_address):
        return client.post(LOGIN, {"username": "sam.worker", "password": password},
                           REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.50, {client_address}")

    statuses = [through_proxy(WRONG, "198.51.100.7").status_code for _ in range(5)]
    statuses += [through_proxy(PASSWORD, "198.51.100.7").status_code, through_proxy(PASSWORD, "198.51.100.8").status_code]
    assert statuses == [400, 400, 400, 400, 429, 429, 302]
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_the_admin_login_is_paused_too(client):
    UserFactory(username="alex.admin", is_staff=True, is_superuser=True)

    statuses = [sign_in(client, "alex.admin", WRONG, url=ADMIN_LOGIN).status_code for _ in range(5)]
    right_at_admin = sign_in(client, "alex.admin", PASSWORD, url=ADMIN_LOGIN)
    right_at_site = sign_in(client, "alex.admin", PASSWORD)

    assert statuses + [right_at_admin.status_code, right_at_site.status_code] == [200, 200, 200, 200, 429, 429, 429]
    assert LOCKED in page(right_at_admin)
    assert "_auth_user_id" not in client.session


def test_sign_in_works_again_once_the_pause_is_over(client):
    UserFactory(username="sam.worker")
    for _ in range(5):
        sign_in(client, "sam.worker", WRONG)

    def last_failure_ago(delta):  # the pause runs from the last failed try, as axes records it
        AccessAttempt.objects.update(attempt_time=timezone.now() - delta)

    last_failure_ago(timedelta(minutes=14))
    early = sign_in(client, "sam.worker", PASSWORD)  # refused, and counted: the 15 minutes start again
    last_failure_ago(timedelta(minutes=15, seconds=1))
    after = sign_in(client, "sam.worker", PASSWORD)

    assert (early.status_code, after.status_code, after["Location"]) == (429, 302, "/")
    assert int(client.session["_auth_user_id"]) > 0


def test_a_successful_sign_in_starts_the_count_again(client):
    UserFactory(username="sam.worker")
    statuses = [sign_in(client, "sam.worker", WRONG).status_code for _ in range(4)]
    statuses.append(sign_in(client, "sam.worker", PASSWORD).status_code)
    client.post(reverse("logout"))
    statuses += [sign_in(client, "sam.worker", WRONG).status_code for _ in range(4)]
    statuses.append(sign_in(client, "sam.worker", PASSWORD).status_code)  # 8 failures in all, but never 5 in a row

    assert statuses == [400] * 4 + [302] + [400] * 4 + [302]
    assert AccessAttempt.objects.count() == 0


# --- audit ---------------------------------------------------------------------------------------------


def test_sign_ins_and_failed_sign_ins_are_audited(client):
    UserFactory(username="sam.worker")
    sign_in(client, "sam.worker", WRONG)
    sign_in(client, "sam.worker", PASSWORD)
    client.post(reverse("logout"))
    for _ in range(5):
        sign_in(client, "nobody.here", WRONG, address="10.9.8.7")

    failures = AccessFailureLog.objects.order_by("attempt_time", "pk")
    assert list(failures.values_list("username", "ip_address", "path_info", "locked_out")) == [
        ("sam.worker", "127.0.0.1", LOGIN, False),
        *[("nobody.here", "10.9.8.7", LOGIN, False)] * 4,
        ("nobody.here", "10.9.8.7", LOGIN, True),
    ]
    sign_in_log = AccessLog.objects.get()
    assert (sign_in_log.username, sign_in_log.ip_address, sign_in_log.path_info) == ("sam.worker", "127.0.0.1", LOGIN)
    assert sign_in_log.logout_time is not None


def test_the_sign_in_audit_is_read_only_in_the_admin(client):
    admin_user = UserFactory(username="alex.admin", is_staff=True, is_superuser=True)
    UserFactory(username="sam.worker")
    sign_in(client, "sam.worker", WRONG)
    sign_in(client, "sam.worker", PASSWORD)
    log, failure, attempt = AccessLog.objects.get(), AccessFailureLog.objects.get(), AccessAttempt.objects.create(
        username="kim.colleague", ip_address="10.0.0.5", user_agent="", get_data="", post_data="",
        http_accept="", path_info=LOGIN, failures_since_start=5)
    client.force_login(admin_user)

    def status(method, url):
        return getattr(client, method)(url).status_code

    audit = []
    for name, pk in (("accesslog", log.pk), ("accessfailurelog", failure.pk)):
        audit += [
            status("get", f"/admin/axes/{name}/"),
            status("get", f"/admin/axes/{name}/{pk}/change/"),  # the view-only page
            status("post", f"/admin/axes/{name}/{pk}/change/"),
            status("get", f"/admin/axes/{name}/{pk}/delete/"),
            status("get", f"/admin/axes/{name}/add/"),
        ]
    assert audit == [200, 200, 403, 403, 403] * 2
    assert "sam.worker" in page(client.get("/admin/axes/accessfailurelog/"))
    # Unlocking someone is deleting their attempt record, which stays possible.
    assert status("get", f"/admin/axes/accessattempt/{attempt.pk}/delete/") == 200


def test_test_clients_sign_in_with_force_login_or_login_with_a_request(client):
    """How tests sign in under axes (its documented way): force_login, or login() given a request."""
    UserFactory(username="sam.worker")
    with pytest.raises(AxesBackendRequestParameterRequired):
        client.login(username="sam.worker", password=PASSWORD)
    assert client.login(request=HttpRequest(), username="sam.worker", password=PASSWORD) is True
    assert client.get("/").status_code == 200


# --- password reset --------------------------------------------------------------------------------------


def ask_reset(client, email, *, address="127.0.0.1"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def test_password_reset_is_limited_per_email_address(client, mailoutbox, reset_limits):
    UserFactory(username="sam.worker", email="sam@example.org")
    spellings = ["sam@example.org", "Sam@Example.org", "SAM@example.org", "sam@EXAMPLE.org", "sam@example.org"]

    answers = [ask_reset(client, email) for email in spellings]
    refused = ask_reset(client, "sam@example.org")
    refused_elsewhere = ask_reset(client, "sam@example.org", address="10.1.2.3")

    assert [(r.status_code, r["Location"]) for r in answers] == [(302, RESET_DONE)] * 5
    assert (refused.status_code, refused_elsewhere.status_code) == (429, 429)
    assert f'<div class="invalid-feedback" id="email-error">{PASSWORD_RESET_LIMITED_MESSAGE}</div>' in page(refused)
    assert len(mailoutbox) == 5


def test_password_reset_is_limited_per_client_address(client, reset_limits):
    statuses = [ask_reset(client, f"person{n}@example.org").status_code for n in range(5)]
    statuses.append(ask_reset(client, "person5@example.org").status_code)
    statuses.append(ask_reset(client, "person5@example.org", address="10.1.2.3").status_code)
    assert statuses == [302, 302, 302, 302, 302, 429, 302]


def test_password_reset_answers_alike_whether_or_not_an_account_uses_the_address(client, mailoutbox, reset_limits):
    UserFactory(username="sam.worker", email="sam@example.org")

    def six_requests(email, address):
        answers = [ask_reset(client, email, address=address) for _ in range(6)]
        return [(r.status_code, r.get("Location"), PASSWORD_RESET_LIMITED_MESSAGE in page(r)) for r in answers]

    known = six_requests("sam@example.org", "10.0.0.1")
    unknown = six_requests("nobody@example.org", "10.0.0.2")
    assert known == unknown == [(302, RESET_DONE, False)] * 5 + [(429, None, True)]
    assert [message.to for message in mailoutbox] == [["sam@example.org"]] * 5


def test_a_malformed_email_is_a_400_with_the_message_next_to_the_field(client, reset_limits):
    response = ask_reset(client, "not-an-email")
    assert response.status_code == 400
    assert '<div class="invalid-feedback" id="email-error">Enter a valid email address.</div>' in page(response)


# --- sessions ------------------------------------------------------------------------------------------


def test_a_session_ends_after_30_idle_minutes_and_at_browser_close(client, settings):
    assert (settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST,
            settings.SESSION_EXPIRE_AT_BROWSER_CLOSE) == (30 * 60, True, True)
    UserFactory(username="sam.worker")
    response = sign_in(client, "sam.worker", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["expires"], cookie["max-age"]) == ("", "")  # a browser-session cookie: gone when it closes

    session = Session.objects.get(pk=cookie.value)

    def idle_left():
        session.refresh_from_db()
        return session.expire_date - timezone.now()

    assert timedelta(minutes=29, seconds=50) < idle_left() <= timedelta(minutes=30)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=1))  # 29 idle minutes
    assert client.get("/").status_code == 200
    assert timedelta(minutes=29, seconds=50) < idle_left() <= timedelta(minutes=30)  # the request moved it on

    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))  # 30 idle minutes
    after = client.get("/")
    assert (after.status_code, after["Location"]) == (302, "/accounts/login/?next=/")


# --- no-store ------------------------------------------------------------------------------------------


def test_an_entry_page_is_never_stored_but_a_signed_out_page_may_be(client):
    """Signed out: the reset page is left to the browser (Django itself marks the login page never-cache).
    Static files are the other exception; tests/unit/test_sign_in_units.py serves one."""
    team = TeamFactory()
    manager = team_manager(team)
    entry = started(worker_with_login(team), manager, date(2025, 7, 1))

    signed_out = client.get(RESET)
    client.force_login(manager)
    entry_page = client.get(reverse("supervision:entry-detail", args=[entry.pk]))
    fragment = client.post(reverse("supervision:entry-score", args=[entry.pk]), HTTP_HX_REQUEST="true")

    assert (signed_out.status_code, signed_out.has_header("Cache-Control")) == (200, False)
    assert (entry_page.status_code, entry_page["Cache-Control"]) == (200, NO_STORE)
    assert (fragment.status_code, fragment["Cache-Control"]) == (200, NO_STORE)
