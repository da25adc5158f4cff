"""The tasks in a real Celery worker on Redis: push after commit, pull, webhooks, Jira's long waits."""

from __future__ import annotations

import pytest

from backlog import services as backlog
from backlog.models import Story
from jira_sync import tasks
from jira_sync.models import IssueLink, JiraWebhookEvent, SyncRun

from .conftest import HUMAN, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_story_saved_here_reaches_jira_through_redis_and_a_worker(cloud, mapping, product, worker):
    # when
    story = backlog.story_create(product=product, actor=None, title="Pushed by a worker", points=3)
    # then
    assert wait_for(lambda: IssueLink.objects.filter(story=story, remote_link_id__gt="").exists())
    (issue,) = cloud.state.issues.values()
    assert (issue.summary, issue.story_points) == ("Pushed by a worker", 3)


def test_the_pull_task_runs_in_the_worker(cloud, mapping, worker):
    # given
    epic = cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    cloud.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    # when
    tasks.pull_mapping.delay(mapping.pk)
    # then
    assert wait_for(lambda: SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).exists())
    assert SyncRun.objects.get().counts()["created"] == 2
    assert Story.objects.get().epic.title == "Checkout"


@pytest.mark.urls("jira_sync.tests.sync.urls")
def test_webhook_events_are_processed_by_the_worker(cloud, mapping, live_server, worker):
    # given
    url = f"{live_server.url}/jira/webhooks/{mapping.connection.webhook_key}/"
    hooks = cloud.webhooks(url, secret=mapping.webhook_secret_plain, max_retries=0)
    cloud.state.create_issue("ABC", "Epic", "From a webhook", author_id=HUMAN)
    # when
    (delivery,) = hooks.flush()
    # then
    assert delivery.status == 202
    assert wait_for(lambda: JiraWebhookEvent.objects.filter(outcome="created").exists())
    assert IssueLink.objects.get().epic.title == "From a webhook"


def test_a_long_rate_limit_wait_requeues_the_task_and_keeps_its_run(cloud, mapping, worker):
    # given: Jira asks for 3 s, longer than the client sleeps through (2 s)
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    cloud.rate_limit(retry_after=3, times=1, path="/search/jql")
    # when
    tasks.pull_mapping.delay(mapping.pk)
    # then
    assert wait_for(lambda: SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).exists())
    run = SyncRun.objects.get()
    assert run.counts()["created"] == 1
    limited, retried = cloud.calls("POST", "/search/jql$")[:2]
    assert (limited.status, retried.status) == (429, 200)
    assert retried.at - limited.at >= 2.5


def test_a_run_that_exhausts_its_retries_fails_in_words_and_the_worker_carries_on(cloud, mapping, worker, settings):
    # given: Jira keeps asking for a wait longer than the client sleeps through
    settings.JIRA_SYNC_RETRY = {**settings.JIRA_SYNC_RETRY, "max_inline_wait": 0.2}
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    limit = cloud.rate_limit(retry_after=1, times=None, path="/search/jql")
    # when
    tasks.pull_mapping.delay(mapping.pk)
    # then
    assert wait_for(lambda: SyncRun.objects.filter(status=SyncRun.Status.FAILED).exists(), timeout=40)
    run = SyncRun.objects.get()
    assert run.message == "Jira kept asking to wait; gave up after 5 tries."
    assert limit.fired == tasks.MAX_RETRIES + 1
    # and the worker still works
    cloud.faults.clear()
    tasks.pull_mapping.delay(mapping.pk)
    assert wait_for(lambda: SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).exists())
