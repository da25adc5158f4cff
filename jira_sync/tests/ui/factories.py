"""Jira sync rows without a Jira: for pages that only read them (query budgets, the tenancy walk).
Connections go through the service (the token is encrypted there); the rest is what a sync leaves."""

from __future__ import annotations

from typing import Any

from backlog.models import Story, WorkflowStatus
from backlog.tests.factories import StoryFactory
from jira_sync.models import Conflict, IssueLink, JiraConnection, ProjectMapping, StatusMapping, SyncItemError, SyncRun
from jira_sync.services.connections import connection_create
from workspaces.models import Product, Workspace

TOKEN = "s3cret-token-never-shown"


def connection_for(workspace: Workspace, *, site_url: str = "https://acme.atlassian.net") -> JiraConnection:
    existing = JiraConnection.objects.filter(workspace=workspace).first()
    if existing:
        return existing
    connection, _ = connection_create(
        workspace=workspace, actor=None, site_url=site_url, deployment="cloud", email="bot@example.com", token=TOKEN
    )
    return connection


def mapping_for(product: Product, connection: JiraConnection | None = None) -> ProjectMapping:
    connection = connection or connection_for(product.workspace)
    mapping, created = ProjectMapping.objects.get_or_create(
        product=product,
        defaults={
            "connection": connection,
            "jira_project_key": product.key,
            "jira_project_id": str(20000 + product.pk),
            "epic_type_id": "10100",
            "story_type_id": "10101",
        },
    )
    if created:
        for index, status in enumerate(WorkflowStatus.objects.filter(product=product).order_by("position", "pk")):
            StatusMapping.objects.create(
                mapping=mapping,
                jira_status_id=str(10000 + index),
                jira_status_name=status.name,
                jira_category={"todo": "new", "in_progress": "indeterminate"}.get(status.category, "done"),
                workflow_status=status,
            )
    return mapping


def run_for(
    mapping: ProjectMapping, *, status: str = SyncRun.Status.SUCCEEDED, errors: int = 0, **fields: Any
) -> SyncRun:
    run = SyncRun.objects.create(
        connection=mapping.connection, mapping=mapping, kind=SyncRun.Kind.PULL, status=status, **fields
    )
    for n in range(errors):
        SyncItemError.objects.create(
            run=run, jira_key=f"{mapping.jira_project_key}-{n + 1}", message=f"Jira said: Field 'x' is bad ({n})."
        )
    SyncRun.objects.filter(pk=run.pk).update(errors=errors)
    run.refresh_from_db()
    return run


def conflict_for(
    mapping: ProjectMapping, story: Story | None = None, *, field: str = "summary", status: str = "open"
) -> Conflict:
    story = story or StoryFactory(product=mapping.product)
    link, _ = IssueLink.objects.get_or_create(
        story=story,
        defaults={
            "connection": mapping.connection,
            "mapping": mapping,
            "jira_issue_id": str(50000 + story.pk),
            "jira_key": f"{mapping.jira_project_key}-{story.number}",
            "base": {"summary": story.title},
        },
    )
    return Conflict.objects.create(
        link=link,
        field=field,
        base=story.title,
        ours=f"{story.title} (here)",
        theirs=f"{story.title} (Jira)",
        status=status,
        resolution="" if status == "open" else "jira",
    )


def demo_jira(workspace: Workspace) -> None:
    """A connection, and per product a mapping, a run and an open conflict: the tenancy walk needs a row of each."""
    connection = connection_for(workspace)
    for product in Product.objects.filter(workspace=workspace):
        mapping = mapping_for(product, connection)
        run_for(mapping)
        story = Story.objects.filter(product=product).order_by("pk").first()
        if story is not None:
            conflict_for(mapping, story)
