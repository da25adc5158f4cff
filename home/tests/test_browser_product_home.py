"""The product home in a real browser, under the production Content-Security-Policy."""

import re

import pytest

from backlog.tests.factories import StoryFactory
from roadmap.models import Lane
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.tests.factories import PASSWORD, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_open_a_product_and_switch_to_another(page, workspace, product, editor):
    # given
    other = ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    RoadmapItemFactory(roadmap=RoadmapFactory(product=product), title="Card vault", lane=Lane.NOW)
    StoryFactory(product=other, title="One-click pay", actor=editor)
    # when: sign in and open Payments from the landing page
    page.goto("/")
    page.get_by_label("Username").fill("eddie")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Payments").click()
    # then
    page.get_by_role("heading", name="Roadmap at a glance").wait_for()
    assert page.url.endswith(f"/p/{product.pk}/")
    assert (
        page.get_by_role("navigation", name="Payments")
        .get_by_role("link", name="Overview")
        .get_attribute("aria-current")
        == "page"
    )
    assert "Card vault" in page.locator("#overview-lanes").inner_text()
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("typeof window.Sortable") == "function"
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("htmx.config.responseHandling.some(r => r.code === '422' && r.swap)") is True
    # when: switch product with the switcher
    page.locator("details.switcher > summary").click()
    page.locator("details.switcher").get_by_role("link", name=re.compile("^Checkout")).click()
    # then
    page.wait_for_url(f"**/p/{other.pk}/")
    assert "created the story" in page.locator("#overview-activity").inner_text()
    assert "One-click pay" in page.locator("#overview-activity").inner_text()
    # when: an htmx POST from the page (the CSRF token must travel: the answer is 405, not a CSRF 403)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.evaluate(f"htmx.ajax('POST', '/p/{other.pk}/', {{target: '#flash', swap: 'none'}})")
    assert answer.value.status == 405
    assert answer.value.request.headers["x-csrftoken"]
    # then: nothing broke the policy
    assert page.csp_violations == []
