"""Connections keep credentials encrypted and out of sight; mappings take sensible defaults."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jira_sync.models import JiraConnection, StatusMapping
from jira_sync.services.connections import connection_create, connection_test, connection_update
from jira_sync.services.mappings import mapping_set_directions


def test_credentials_are_encrypted_at_rest_and_never_shown(cloud, workspace):
    # when
    connection, secret = connection_create(
        workspace=workspace,
        actor=None,
        site_url=cloud.url + "/",
        deployment="cloud",
        email=cloud.email,
        token="tok-123",
    )
    # then
    stored = JiraConnection.objects.values("token_encrypted", "webhook_secret_encrypted").get()
    assert "tok-123" not in str(stored) and secret not in str(stored)
    assert connection.site().api_token == "tok-123" and connection.webhook_secret() == secret
    for text in (str(connection), repr(connection), repr(connection.site())):
        assert "tok-123" not in text and secret not in text
    assert connection.site_url == cloud.url


def test_testing_a_connection_reports_in_words(cloud, workspace):
    # given
    connection, _ = connection_create(
        workspace=workspace, actor=None, site_url=cloud.url, deployment="cloud", email=cloud.email, token="wrong"
    )
    # when
    report = connection_test(connection=connection)
    # then
    assert not report.ok
    connection.refresh_from_db()
    assert connection.last_test_ok is False
    assert (
        connection.last_test_message
        == "Jira rejected the credentials (HTTP 401): check the e-mail address and API token."
    )
    # when: the right token (kept when an update gives none)
    connection = connection_update(connection=connection, actor=None, token=cloud.api_token)
    connection = connection_update(connection=connection, actor=None, conflict_policy="jira_wins")
    report = connection_test(connection=connection, project_key="ABC")
    # then
    assert report.ok
    connection.refresh_from_db()
    assert (connection.last_test_message, connection.account_id, connection.time_zone) == (
        "Connected as Sync Bot.",
        "557058:bot",
        "UTC",
    )


def test_a_mapping_takes_defaults_from_the_project(mapping, statuses):
    assert (mapping.epic_type_id, mapping.feature_type_id, mapping.story_type_id) == ("10100", "10101", "10102")
    assert (mapping.epic_level, mapping.feature_level, mapping.story_level) == (1, 0, 0)
    assert mapping.story_points_field_id == "customfield_10016"
    rows = {row.jira_status_name: row.workflow_status.name for row in StatusMapping.objects.filter(mapping=mapping)}
    assert rows == {"To Do": "To do", "In Progress": "In progress", "In Review": "In review", "Done": "Done"}


def test_field_directions_are_validated(mapping):
    with pytest.raises(ValidationError) as refused:
        mapping_set_directions(mapping=mapping, actor=None, directions={"summary": "sideways", "color": "two_way"})
    assert refused.value.message_dict["directions"] == [
        "“sideways” is not a direction for summary: use two_way, to_jira, from_jira or set_once.",
        "“color” is not a field the sync carries (choose from summary, description, points, priority, labels, "
        "assignee, parent, status).",
    ]
    mapping = mapping_set_directions(
        mapping=mapping, actor=None, directions={"summary": "from_jira", "assignee": "two_way"}
    )
    assert mapping.direction("summary") == "from_jira" and mapping.direction("labels") == "two_way"
    assert mapping.direction("assignee") == "two_way"  # pushed by e-mail (test_assignee_push.py)
