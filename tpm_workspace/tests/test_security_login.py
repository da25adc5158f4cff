"""Sign-in throttling against password guessing (django-axes, core/login_throttle.py).

After AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair is refused — even
with the right password — with a page that says so and when to try again (429), on the sign-in page and
the admin's. Other people, and the same person from another address, sign in as usual.
"""

from __future__ import annotations

import time
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client

from workspaces.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LIMIT = 5  # settings.AXES_FAILURE_LIMIT (LOGIN_FAILURE_LIMIT)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def page_text(response) -> str:
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(" ".join(parser.parts).split())


def sign_in(client: Client, username: str, password: str, *, path: str = "/login/", address: str = "127.0.0.1"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int, *, already: int = 0, **kwargs):
    """`times` wrong passwords (after `already` others): the form again with its error, until the limit is
    reached — the failure that reaches it already answers with the lockout page. Returns the last answer."""
    for number in range(already + 1, already + times + 1):
        response = sign_in(client, username, "not-the-password", **kwargs)
        if number < LIMIT:
            assert response.status_code == 200
            assert "correct username and password" in page_text(response)
        else:
            assert response.status_code == 429
            assert "Sign-in paused" in page_text(response)
    return response


def test_the_limit_is_the_setting(settings):
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_after_the_limit_the_right_password_is_refused_in_words(editor):
    # given
    client = Client()
    fail(client, "eddie", LIMIT)
    # when
    response = sign_in(client, "eddie", PASSWORD)
    # then
    assert response.status_code == 429
    text = page_text(response)
    assert "Sign-in paused" in text
    assert "Too many failed sign-ins for “eddie” from this address" in text
    assert "after 5 wrong passwords in a row, signing in is paused for 15 minutes" in text
    assert "Try again after" in text and "(in 15 minutes)" in text
    assert not signed_in(client)
    assert client.get("/").status_code == 302  # still sent to sign in


def test_one_failure_fewer_than_the_limit_still_signs_in(editor):
    # given
    client = Client()
    fail(client, "eddie", LIMIT - 1)
    # when
    response = sign_in(client, "eddie", PASSWORD)
    # then
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_a_success_starts_the_count_again(editor):
    # given
    client = Client()
    fail(client, "eddie", LIMIT - 1)
    assert sign_in(client, "eddie", PASSWORD).status_code == 302
    client.post("/logout/")
    fail(client, "eddie", LIMIT - 1)
    # when
    response = sign_in(client, "eddie", PASSWORD)
    # then
    assert response.status_code == 302
    assert signed_in(client)


def test_after_the_cool_off_the_right_password_works(editor, settings):
    # given: locked out
    client = Client()
    fail(client, "eddie", LIMIT)
    assert sign_in(client, "eddie", PASSWORD).status_code == 429
    # when: the cool-off (counted from the last attempt) has passed
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    time.sleep(1.2)
    response = sign_in(client, "eddie", PASSWORD)
    # then
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_other_people_and_other_addresses_are_unaffected(editor, contributor):
    # given: eddie is locked out from 127.0.0.1
    fail(Client(), "eddie", LIMIT)
    assert sign_in(Client(), "eddie", PASSWORD).status_code == 429
    # when: cora signs in from the same address, and eddie from another one
    cora, eddie_elsewhere = Client(), Client()
    cora_response = sign_in(cora, "cora", PASSWORD)
    eddie_response = sign_in(eddie_elsewhere, "eddie", PASSWORD, address="192.0.2.10")
    # then
    assert cora_response.status_code == 302 and signed_in(cora)
    assert eddie_response.status_code == 302 and signed_in(eddie_elsewhere)


def test_the_admin_login_is_throttled_too(admin_user):
    # given: a staff user guessing at the admin's sign-in page
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client = Client()
    fail(client, "ada", LIMIT, path="/admin/login/?next=/admin/")
    # when
    response = sign_in(client, "ada", PASSWORD, path="/admin/login/?next=/admin/")
    # then
    assert response.status_code == 429
    text = page_text(response)
    assert "Too many failed sign-ins for “ada” from this address" in text
    assert "Try again after" in text
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302


def test_failures_on_either_page_count_together(editor):
    # given
    client = Client()
    fail(client, "eddie", LIMIT - 2)
    fail(client, "eddie", 2, already=LIMIT - 2, path="/admin/login/?next=/admin/")
    # when
    response = sign_in(client, "eddie", PASSWORD)
    # then
    assert response.status_code == 429


def test_an_unknown_username_is_throttled_like_a_known_one(db):
    # given: guessing at a name that does not exist says nothing different
    client = Client()
    fail(client, "nobody", LIMIT)
    # when
    response = sign_in(client, "nobody", "whatever")
    # then
    assert response.status_code == 429
    assert "for “nobody”" in page_text(response)


def test_the_username_on_the_lockout_page_is_escaped(db):
    # given
    hostile = '<script>window.__xss=1</script>"><img src=x onerror=alert(1)>'
    client = Client()
    fail(client, hostile, LIMIT)
    # when
    response = sign_in(client, hostile, "whatever")
    # then
    assert response.status_code == 429
    body = response.content.decode()
    assert "<script>window.__xss" not in body
    assert "<img src=x" not in body


def test_signing_in_without_a_request_is_not_blocked(editor):
    """The test client's login() and a shell call authenticate() without a request: not a guess over the network."""
    # given: the pair is locked out over HTTP
    fail(Client(), "eddie", LIMIT)
    # when / then
    assert Client().login(username="eddie", password=PASSWORD) is True


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_lockout_is_a_page_in_words_under_the_csp(page, editor):
    # given
    page.goto("/login/")
    for _ in range(LIMIT - 1):
        page.get_by_label("Username").fill("eddie")
        page.get_by_label("Password").fill("not-the-password")
        with page.expect_event("load"):  # the refusal's own page, not the alert of the one before
            page.get_by_role("button", name="Sign in").click()
        page.get_by_role("alert").wait_for()
    # when: the last wrong password, then the right one
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Sign-in paused").wait_for()
    page.get_by_role("link", name="Back to the sign-in page").click()
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # then
    page.get_by_role("heading", name="Sign-in paused").wait_for()
    assert "Try again after" in page.get_by_role("alert").inner_text()
    assert page.url.endswith("/login/")
    assert page.csp_violations == []
