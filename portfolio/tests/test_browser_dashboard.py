"""The dashboard of the seeded demo in a real browser (Debian's Chromium): a superuser signs in to the
admin and sees the portfolio with its charts, under the Content-Security-Policy, without a violation."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from demo.seed import WORKSPACE_SLUG
from tpm_workspace.tests.test_browser_accessibility import AXE_SOURCE, AXE_TAGS, describe
from workspaces.models import Product
from workspaces.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_superuser_sees_the_demo_portfolio_with_its_charts(page):
    # given: the demo workspace, and a superuser
    call_command("seed_demo", stdout=StringIO())
    product = Product.objects.get(workspace__slug=WORKSPACE_SLUG, key="PAY")
    UserFactory(username="director", is_staff=True, is_superuser=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    # when: signing in through the admin's own form
    page.goto("/admin/")
    page.get_by_label("Username").fill("director")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Site administration", exact=True).wait_for()
    # then: the dashboard, its charts, and the admin's models below it
    assert page.get_by_role("heading", name="Acme Corp").is_visible()
    assert page.get_by_role("heading", name=product.name).is_visible()
    captions = (
        "Roadmap items by confidence",
        "Releases",
        "Milestones in the next 90 days",
        "Sign-offs waiting (oldest first)",
        "Decisions made in the last 30 days",
        "Jira sync health",
    )
    for caption in captions:
        assert (
            page.locator(f"#product-{product.pk} caption, #jira-{product.workspace_id} caption")
            .filter(has_text=caption)
            .count()
        ), caption
    strip = page.locator(f"svg.strip[data-product='{product.pk}']")
    assert strip.is_visible()
    assert strip.locator("rect.strip__bar").count() >= 5
    assert strip.locator("line.strip__today").count() == 1
    burnups = page.locator(f"#product-{product.pk} svg.burnup")
    assert burnups.count() >= 1
    assert burnups.first.locator("path.burnup__done").get_attribute("d").startswith("M")
    # the bars are coloured by the stylesheet (no style attribute: the CSP would block it)
    fill = strip.locator("rect.strip__bar").first.evaluate("el => getComputedStyle(el).fill")
    assert fill not in ("", "none", "rgb(0, 0, 0)")
    assert page.get_by_role("link", name="Skip to the models").is_visible()
    assert page.locator("#admin-models a[href='/admin/roadmap/milestone/']").count() >= 1
    # axe-core (WCAG 2.1 A/AA and best practices) on the dashboard, its reasons opened; the admin's own
    # chrome around it is Django's
    page.evaluate("() => document.querySelectorAll('.portfolio details').forEach(d => { d.open = true; })")
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run({include: [['section.portfolio']]}, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert result["passes"]
    assert result["violations"] == [], describe(result["violations"])
    # at a small laptop's width nothing scrolls sideways
    page.set_viewport_size({"width": 1024, "height": 768})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    assert page.csp_violations == []
