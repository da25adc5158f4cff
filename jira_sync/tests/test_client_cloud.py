"""The client against the Cloud stand-in, one endpoint at a time."""

import pytest

from jira_sync.jira import JiraBadRequest, JiraGone, JiraNotFound
from jira_sync.testing.state import STORY_POINTS_FIELD


def test_server_info_and_myself(cloud_client, jira):
    # when
    info = cloud_client.server_info()
    me = cloud_client.myself()
    # then
    assert info.deployment_type == "Cloud"
    assert info.is_cloud
    assert me["accountId"] == "557058:bot"
    assert me["timeZone"] == "UTC"
    assert jira.calls("GET", "/rest/api/3/myself")[0].headers["Authorization"].startswith("Basic ")


def test_project_metadata(cloud_client):
    # when
    project = cloud_client.project("ABC")
    statuses = cloud_client.project_statuses("ABC")
    types = cloud_client.issue_types_for_project(project["id"])
    # then
    assert project["key"] == "ABC"
    assert {t["name"]: t["hierarchyLevel"] for t in types} == {
        "Epic": 1,
        "Feature": 0,
        "Story": 0,
        "Task": 0,
        "Sub-task": -1,
    }
    categories = {s["name"]: (s["statusCategory"]["key"], s["statusCategory"]["id"]) for s in statuses[0]["statuses"]}
    assert categories == {
        "To Do": ("new", 2),
        "In Progress": ("indeterminate", 4),
        "In Review": ("indeterminate", 4),
        "Done": ("done", 3),
    }
    assert len(cloud_client.issue_types()) == 5


def test_story_points_field_is_found_by_schema(cloud_client):
    # when
    field = cloud_client.field_by_schema("com.pyxis.greenhopper.jira:jsw-story-points")
    # then
    assert field["id"] == STORY_POINTS_FIELD


def test_create_read_edit_delete_issue(cloud_client, jira):
    # given
    epic = jira.state.create_issue("ABC", "Epic", "Checkout")
    story_type = jira.state.type_named("Story").id
    # when
    created = cloud_client.create_issue(
        {
            "project": {"key": "ABC"},
            "issuetype": {"id": story_type},
            "summary": "Pay by card",
            "parent": {"key": epic.key},
            "description": cloud_client.rich_text("As a buyer I want **cards**."),
            "labels": ["tpm-42"],
            STORY_POINTS_FIELD: 5,
        }
    )
    cloud_client.edit_issue(created.key, fields={"summary": "Pay by card or wallet"}, update={"labels": [{"add": "x"}]})
    issue = cloud_client.get_issue(
        created.id, fields=["summary", "parent", "labels", "description", STORY_POINTS_FIELD]
    )
    # then
    assert created.key == "ABC-2"
    assert issue["fields"]["summary"] == "Pay by card or wallet"
    assert issue["fields"]["parent"]["key"] == epic.key
    assert issue["fields"]["labels"] == ["tpm-42", "x"]
    assert issue["fields"][STORY_POINTS_FIELD] == 5
    assert cloud_client.markdown(issue["fields"]["description"]) == "As a buyer I want **cards**."
    # when
    cloud_client.delete_issue(created.key)
    # then
    with pytest.raises(JiraNotFound):
        cloud_client.get_issue(created.key)


def test_a_plain_string_description_is_refused_in_words(cloud_client, jira):
    # given
    story_type = jira.state.type_named("Story").id
    # when
    with pytest.raises(JiraBadRequest) as caught:
        cloud_client.create_issue(
            {"project": {"key": "ABC"}, "issuetype": {"id": story_type}, "summary": "x", "description": "plain"}
        )
    # then
    assert str(caught.value) == (
        "Jira said: description: Operation value must be an Atlassian Document (see the Atlassian Document Format). "
        "(HTTP 400)"
    )
    assert caught.value.errors == {
        "description": "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
    }
    assert jira.state.issues == {}


