"""Both sides changed the same field since the last sync: never a silent overwrite."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backlog import services as backlog
from backlog.models import Story
from jira_sync.models import Conflict, IssueLink, PushIntent
from jira_sync.services.merge import conflict_resolve
from jira_sync.services.push import push_intent
from jira_sync.tasks import run_mapping

from .conftest import HUMAN


def linked_story(cloud, mapping):
    issue = cloud.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, story_points=3)
    run_mapping(mapping.pk, full=False)
    return issue, Story.objects.get()


def both_change_title(cloud, issue, story):
    cloud.advance_time(timedelta(minutes=10))
    cloud.state.edit_issue(issue, {"summary": "Pay (Jira)"}, author_id=HUMAN)
    backlog.story_update(story=story, actor=None, title="Pay (here)")


def push_all():
    for pk in PushIntent.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        push_intent(intent_id=pk)


@pytest.mark.parametrize(
    ("policy", "title_here", "title_in_jira", "status", "resolution"),
    [
        ("jira_wins", "Pay (Jira)", "Pay (Jira)", "resolved", "jira"),
        ("workspace_wins", "Pay (here)", "Pay (here)", "resolved", "workspace"),
        ("ask", "Pay (here)", "Pay (Jira)", "open", ""),
    ],
)
def test_a_conflict_under_each_policy(cloud, make_mapping, policy, title_here, title_in_jira, status, resolution):
    # given
    mapping = make_mapping(cloud, policy=policy)
    issue, story = linked_story(cloud, mapping)
    both_change_title(cloud, issue, story)
    # when: the pull meets the conflict, then the outbox drains
    run, _ = run_mapping(mapping.pk, full=False)
    push_all()
    run_mapping(mapping.pk, full=False)
    # then
    assert run.counts()["conflicts"] == 1
    story.refresh_from_db()
    assert (story.title, issue.summary) == (title_here, title_in_jira)
    conflict = Conflict.objects.get()
    assert (conflict.field, conflict.base, conflict.ours, conflict.theirs) == (
        "summary",
        "Pay",
        "Pay (here)",
        "Pay (Jira)",
    )
    assert (conflict.status, conflict.resolution) == (status, resolution)


def test_an_asked_conflict_is_resolved_by_picking_a_side(
    cloud, make_mapping, editor, django_capture_on_commit_callbacks
):
    # given
    mapping = make_mapping(cloud, policy="ask")
    issue, story = linked_story(cloud, mapping)
    both_change_title(cloud, issue, story)
    run_mapping(mapping.pk, full=False)
    push_all()  # the pending push leaves the conflicting field alone
    assert issue.summary == "Pay (Jira)"
    conflict = Conflict.objects.get(status="open")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        conflict_resolve(conflict_id=conflict.pk, side="workspace", actor=editor)
    # then
    conflict.refresh_from_db()
    assert (conflict.status, conflict.resolution, conflict.resolved_by) == ("resolved", "workspace", editor)
    assert issue.summary == "Pay (here)"
    assert IssueLink.objects.get().base["summary"] == "Pay (here)"
    # and a later pull is quiet
    run, _ = run_mapping(mapping.pk, full=False)
    assert run.counts()["conflicts"] == 0 and run.counts()["updated"] == 0


def test_different_fields_changed_on_each_side_merge_without_conflict(cloud, mapping):
    # given
    issue, story = linked_story(cloud, mapping)
    cloud.advance_time(timedelta(minutes=10))
    cloud.state.edit_issue(issue, {"summary": "Pay (Jira)"}, author_id=HUMAN)
    backlog.story_update(story=story, actor=None, points=8)
    # when
    run, _ = run_mapping(mapping.pk, full=False)
    push_all()
    # then
    story.refresh_from_db()
    assert (story.title, story.points) == ("Pay (Jira)", 8)
    assert (issue.summary, issue.story_points) == ("Pay (Jira)", 8)
    assert run.counts()["conflicts"] == 0 and Conflict.objects.count() == 0
