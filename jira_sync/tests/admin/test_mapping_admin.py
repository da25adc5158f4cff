"""A mapping's issue types and fields change in the admin through mapping_update (checked against the project
in the stand-in Jira, over real HTTP), and deleting it disconnects the project through mapping_delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from backlog.tests.factories import StoryFactory
from jira_sync.models import IssueLink, ProjectMapping, StatusMapping
from jira_sync.tests.test_admin import mapping_fields, messages_of, staff_client, url
from workspaces.models import Role


@pytest.fixture
def admin_client(admin_user):
    return staff_client(admin_user)


def change_data(mapping: ProjectMapping, **changes: str) -> dict[str, str]:
    rows = list(StatusMapping.objects.filter(mapping=mapping).order_by("pk"))
    data = {
        **mapping_fields(mapping),
        "directions": "{}",
        "status_mappings-TOTAL_FORMS": str(len(rows)),
        "status_mappings-INITIAL_FORMS": str(len(rows)),
        "status_mappings-MIN_NUM_FORMS": "0",
        "status_mappings-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data[f"status_mappings-{i}-id"] = str(row.pk)
        data[f"status_mappings-{i}-mapping"] = str(mapping.pk)
        data[f"status_mappings-{i}-workflow_status"] = str(row.workflow_status_id)
    return data | changes


def test_a_workspace_admin_changes_the_story_type_through_the_service(admin_client, mapping):
    # when
    response = admin_client.post(
        url("projectmapping", f"{mapping.pk}/change/"), change_data(mapping, story_type_id="10103")
    )
    # then
    assert response.status_code == 302, response.content.decode()[:3000]
    mapping.refresh_from_db()
    assert (mapping.story_type_id, mapping.story_level) == ("10103", 0)


def test_an_unknown_issue_type_is_refused_in_words_and_nothing_changes(admin_client, mapping):
    # when
    response = admin_client.post(
        url("projectmapping", f"{mapping.pk}/change/"), change_data(mapping, story_type_id="999"), follow=True
    )
    # then
    assert any("Project ABC has no issue type 999; it has 10100 (Epic)" in m for m in messages_of(response))
    mapping.refresh_from_db()
    assert mapping.story_type_id == "10102"


def test_jira_down_is_refused_in_words(admin_client, mapping, cloud):
    cloud.fail(503, times=None)
    response = admin_client.post(
        url("projectmapping", f"{mapping.pk}/change/"), change_data(mapping, story_type_id="10103"), follow=True
    )
    assert any("Jira could not tell what project ABC offers" in m for m in messages_of(response))
    mapping.refresh_from_db()
    assert mapping.story_type_id == "10102"


def test_deleting_a_mapping_disconnects_the_project_and_keeps_the_items(admin_client, mapping, product):
    # given
    story = StoryFactory(product=product, title="Keep me")
    IssueLink.objects.create(
        connection=mapping.connection, mapping=mapping, jira_issue_id="10042", jira_key="ABC-42", story=story
    )
    # when: the confirmation page, then yes
    page = admin_client.get(url("projectmapping", f"{mapping.pk}/delete/"))
    assert page.status_code == 200 and "the Jira project is disconnected" in page.content.decode()
    response = admin_client.post(url("projectmapping", f"{mapping.pk}/delete/"), {"post": "yes"})
    # then
    assert response.status_code == 302
    assert not ProjectMapping.objects.exists()
    story.refresh_from_db()
    link = IssueLink.objects.get()
    assert (story.title, link.story_id, link.archived_reason) == ("Keep me", story.pk, "unmapped")


def test_a_disconnect_while_a_sync_runs_is_refused(admin_client, mapping):
    ProjectMapping.objects.filter(pk=mapping.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    response = admin_client.post(url("projectmapping", f"{mapping.pk}/delete/"), {"post": "yes"}, follow=True)
    assert any("is running; disconnect once it has finished" in m for m in messages_of(response))
    assert ProjectMapping.objects.filter(pk=mapping.pk).exists()


def test_an_editor_and_another_workspace_cannot_change_or_delete(mapping, member_factory, outsider):
    editor = staff_client(member_factory(Role.EDITOR, user__username="eddie"))
    other = staff_client(outsider)
    change, delete = url("projectmapping", f"{mapping.pk}/change/"), url("projectmapping", f"{mapping.pk}/delete/")
    data = change_data(mapping, story_type_id="10103")
    # an editor sees the mapping but may not change it
    assert editor.post(change, data).status_code == 403
    assert editor.post(delete, {"post": "yes"}).status_code == 403
    # another workspace's admin is told it does not exist (sent back to the admin's index)
    for response in (other.post(change, data), other.post(delete, {"post": "yes"})):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    mapping.refresh_from_db()
    assert (mapping.story_type_id, ProjectMapping.objects.count()) == ("10102", 1)
