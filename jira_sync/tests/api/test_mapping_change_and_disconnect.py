"""PATCH and DELETE on /api/v1/jira/mappings/{id}/: change the issue types and fields (checked against the
project in the stand-in Jira, over real HTTP), disconnect the project (items kept, links archived, pending
pushes dropped); roles, tenancy, and errors in words."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from backlog import services as backlog
from jira_sync.models import Conflict, IssueLink, ProjectMapping, PushIntent
from jira_sync.tests.sync.conftest import connect

MAPPINGS = "/api/v1/jira/mappings/"


def test_an_admin_changes_the_story_type_and_points_field(token_client, mapping, admin_user):
    # when: our stories become Jira Tasks (10103), points not synced
    response = token_client(admin_user).patch(
        f"{MAPPINGS}{mapping.pk}/", {"story_type_id": "10103", "story_points_field_id": ""}
    )
    # then
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["story_type_id"], data["story_points_field_id"]) == ("10103", "")
    mapping.refresh_from_db()
    assert (mapping.story_type_id, mapping.story_level, mapping.story_points_field_id) == ("10103", 0, "")


def test_an_unknown_issue_type_is_a_400_in_words_and_nothing_changes(token_client, mapping, admin_user):
    client = token_client(admin_user)
    # when
    unknown = client.patch(f"{MAPPINGS}{mapping.pk}/", {"story_type_id": "999", "epic_type_id": "10101"})
    same = client.patch(f"{MAPPINGS}{mapping.pk}/", {"story_type_id": mapping.epic_type_id})
    no_field = client.patch(f"{MAPPINGS}{mapping.pk}/", {"story_points_field_id": "customfield_1"})
    # then
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {
        "story_type_id": [
            "Project ABC has no issue type 999; it has 10100 (Epic), 10101 (Feature), 10102 (Story), 10103 (Task)."
        ]
    }
    assert same.json()["error"]["fields"] == {
        "story_type_id": ["Our epics and stories need different Jira issue types."]
    }
    assert no_field.json()["error"]["fields"] == {"story_points_field_id": ["Jira has no field customfield_1."]}
    before = (mapping.epic_type_id, mapping.story_type_id, mapping.story_points_field_id)
    mapping.refresh_from_db()
    assert (mapping.epic_type_id, mapping.story_type_id, mapping.story_points_field_id) == before


def test_an_editor_may_not_change_or_disconnect(token_client, mapping, editor):
    client = token_client(editor)
    assert client.patch(f"{MAPPINGS}{mapping.pk}/", {"story_type_id": "10103"}).status_code == 403
    assert client.delete(f"{MAPPINGS}{mapping.pk}/").status_code == 403
    mapping.refresh_from_db()
    assert mapping.story_type_id == "10102"


def test_another_workspace_gets_404_and_nothing_changes(token_client, mapping, outsider):
    client = token_client(outsider)
    assert client.patch(f"{MAPPINGS}{mapping.pk}/", {"story_type_id": "10103"}).status_code == 404
    assert client.delete(f"{MAPPINGS}{mapping.pk}/").status_code == 404
    mapping.refresh_from_db()
    assert mapping.story_type_id == "10102"


def test_disconnect_keeps_items_archives_links_and_drops_pending_pushes(
    token_client, cloud, mapping, product, admin_user, workspace
):
    # given: a pulled story with an open conflict, and a change here not pushed yet
    issue = cloud.state.create_issue("ABC", "Story", "From Jira", author_id="557058:ann")
    from jira_sync.tasks import run_mapping

    run_mapping(mapping.pk, full=False)
    link = IssueLink.objects.get(jira_issue_id=issue.id)
    Conflict.objects.create(link=link, field="summary", base="a", ours="b", theirs="c")
    story = link.story
    backlog.story_update(story=story, actor=None, title="Changed here")
    assert PushIntent.objects.filter(done_at__isnull=True).count() == 1
    # when
    response = token_client(admin_user).delete(f"{MAPPINGS}{mapping.pk}/")
    # then
    assert response.status_code == 204
    assert not ProjectMapping.objects.exists()
    story.refresh_from_db()
    assert story.title == "Changed here"
    link.refresh_from_db()
    assert (link.mapping_id, link.archived_reason, link.story_id) == (None, "unmapped", story.pk)
    (intent,) = PushIntent.objects.all()
    assert intent.done_at is not None
    assert intent.last_error == "Not pushed: Payments was disconnected from Jira project ABC."
    assert Conflict.objects.get().status == "resolved"
    assert token_client(admin_user).get(f"{MAPPINGS}{mapping.pk}/").status_code == 404
    # and a change here no longer queues a push
    backlog.story_update(story=story, actor=None, title="After")
    assert PushIntent.objects.count() == 1
    # when: the product is mapped to the same project again
    again = token_client(admin_user).post(MAPPINGS, {"product": product.pk, "jira_project_key": "ABC"})
    # then: the link belongs to the new mapping (a pull reconnects it; test_mapping_disconnect.py)
    assert again.status_code == 201, again.json()
    link.refresh_from_db()
    assert link.mapping_id == again.json()["id"]


def test_disconnect_while_a_sync_runs_is_a_409_and_changes_nothing(token_client, mapping, admin_user):
    # given: a pull holds the mapping's lease
    ProjectMapping.objects.filter(pk=mapping.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    # when
    response = token_client(admin_user).delete(f"{MAPPINGS}{mapping.pk}/")
    # then
    assert response.status_code == 409
    assert "is running; disconnect once it has finished" in response.json()["error"]["message"]
    assert ProjectMapping.objects.filter(pk=mapping.pk).exists()


def test_a_mapping_of_another_workspace_cannot_be_created_for_mine(
    token_client, cloud, mapping, outsider, other_product
):
    # given: the outsider's own workspace is connected too
    connect(other_product.workspace, cloud)
    # when: they try to map a product of mine
    response = token_client(outsider).post(MAPPINGS, {"product": mapping.product_id, "jira_project_key": "ABC"})
    # then
    assert response.status_code == 400
    assert ProjectMapping.objects.count() == 1
