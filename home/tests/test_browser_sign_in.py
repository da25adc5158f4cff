"""Signing in and out in a real browser, under the production Content-Security-Policy."""

import pytest

from backlog.tests.factories import StoryFactory
from workspaces.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_see_my_products_and_sign_out(page, product, editor):
    # given
    StoryFactory(product=product, points=8)
    # when
    page.goto("/")
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # then
    page.get_by_role("heading", name="Your workspaces").wait_for()
    assert page.get_by_role("row", name="Payments PAY").count() == 1
    assert page.csp_violations == []
    # when
    page.get_by_role("button", name="Sign out").click()
    # then
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.url.endswith("/login/")


def test_wrong_password_keeps_me_on_the_form_with_the_reason(page, editor):
    page.goto("/login/")
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").inner_text().startswith("Please enter a correct username and password")
    assert page.get_by_label("Username").input_value() == "eddie"
