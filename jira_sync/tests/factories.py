"""Jira sync rows made without Jira: a connection, a mapping with status rows, a link, a run with an item
error and a conflict — for API, admin and tenancy tests that need rows rather than traffic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backlog.models import Story, WorkflowStatus
from jira_sync.models import Conflict, IssueLink, JiraConnection, ProjectMapping, StatusMapping, SyncItemError, SyncRun
from jira_sync.services.connections import connection_create

TOKEN = "jira-api-token-SHOULD-NEVER-SHOW-9f3c"


@dataclass
class JiraRows:
    connection: JiraConnection
    secret: str
    mapping: ProjectMapping
    link: IssueLink
    run: SyncRun
    conflict: Conflict


def jira_rows(
    workspace: Any, product: Any, story: Story | None = None, *, site: str = "https://acme.atlassian.net"
) -> JiraRows:
    connection, secret = connection_create(
        workspace=workspace,
        actor=None,
        site_url=site,
        deployment="cloud",
        email="bot@example.com",
        token=TOKEN,
    )
    mapping = ProjectMapping.objects.create(
        connection=connection,
        product=product,
        jira_project_key="ABC",
        jira_project_id="10000",
        epic_type_id="10001",
        story_type_id="10002",
        story_points_field_id="customfield_10016",
    )
    for jira_id, name, category in (
        ("1", "To Do", "new"),
        ("3", "In Progress", "indeterminate"),
        ("5", "Done", "done"),
    ):
        ours = WorkflowStatus.objects.filter(product=product).order_by("position", "pk").first()
        if ours is not None:
            StatusMapping.objects.create(
                mapping=mapping,
                jira_status_id=jira_id,
                jira_status_name=name,
                jira_category=category,
                workflow_status=ours,
            )
    story = story or Story.objects.filter(product=product).order_by("pk").first()
    link = IssueLink.objects.create(
        connection=connection,
        mapping=mapping,
        jira_issue_id="10042",
        jira_key="ABC-42",
        story=story,
        base={"summary": "Old title"},
    )
    run = SyncRun.objects.create(connection=connection, mapping=mapping, kind=SyncRun.Kind.PULL, pages=1, errors=1)
    SyncItemError.objects.create(run=run, jira_issue_id="10043", jira_key="ABC-43", message="Jira said: no.")
    conflict = Conflict.objects.create(link=link, field="summary", base="Old title", ours="Ours", theirs="Theirs")
    return JiraRows(connection, secret, mapping, link, run, conflict)
