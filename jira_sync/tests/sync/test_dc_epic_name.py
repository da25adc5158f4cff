"""Data Center refuses an epic without "Epic Name" (gh-epic-label), as real Jira DC does: the mapping finds
the field by its schema, and a push of an epic fills it from the title."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from jira_sync.jira import JiraBadRequest
from jira_sync.models import IssueLink, ProjectMapping, PushIntent
from jira_sync.services.push import push_intent
from jira_sync.testing.state import EPIC_LINK_FIELD, EPIC_NAME_FIELD


def push_pending() -> list[str]:
    return [
        push_intent(intent_id=pk)[0]
        for pk in PushIntent.objects.filter(done_at__isnull=True).order_by("pk").values_list("pk", flat=True)
    ]


def test_the_stand_in_refuses_a_data_center_epic_without_epic_name(dc, dc_client):
    # when
    with pytest.raises(JiraBadRequest) as refused:
        dc_client.create_issue({"project": {"key": "ABC"}, "issuetype": {"name": "Epic"}, "summary": "Checkout"})
    # then: Jira's own words, on the field
    assert refused.value.status == 400
    assert refused.value.errors == {EPIC_NAME_FIELD: "Epic Name is required."}
    assert "Epic Name is required." in str(refused.value)
    assert dc.calls("POST", r"/rest/api/2/issue$")[-1].status == 400
    assert not dc.state.issues


def test_a_data_center_mapping_records_epic_name_and_an_epic_push_fills_it(dc, make_mapping, product):
    # given
    mapping = make_mapping(dc)
    assert mapping.epic_name_field_id == EPIC_NAME_FIELD
    # when: an epic and a story under it are created here
    epic = backlog.epic_create(product=product, actor=None, title="Checkout revamp")
    story = backlog.story_create(product=product, actor=None, title="Pay by card", epic=epic)
    results = push_pending()
    # then
    assert results == ["created", "created"]
    jira_epic = dc.state.issues[IssueLink.objects.get(epic=epic).jira_issue_id]
    assert (jira_epic.summary, jira_epic.epic_name) == ("Checkout revamp", "Checkout revamp")
    create_epic = dc.calls("POST", r"/rest/api/2/issue$")[0]
    assert create_epic.body["fields"][EPIC_NAME_FIELD] == "Checkout revamp"
    create_story = dc.calls("POST", r"/rest/api/2/issue$")[1]
    assert EPIC_NAME_FIELD not in create_story.body["fields"]
    assert create_story.body["fields"][EPIC_LINK_FIELD] == jira_epic.key
    assert dc.state.issues[IssueLink.objects.get(story=story).jira_issue_id].parent_id == jira_epic.id


def test_a_mapping_made_before_epic_name_was_recorded_finds_it_on_the_first_epic_push(dc, make_mapping, product):
    # given: an older mapping, without the field
    mapping = make_mapping(dc)
    ProjectMapping.objects.filter(pk=mapping.pk).update(epic_name_field_id="")
    epic = backlog.epic_create(product=product, actor=None, title="Old mapping, new epic")
    # when
    assert push_pending() == ["created"]
    # then
    assert dc.state.issues[IssueLink.objects.get(epic=epic).jira_issue_id].epic_name == "Old mapping, new epic"
    mapping.refresh_from_db()
    assert mapping.epic_name_field_id == EPIC_NAME_FIELD


def test_cloud_epics_carry_no_epic_name(cloud, mapping, product):
    # given
    assert mapping.epic_name_field_id == ""
    backlog.epic_create(product=product, actor=None, title="Checkout")
    # when
    assert push_pending() == ["created"]
    # then
    (create,) = cloud.calls("POST", r"/rest/api/3/issue$")
    assert not any(name.startswith("customfield_101") for name in create.body["fields"])
