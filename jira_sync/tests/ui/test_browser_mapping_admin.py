"""An admin changes the story type of a mapping (asked of the stand-in Jira) and disconnects the project —
in a real browser, under the production Content-Security-Policy."""

from __future__ import annotations

import pytest

from core.tests.helpers import sign_in
from jira_sync.models import ProjectMapping

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_the_issue_types_then_disconnect(page, product, admin_user, mapped):
    sign_in(page, "ada")
    # when: an unknown choice cannot be made, so a bad type is the same as the epic one
    page.goto(f"/p/{product.pk}/jira/")
    page.get_by_role("link", name="Change issue types").click()
    page.get_by_role("heading", name="Issue types of ABC").wait_for()
    page.get_by_label("Our stories are Jira").select_option("10100")
    page.get_by_role("button", name="Save issue types").click()
    # then: the error in words, next to the field, focused
    page.get_by_text("Our epics and stories need different Jira issue types.").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_story_type_id"
    # when: Task instead
    page.get_by_label("Our stories are Jira").select_option("10103")
    page.get_by_role("button", name="Save issue types").click()
    # then
    page.get_by_text("Saved the issue types of ABC.").wait_for()
    assert ProjectMapping.objects.get().story_type_id == "10103"
    # when: disconnected after reading what happens
    page.get_by_role("link", name="Disconnect project…").click()
    page.get_by_role("heading", name="Disconnect Payments from ABC?").wait_for()
    page.get_by_role("button", name="Disconnect ABC").click()
    # then
    page.get_by_text("is no longer synced with Jira project ABC").wait_for()
    assert not ProjectMapping.objects.exists()
    assert page.csp_violations == []
