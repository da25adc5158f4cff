"""The same client against the Data Center stand-in: /rest/api/2, Bearer PAT, wiki markup, Epic Link."""

import pytest

from jira_sync.jira import JiraAuthenticationError, JiraClient, JiraSite
from jira_sync.testing.state import EPIC_LINK_FIELD


def test_server_info_and_identity(dc_client, jira_dc):
    # when
    info = dc_client.server_info()
    me = dc_client.myself()
    # then
    assert info.deployment_type == "DataCenter"
    assert me["name"] == "syncbot"
    assert "accountId" not in me
    assert jira_dc.calls("GET", "/rest/api/2/myself")[0].headers["Authorization"] == "Bearer bot-pat"


def test_a_bad_token_is_401(jira_dc):
    client = JiraClient(JiraSite.data_center(jira_dc.url, "wrong"))
    with pytest.raises(JiraAuthenticationError):
        client.myself()
    client.close()


def test_metadata(dc_client):
    project = dc_client.project("ABC")
    assert project["key"] == "ABC"
    assert [t["name"] for t in dc_client.issue_types_for_project(project["id"])][:3] == ["Epic", "Feature", "Story"]
    assert dc_client.project_statuses("ABC")[0]["statuses"][0]["statusCategory"]["key"] == "new"
    assert dc_client.field_by_schema("com.pyxis.greenhopper.jira:gh-epic-link")["id"] == EPIC_LINK_FIELD


def test_create_with_epic_link_and_wiki_description(dc_client, jira_dc):
    # given
    epic = jira_dc.state.create_issue("ABC", "Epic", "Checkout")
    story_type = jira_dc.state.type_named("Story").id
    # when
    created = dc_client.create_issue(
        {
            "project": {"key": "ABC"},
            "issuetype": {"id": story_type},
            "summary": "Pay",
            "description": dc_client.rich_text("As a buyer I want **cards**."),
            EPIC_LINK_FIELD: epic.key,
            "assignee": {"name": "syncbot"},
        }
    )
    issue = dc_client.get_issue(created.key, fields=["description", EPIC_LINK_FIELD, "assignee"])
    # then
    assert issue["fields"]["description"] == "As a buyer I want *cards*."
    assert dc_client.markdown(issue["fields"]["description"]) == "As a buyer I want **cards**."
    assert issue["fields"][EPIC_LINK_FIELD] == epic.key
    assert issue["fields"]["assignee"]["name"] == "syncbot"
    assert jira_dc.state.issues[created.id].parent_id == epic.id


def test_edit_transition_comment_link_property_delete(dc_client, jira_dc):
    # given
    issue = jira_dc.state.create_issue("ABC", "Story", "Walk")
    # when
    dc_client.edit_issue(issue.key, fields={"summary": "Run"})
    dc_client.transition_issue(issue.key, "11")
    dc_client.add_comment(issue.key, dc_client.rich_text("Done _soon_"))
    link = dc_client.upsert_remote_link(issue.key, global_id="tpm:1", url="https://tpm/1", title="PAY-1")
    dc_client.set_property(issue.key, "tpm.sync", {"v": 1})
    # then
    assert issue.summary == "Run"
    assert [t.id for t in dc_client.transitions(issue.key)] == ["21", "31", "41"]
    assert [c["body"] for c in dc_client.comments(issue.key)] == ["Done _soon_"]
    assert link[1] is True
    assert dc_client.get_property(issue.key, "tpm.sync") == {"v": 1}
    # when
    dc_client.delete_issue(issue.key)
    # then
    assert jira_dc.state.issues == {}


def test_changelog_comes_from_expand_on_data_center(dc_client, jira_dc):
    # given
    issue = jira_dc.state.create_issue("ABC", "Story", "a")
    jira_dc.state.edit_issue(issue, {"summary": "b"})
    jira_dc.state.edit_issue(issue, {"summary": "c"})
    # when
    histories = list(dc_client.changelog(issue.key))
    # then
    assert [h["items"][0]["toString"] for h in histories] == ["b", "c"]
    assert jira_dc.calls("GET", "/changelog$") == []


def test_old_search_serves_data_center(dc_client, jira_dc):
    # given
    jira_dc.state.create_issue("ABC", "Story", "one")
    # when
    response = dc_client.transport.request("GET", "/rest/api/2/search", params={"jql": "project = ABC"})
    # then
    body = response.json()
    assert (body["total"], body["startAt"], body["issues"][0]["fields"]["summary"]) == (1, 0, "one")
