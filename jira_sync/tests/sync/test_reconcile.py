"""Full reconcile: deletes and moves, which incremental search cannot see; archived here, never destroyed."""

from __future__ import annotations

from backlog.models import Epic, Story
from jira_sync.models import IssueLink, SyncRun
from jira_sync.tasks import run_mapping

from .conftest import HUMAN


def test_deleted_and_moved_issues_are_archived_and_a_moved_issue_keeps_its_link(cloud, mapping):
    # given
    state = cloud.state
    state.add_project("XYZ", "Elsewhere")
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    moved = state.create_issue("ABC", "Story", "Moves away", author_id=HUMAN, parent=epic)
    deleted = state.create_issue("ABC", "Story", "Deleted", author_id=HUMAN, parent=epic)
    state.create_issue("ABC", "Story", "Stays", author_id=HUMAN, parent=epic)
    run_mapping(mapping.pk, full=False)
    # when
    state.move_issue(moved, "XYZ", author_id=HUMAN)
    state.delete_issue(deleted, author_id=HUMAN)
    late = state.create_issue("ABC", "Story", "Created meanwhile", author_id=HUMAN)
    run, _ = run_mapping(mapping.pk, full=True)
    again, _ = run_mapping(mapping.pk, full=True)
    # then
    assert (run.kind, run.status) == (SyncRun.Kind.FULL, SyncRun.Status.SUCCEEDED)
    assert (run.counts()["archived"], run.counts()["created"]) == (2, 1)
    assert (again.counts()["archived"], again.counts()["created"]) == (0, 0)
    moved_link = IssueLink.objects.get(jira_issue_id=moved.id)
    assert (moved_link.jira_key, moved_link.archived_reason) == ("XYZ-1", IssueLink.ArchiveReason.MOVED_OUT)
    assert moved_link.story.title == "Moves away"
    assert IssueLink.objects.get(jira_issue_id=deleted.id).archived_reason == IssueLink.ArchiveReason.DELETED_IN_JIRA
    assert Story.objects.count() == 4 and Epic.objects.count() == 1  # nothing destroyed
    assert IssueLink.objects.get(jira_issue_id=late.id).story.title == "Created meanwhile"
    mapping.refresh_from_db()
    assert mapping.last_full_sync_at is not None
    # and a sweep asks Jira for ids only
    sweep = next(c for c in cloud.calls("POST", "/search/jql$") if c.body["fields"] == ["id"])
    assert sweep.body["maxResults"] == 5000


def test_a_moved_issue_coming_back_is_linked_again(cloud, mapping):
    # given
    state = cloud.state
    state.add_project("XYZ", "Elsewhere")
    issue = state.create_issue("ABC", "Epic", "Wanderer", author_id=HUMAN)
    run_mapping(mapping.pk, full=False)
    state.move_issue(issue, "XYZ", author_id=HUMAN)
    run_mapping(mapping.pk, full=True)
    # when
    state.move_issue(issue, "ABC", author_id=HUMAN)
    run_mapping(mapping.pk, full=False)
    # then
    link = IssueLink.objects.get()
    assert (link.archived_at, link.jira_key) == (None, "ABC-2")
    assert Epic.objects.count() == 1