def test_transitions_follow_the_workflow(cloud_client, jira):
    # given
    issue = jira.state.create_issue("ABC", "Story", "Walk")
    # when
    available = cloud_client.transitions(issue.key)
    cloud_client.transition_issue(issue.key, "11")
    # then
    assert [(t.id, t.to_category) for t in available] == [("11", "indeterminate")]
    assert jira.state.statuses[issue.status_id].name == "In Progress"
    with pytest.raises(JiraBadRequest, match="Transition id '11' is not valid"):
        cloud_client.transition_issue(issue.key, "11")
    assert [t.id for t in cloud_client.transitions(issue.key)] == ["21", "31", "41"]


def test_changelog_pages_oldest_first(cloud_client, jira):
    # given
    issue = jira.state.create_issue("ABC", "Story", "v0")
    for number in range(1, 131):
        jira.state.edit_issue(issue, {"summary": f"v{number}"})
    # when
    histories = list(cloud_client.changelog(issue.key))
    # then
    assert len(histories) == 130
    assert histories[0]["items"][0]["toString"] == "v1"
    assert histories[-1]["items"][0]["toString"] == "v130"
    assert len(jira.calls("GET", "/changelog$")) == 2


def test_comments_add_and_list(cloud_client, jira):
    # given
    issue = jira.state.create_issue("ABC", "Story", "Talk")
    # when
    cloud_client.add_comment(issue.key, cloud_client.rich_text("Looks *good*"))
    comments = list(cloud_client.comments(issue.key))
    # then
    assert [cloud_client.markdown(c["body"]) for c in comments] == ["Looks *good*"]


def test_remote_link_upserts_by_global_id(cloud_client, jira):
    # given
    issue = jira.state.create_issue("ABC", "Story", "Linked")
    # when
    first = cloud_client.upsert_remote_link(issue.key, global_id="tpm:story:42", url="https://tpm/s/42", title="PAY-1")
    second = cloud_client.upsert_remote_link(
        issue.key, global_id="tpm:story:42", url="https://tpm/s/42", title="PAY-1 renamed", resolved=True
    )
    # then
    assert first[1] is True
    assert second == (first[0], False)
    assert [link["object"]["title"] for link in cloud_client.remote_links(issue.key)] == ["PAY-1 renamed"]
    assert cloud_client.remote_link(issue.key, "tpm:story:42")["object"]["status"] == {"resolved": True}
    assert cloud_client.remote_link(issue.key, "tpm:story:404") is None


def test_issue_properties(cloud_client, jira):
    # given
    issue = jira.state.create_issue("ABC", "Story", "Props")
    # when
    created = cloud_client.set_property(issue.key, "tpm.sync", {"hash": "a1"})
    replaced = cloud_client.set_property(issue.key, "tpm.sync", {"hash": "b2"})
    # then
    assert (created, replaced) == (True, False)
    assert cloud_client.get_property(issue.key, "tpm.sync") == {"hash": "b2"}
    assert cloud_client.get_property(issue.key, "missing") is None


def test_a_moved_issue_is_found_by_its_old_key(cloud_client, jira):
    # given
    jira.state.add_project("XYZ", "Other")
    issue = jira.state.create_issue("ABC", "Story", "Mover")
    jira.state.move_issue(issue, "XYZ")
    # when
    found = cloud_client.get_issue("ABC-1", fields=["summary"])
    # then
    assert (found["id"], found["key"]) == (issue.id, "XYZ-1")


def test_the_old_search_is_gone_on_cloud(cloud_client, jira):
    # when
    with pytest.raises(JiraGone) as caught:
        cloud_client.transport.request("GET", "/rest/api/3/search", params={"jql": "project = ABC"})
    # then
    assert "CHANGE-2046" in str(caught.value)
    assert caught.value.status == 410


def test_anonymous_sees_nothing(jira):
    # given
    from jira_sync.jira import JiraClient, JiraSite

    jira.state.create_issue("ABC", "Story", "Secret")
    anonymous = JiraClient(JiraSite.cloud(jira.url, "", ""))
    # when
    found = list(anonymous.search_issues("project = ABC", fields=["summary"]))
    # then
    assert found == []
    with pytest.raises(JiraNotFound):
        anonymous.project("ABC")
    anonymous.close()
