"""An admin connects the workspace to the stand-in Jira, tests the connection, maps the product and
runs a dry run — in a real browser, under the production Content-Security-Policy."""

from __future__ import annotations

import re

import pytest

from core.tests.helpers import sign_in
from jira_sync.models import JiraConnection, ProjectMapping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HUMAN = "557058:ann"


def test_connect_test_map_and_dry_run(page, workspace, product, admin_user, jira):
    # given: Jira has an epic with a story
    jira.state.add_user(HUMAN, "Ann Analyst", "ann@example.com")
    epic = jira.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    jira.state.create_issue("ABC", "Story", "Pay by card", author_id=HUMAN, parent=epic)
    sign_in(page, "ada")
    # when: the connection is created
    page.goto(f"/w/{workspace.pk}/jira/")
    page.get_by_label("Site address").fill(jira.url)
    page.get_by_label("Cloud", exact=True).check()
    page.get_by_label("E-mail address").fill(jira.email)
    page.get_by_label("API token or personal access token").fill(jira.api_token)
    page.get_by_role("button", name="Connect").click()
    # then: the webhook secret is shown once
    page.get_by_label("Webhook secret — shown only now").wait_for()
    connection = JiraConnection.objects.get(workspace=workspace)
    assert page.get_by_label("Webhook secret — shown only now").input_value() == connection.webhook_secret()
    assert jira.api_token not in page.content()
    # when: the connection is tested
    page.get_by_role("button", name="Test connection").click()
    # then
    page.locator("#connection-test").get_by_text("Connected as Sync Bot.").wait_for()
    # when: the product is mapped to ABC
    page.goto(f"/p/{product.pk}/jira/")
    page.get_by_label("Jira project key").fill("ABC")
    page.get_by_role("button", name="Read the project").click()
    page.get_by_role("heading", name=re.compile("Issue types of ABC")).wait_for()
    page.wait_for_url(re.compile(r"project=ABC"))
    assert page.get_by_label("Story points field").input_value() == "customfield_10016"
    page.get_by_role("button", name="Map to ABC").click()
    page.get_by_role("button", name="Dry run").wait_for()
    assert ProjectMapping.objects.get(product=product).jira_project_key == "ABC"
    # when: a dry run
    page.get_by_role("button", name="Dry run").click()
    # then: the plan on each side
    page.get_by_role("heading", name="The plan").wait_for()
    plan = page.locator(".jira-plan").inner_text()
    assert "2 would be created here" in plan and "Pay by card" in plan and "Checkout" in plan
    assert "0 would be created in Jira" in plan
    assert page.csp_violations == []
