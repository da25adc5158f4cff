"""Jira's real faults: a storm of failures converges with exact counts; a run cut short converges on rerun."""

from __future__ import annotations

from backlog import services as backlog
from backlog.models import Epic, Story
from jira_sync.models import IssueLink, PushIntent, SyncRun
from jira_sync.services.push import push_intent
from jira_sync.tasks import run_mapping

from .conftest import HUMAN


def seed(state, epics=5, stories_per_epic=30):
    for e in range(epics):
        epic = state.create_issue("ABC", "Epic", f"Epic {e}", author_id=HUMAN)
        for s in range(stories_per_epic):
            state.create_issue("ABC", "Story", f"Story {e}.{s}", author_id=HUMAN, parent=epic, story_points=s % 8)


def drain_outbox(rounds=10):
    for _ in range(rounds):
        pending = list(PushIntent.objects.filter(done_at__isnull=True).values_list("pk", flat=True))
        if not pending:
            return
        PushIntent.objects.filter(pk__in=pending).update(next_attempt_at=None)  # due now: what the sweep would find
        for pk in pending:
            push_intent(intent_id=pk)


def test_a_fault_storm_converges_with_exact_counts(cloud, mapping, product):
    # given: every third call fails (500 or a dropped connection), for ever
    seed(cloud.state)
    cloud.state.max_page_size = 10  # many pages, so many calls to fail
    cloud.fail(500, times=None, every=3)
    cloud.drop_connection(times=None, every=7)
    # when
    run, countdown = run_mapping(mapping.pk, full=False)
    # then
    assert countdown is None and run.status == SyncRun.Status.SUCCEEDED
    assert run.counts() == {"created": 155, "updated": 0, "archived": 0, "pushed": 0, "conflicts": 0, "errors": 0}
    assert (Epic.objects.count(), Story.objects.count(), IssueLink.objects.count()) == (5, 150, 155)
    assert run.pages == 17  # epics (1 page), features (1 empty page), stories (15)
    assert sum(1 for r in cloud.requests if r.fault) >= 5
    # and pushes under the same storm: creates whose answers are lost are found, not duplicated
    faults_before = sum(1 for r in cloud.requests if r.fault)
    epic = Epic.objects.first()
    for n in range(12):
        backlog.story_create(product=product, actor=None, title=f"Here {n}", epic=epic)
    drain_outbox()
    assert PushIntent.objects.filter(done_at__isnull=True).count() == 0
    created_here = sorted(i.summary for i in cloud.state.issues.values() if i.summary.startswith("Here"))
    assert created_here == sorted(f"Here {n}" for n in range(12))
    assert IssueLink.objects.count() == 167
    assert sum(1 for r in cloud.requests if r.fault) - faults_before >= 10


def test_a_run_cut_short_then_rerun_converges_without_duplicates(cloud, mapping):
    # given: the search breaks for good after the first page of stories (Jira down, worker killed: the
    # same to us): the epics' page, the features' (empty) page and 100 stories pass, then every search fails
    seed(cloud.state, epics=1, stories_per_epic=249)
    cloud.fail(500, times=None, after=3, path="/search/jql")
    # when
    first, _ = run_mapping(mapping.pk, full=False)
    cloud.faults.clear()
    second, _ = run_mapping(mapping.pk, full=False)
    third, _ = run_mapping(mapping.pk, full=False)
    # then
    assert first.status == SyncRun.Status.FAILED
    assert "Jira said: Internal server error. (HTTP 500)" in first.message
    assert first.counts()["created"] == 101 and first.pages == 3
    assert second.status == SyncRun.Status.SUCCEEDED and second.counts()["created"] == 149
    assert third.counts()["created"] == 0
    assert (Epic.objects.count(), Story.objects.count(), IssueLink.objects.count()) == (1, 249, 250)


def test_an_issue_jira_refuses_is_an_item_error_in_its_words(cloud, mapping):
    # given: a story too big for us (points at most 100)
    cloud.state.create_issue("ABC", "Story", "Huge", author_id=HUMAN, story_points=400)
    cloud.state.create_issue("ABC", "Story", "Fine", author_id=HUMAN, story_points=3)
    # when
    run, _ = run_mapping(mapping.pk, full=False)
    # then
    assert run.status == SyncRun.Status.SUCCEEDED
    assert (run.counts()["created"], run.counts()["errors"]) == (1, 1)
    (error,) = run.item_errors.all()
    assert error.jira_key == "ABC-1"
    assert "Split a story bigger than 100 points" in error.message
