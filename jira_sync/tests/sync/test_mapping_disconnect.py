"""Disconnecting a project (mapping_delete) and mapping it again, against the stand-in over real HTTP: our
items are never touched or duplicated, and syncs in flight stop cleanly."""

from __future__ import annotations

from collections import Counter

from backlog import services as backlog
from backlog.models import Epic, Story
from jira_sync.models import IssueLink, ProjectMapping
from jira_sync.services.mappings import mapping_create, mapping_delete
from jira_sync.services.pull import context_for, load_mapping
from jira_sync.services.push import push_item
from jira_sync.tasks import run_mapping

from .conftest import HUMAN


def test_mapping_the_same_project_again_reconnects_every_item_without_duplicates(cloud, mapping, product):
    # given: a pulled epic with a story
    epic = cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    story = cloud.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    run_mapping(mapping.pk, full=False)
    connection = mapping.connection
    # when: disconnected, edited in Jira meanwhile, then mapped again and pulled
    result = mapping_delete(mapping=mapping, actor=None)
    cloud.state.edit_issue(story, {"summary": "Pay by card"}, author_id=HUMAN)
    again = mapping_create(connection=connection, product=product, actor=None, project_key="ABC")
    run, _ = run_mapping(again.pk, full=False)
    # then
    assert (result.project_key, result.links_archived) == ("ABC", 2)
    assert (Epic.objects.count(), Story.objects.count()) == (1, 1)
    assert run.counts()["created"] == 0
    assert Story.objects.get().title == "Pay by card"
    links = IssueLink.objects.order_by("jira_issue_id")
    assert [(link.mapping_id, link.archived_at) for link in links] == [(again.pk, None), (again.pk, None)]


def test_a_pull_queued_before_the_disconnect_does_nothing(cloud, mapping):
    # given
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    mapping_id = mapping.pk
    mapping_delete(mapping=mapping, actor=None)
    # when
    run, countdown = run_mapping(mapping_id, full=False)
    # then
    assert (run, countdown) == (None, None)
    assert not Epic.objects.exists()


def test_a_push_in_flight_when_the_project_is_disconnected_records_its_link_archived(cloud, mapping, product):
    # given: a push has loaded its mapping; then the project is disconnected
    ctx = context_for(load_mapping(mapping.pk))
    story = backlog.story_create(product=product, actor=None, title="Racing the disconnect")
    mapping_delete(mapping=mapping, actor=None)
    # when
    try:
        result = push_item(ctx, story, counts=Counter())
    finally:
        ctx.client.close()
    # then: the issue Jira created is remembered (archived), so that mapping again adopts it, never twice
    assert result == "created"
    link = IssueLink.objects.get(story=story)
    assert (link.mapping_id, link.archived_reason) == (None, IssueLink.ArchiveReason.UNMAPPED)
    assert not ProjectMapping.objects.exists()
    again = mapping_create(connection=ctx.connection, product=product, actor=None, project_key="ABC")
    run, _ = run_mapping(again.pk, full=False)
    assert Story.objects.count() == 1 and run.counts()["created"] == 0
    link.refresh_from_db()
    assert (link.mapping_id, link.archived_at) == (again.pk, None)
