"""The sync's scenarios through the Celery tasks on Redis and a real worker: import and incremental pull, a
fault storm, conflicts under each policy, Data Center pull and push (create, transition, edit), webhooks
(and a forged one), Markdown ↔ ADF, a live pull keeping its lease; then a worker *process* SIGKILLed mid-pull
and mid-push, and the state it leaves converging on the next run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from backlog import services as backlog
from backlog.models import Epic, Feature, Story
from jira_sync import tasks
from jira_sync.adf import adf_to_markdown
from jira_sync.models import Conflict, IssueLink, JiraWebhookEvent, ProjectMapping, PushIntent, SyncRun
from jira_sync.testing.state import EPIC_LINK_FIELD
from tpm_workspace.celery import app

from .conftest import HUMAN, wait_for
from .test_roundtrip import MARKDOWN

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PULLS = [SyncRun.Kind.PULL, SyncRun.Kind.IMPORT, SyncRun.Kind.FULL]


def seed(state, epics: int, stories_per_epic: int) -> None:
    for e in range(epics):
        epic = state.create_issue("ABC", "Epic", f"Epic {e}", author_id=HUMAN)
        for s in range(stories_per_epic):
            state.create_issue("ABC", "Story", f"Story {e}.{s}", author_id=HUMAN, parent=epic, story_points=s % 8)


def finished_pulls(count: int) -> Callable[[], bool]:
    return lambda: SyncRun.objects.filter(kind__in=PULLS).exclude(status=SyncRun.Status.RUNNING).count() >= count


def outbox_empty() -> bool:
    return PushIntent.objects.exists() and not PushIntent.objects.filter(done_at__isnull=True).exists()


def outcomes() -> list[str]:
    """What the worker made of the webhook events stored so far."""
    return sorted(JiraWebhookEvent.objects.exclude(outcome="").values_list("outcome", flat=True))


def no_counts(**counts: int) -> dict[str, int]:
    return {"created": 0, "updated": 0, "archived": 0, "pushed": 0, "conflicts": 0, "errors": 0, **counts}


# --- through the in-process worker ----------------------------------------------------------------------------


def test_first_import_with_hierarchy_then_an_incremental_pull_of_only_what_changed(cloud_premium, make_mapping, worker):
    # given: epic → feature → three stories
    state = cloud_premium.state
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    feature = state.create_issue("ABC", "Feature", "Saved cards", author_id=HUMAN, parent=epic)
    stories = [state.create_issue("ABC", "Story", f"Pay {n}", author_id=HUMAN, parent=feature) for n in range(3)]
    mapping = make_mapping(cloud_premium)
    # when
    tasks.pull_mapping.delay(mapping.pk)
    # then
    assert wait_for(finished_pulls(1))
    imported = SyncRun.objects.get()
    assert (imported.kind, imported.status, imported.counts()) == (
        SyncRun.Kind.IMPORT,
        SyncRun.Status.SUCCEEDED,
        no_counts(created=5),
    )
    stories_here = Story.objects.select_related("feature__epic")
    hierarchy = {(story.title, story.feature.title, story.feature.epic.title) for story in stories_here}
    assert hierarchy == {(f"Pay {n}", "Saved cards", "Checkout") for n in range(3)}
    # when: one story is renamed in Jira half an hour later
    cloud_premium.advance_time(timedelta(minutes=30))
    state.edit_issue(stories[1], {"summary": "Pay by card"}, author_id=HUMAN)
    before = len(cloud_premium.requests)
    tasks.pull_mapping.delay(mapping.pk)
    # then: one search, one update, nothing else
    assert wait_for(finished_pulls(2))
    pulled = SyncRun.objects.exclude(pk=imported.pk).get()
    assert (pulled.kind, pulled.status, pulled.counts()) == (
        SyncRun.Kind.PULL,
        SyncRun.Status.SUCCEEDED,
        no_counts(updated=1),
    )
    assert [(r.method, r.path) for r in cloud_premium.requests[before:]] == [("POST", "/rest/api/3/search/jql")]
    assert sorted(Story.objects.values_list("title", flat=True)) == ["Pay 0", "Pay 2", "Pay by card"]
    assert (Epic.objects.count(), Feature.objects.count(), IssueLink.objects.count()) == (1, 1, 5)


def test_a_fault_storm_through_the_worker_converges_with_exact_counts(cloud, mapping, product, worker):
    # given: every third call to Jira fails with a 500, for ever; pages of 10, so many calls to fail
    seed(cloud.state, epics=5, stories_per_epic=30)
    cloud.state.max_page_size = 10
    cloud.fail(500, times=None, every=3)
    # when
    tasks.pull_mapping.delay(mapping.pk)
    # then
    assert wait_for(finished_pulls(1), timeout=60)
    run = SyncRun.objects.get()
    assert (run.status, run.counts(), run.pages) == (SyncRun.Status.SUCCEEDED, no_counts(created=155), 17)
    assert (Epic.objects.count(), Story.objects.count(), IssueLink.objects.count()) == (5, 150, 155)
    faults_in_pull = sum(1 for r in cloud.requests if r.fault)
    assert faults_in_pull >= 5
    # and pushes under the same storm: twelve stories saved here, each in Jira exactly once
    epic = Epic.objects.order_by("pk").first()
    for n in range(12):
        backlog.story_create(product=product, actor=None, title=f"Here {n}", epic=epic)
    assert wait_for(lambda: outbox_empty() and PushIntent.objects.count() == 12, timeout=60)
    here = sorted(i.summary for i in cloud.state.issues.values() if i.summary.startswith("Here"))
    assert here == sorted(f"Here {n}" for n in range(12))
    assert IssueLink.objects.count() == 167
    assert sum(1 for r in cloud.requests if r.fault) - faults_in_pull >= 5


@pytest.mark.parametrize(
    ("policy", "title_here", "title_in_jira", "status", "resolution"),
    [
        ("jira_wins", "Pay (Jira)", "Pay (Jira)", "resolved", "jira"),
        ("workspace_wins", "Pay (here)", "Pay (here)", "resolved", "workspace"),
        ("ask", "Pay (here)", "Pay (Jira)", "open", ""),
    ],
)
def test_a_conflict_under_each_policy_processed_by_the_worker(
    cloud, make_mapping, worker, policy, title_here, title_in_jira, status, resolution
):
    # given: a linked story
    mapping = make_mapping(cloud, policy=policy)
    issue = cloud.state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, story_points=3)
    tasks.pull_mapping.delay(mapping.pk)
    assert wait_for(finished_pulls(1))
    story = Story.objects.get()
    # when: both sides rename it; the pull is queued ahead of the push, so that the worker's pull meets both
    cloud.advance_time(timedelta(minutes=10))
    cloud.state.edit_issue(issue, {"summary": "Pay (Jira)"}, author_id=HUMAN)
    with transaction.atomic():
        transaction.on_commit(lambda: tasks.pull_mapping.delay(mapping.pk))
        backlog.story_update(story=story, actor=None, title="Pay (here)")
    # then
    assert wait_for(lambda: finished_pulls(2)() and outbox_empty())
    meeting = SyncRun.objects.filter(kind=SyncRun.Kind.PULL).get()
    assert (meeting.status, meeting.counts()["conflicts"]) == (SyncRun.Status.SUCCEEDED, 1)
    # and a later pull settles nothing new
    tasks.pull_mapping.delay(mapping.pk)
    assert wait_for(lambda: finished_pulls(3)() and outbox_empty())
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
    assert SyncRun.objects.filter(kind=SyncRun.Kind.PULL).order_by("pk").last().counts()["conflicts"] == 0


def test_data_center_import_and_push_through_the_worker(dc, make_mapping, product, statuses, worker):
    # given: an epic and 90 stories on Data Center, which pages its search 40 at a time
    mapping = make_mapping(dc)
    state = dc.state
    state.dc_max_results = 40
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    for n in range(90):
        state.create_issue("ABC", "Story", f"Story {n}", author_id=HUMAN, parent=epic, description="h2. Why\n\n*fast*")
    # when
    tasks.pull_mapping.delay(mapping.pk)
    # then
    assert wait_for(finished_pulls(1))
    run = SyncRun.objects.get()
    assert (run.status, run.counts()) == (SyncRun.Status.SUCCEEDED, no_counts(created=91))
    assert Story.objects.filter(epic__title="Checkout").count() == 90
    assert set(Story.objects.values_list("description", flat=True)) == {"## Why\n\n**fast**"}
    # the count (maxResults 0, for the progress bar, in a thread of its own), then epics, features and stories
    searches = [(c.body["maxResults"], c.body["startAt"]) for c in dc.calls("POST", "/rest/api/2/search$")]
    assert sorted(searches) == [(0, 0), (100, 0), (100, 0), (100, 0), (100, 40), (100, 80)]
    # when: a story saved here, then moved to Done
    story = backlog.story_create(
        product=product, actor=None, title="From here", epic=Epic.objects.get(), description="Use **cards**", points=2
    )
    backlog.story_set_status(story=story, actor=None, status=statuses["Done"])

    # then: the worker creates it with its Epic Link and wiki markup, and transitions it
    def pushed() -> bool:
        link = IssueLink.objects.filter(story=story).first()
        created = state.issues.get(link.jira_issue_id) if link else None
        return outbox_empty() and created is not None and state.statuses[created.status_id].name == "Done"

    assert wait_for(pushed)
    created = state.issues[IssueLink.objects.get(story=story).jira_issue_id]
    assert (created.summary, created.parent_id, created.description, created.story_points) == (
        "From here",
        epic.id,
        "Use *cards*",
        2,
    )
    assert dc.calls("POST", r"/rest/api/2/issue$")[-1].body["fields"][EPIC_LINK_FIELD] == epic.key
    assert len([i for i in state.issues.values() if i.summary == "From here"]) == 1
    # when: edited here, the worker sends the edit
    backlog.story_update(story=story, actor=None, title="Renamed here", points=3)
    assert wait_for(lambda: outbox_empty() and (created.summary, created.story_points) == ("Renamed here", 3))
    assert len([i for i in state.issues.values() if i.summary == "Renamed here"]) == 1
    assert all(c.headers["Authorization"] == f"Bearer {dc.pat}" for c in dc.calls("POST"))


@pytest.mark.urls("jira_sync.tests.sync.urls")
def test_webhooks_create_update_delete_processed_by_the_worker_and_a_forged_one_refused(
    cloud, mapping, live_server, worker
):
    # given: Jira posting its issue events to our endpoint
    url = f"{live_server.url}/jira/webhooks/{mapping.connection.webhook_key}/"
    hooks = cloud.webhooks(url, secret=mapping.webhook_secret_plain, max_retries=0)
    state = cloud.state
    epic = state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    story = state.create_issue("ABC", "Story", "Pay", author_id=HUMAN, parent=epic)
    # when: a delivery signed with the wrong secret
    (forged,) = hooks.deliver(hooks.pending()[0], bad_signature=True)
    # then: 401, nothing stored
    assert forged.status == 401 and not JiraWebhookEvent.objects.exists()
    # when: the real deliveries, each sent twice
    created = hooks.flush(duplicate=[0, 1])
    # then: stored once each, applied by the worker
    assert [d.status for d in created] == [202] * 4
    assert wait_for(lambda: outcomes() == ["created", "created"])
    assert list(Story.objects.values_list("title", "epic__title")) == [("Pay", "Checkout")]
    # when: renamed, then deleted in Jira
    state.edit_issue(story, {"summary": "Pay by card"}, author_id=HUMAN)
    (updated,) = hooks.flush()
    assert updated.status == 202 and wait_for(lambda: outcomes() == ["created", "created", "updated"])
    state.delete_issue(story, author_id=HUMAN)
    (deleted,) = hooks.flush()
    # then: the rename came over; the deletion archived the link and kept our story
    assert deleted.status == 202 and wait_for(lambda: outcomes() == ["archived", "created", "created", "updated"])
    link = IssueLink.objects.get(jira_issue_id=story.id)
    assert (link.archived_reason, link.story.title) == (IssueLink.ArchiveReason.DELETED_IN_JIRA, "Pay by card")
    assert JiraWebhookEvent.objects.filter(processed_at__isnull=True).count() == 0


def test_markdown_round_trips_through_adf_by_the_worker_without_a_loop(cloud, mapping, product, worker):
    # given: a story written here in Markdown, pushed by the worker
    story = backlog.story_create(product=product, actor=None, title="Payouts", description=MARKDOWN)
    assert wait_for(lambda: outbox_empty() and IssueLink.objects.filter(story=story).exists())
    (issue,) = cloud.state.issues.values()
    types = [node["type"] for node in issue.description["content"]]
    assert types == ["heading", "paragraph", "bulletList", "orderedList", "codeBlock"]
    # when: Jira is edited elsewhere (a label), and the worker pulls the issue back
    cloud.advance_time(timedelta(minutes=10))
    cloud.state.edit_issue(issue, {"labels": [*issue.labels, "ops"]}, author_id=HUMAN)
    edits_before = len(cloud.calls("PUT"))
    tasks.pull_mapping.delay(mapping.pk)
    assert wait_for(lambda: finished_pulls(1)() and outbox_empty())
    # then: the Markdown is intact on both sides, the label came over, nothing went back
    story.refresh_from_db()
    assert (story.description, adf_to_markdown(issue.description)) == (MARKDOWN, MARKDOWN)
    assert SyncRun.objects.get(kind__in=PULLS).counts()["updated"] == 1
    assert list(story.labels.values_list("name", flat=True)) == ["ops"]
    assert len(cloud.calls("PUT")) == edits_before


def test_a_live_pull_keeps_its_lease_page_after_page(cloud, mapping, worker, settings):
    # given: a lease of 1 s, renewed by every page; pages that take 0.4 s each, eight of them
    settings.JIRA_SYNC_LEASE_SECONDS = 1
    seed(cloud.state, epics=6, stories_per_epic=100)
    cloud.slow(0.4, times=None, path="/search/jql$")
    tasks.pull_mapping.delay(mapping.pk)
    # when: a second pull starts once the first has run well past one lease
    assert wait_for(lambda: SyncRun.objects.filter(pages__gte=5).exists(), timeout=60, interval=0.05)
    second, _ = tasks.run_mapping(mapping.pk, full=False)
    # then: it stands aside, and the first finishes alone
    assert second is None
    assert wait_for(finished_pulls(1), timeout=60)
    run = SyncRun.objects.get()
    assert (run.status, run.counts()) == (SyncRun.Status.SUCCEEDED, no_counts(created=606))


# --- a worker process, killed -----------------------------------------------------------------------------------

# In the subprocess: Redis gives a message a dead worker took back after 8 s (production: 2 h), and a pull's
# lease lapses 3 s after its last page (production: 5 min); restores are looked for every second.
VISIBILITY_TIMEOUT = 8
LEASE_SECONDS = 3


class WorkerProcess:
    """`celery worker` as a process of its own, on this test's database and Redis, that a test can SIGKILL."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "tpm_workspace",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            app.conf.task_default_queue,
            "-n",
            f"{log.stem}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        with log.open("wb") as out:
            # A session of its own: the whole process group goes with a kill, whatever the pool starts.
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def worker_process(transactional_db, settings, tmp_path) -> Iterator[Callable[[], WorkerProcess]]:
    """Start worker processes (each call one more); every one is killed at teardown, however the test ends."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    database_url = (
        f"postgres://{quote(db['USER'] or '')}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    overrides = {
        "CELERY_TASK_ALWAYS_EAGER": False,  # what the worker queues goes through the broker too
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_TRANSPORT_OPTIONS": {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        },
        "JIRA_SYNC_LEASE_SECONDS": LEASE_SECONDS,
        # the test's own quick retries and site (conftest._quick_sync)
        **{
            name: getattr(settings, name)
            for name in ("JIRA_SYNC_RETRY", "JIRA_SYNC_TIMEOUT", "JIRA_SYNC_UNCERTAIN_WAIT", "SITE_URL")
        },
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tpm_workspace.test_settings",
        "TEST_DATABASE_URL": database_url,  # test_settings reads it; pytest-django's test_ name is in it already
        "TEST_SETTINGS_OVERRIDES": json.dumps(overrides),
    }
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        process = WorkerProcess(env, tmp_path / f"kill-test-worker-{len(started) + 1}.log")
        started.append(process)
        return process

    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from earlier tests reaches these workers
    try:
        yield start
    finally:
        for process in started:
            process.kill()
        app.control.purge()
        app.conf.task_always_eager = True


def test_a_worker_killed_mid_import_leaves_a_state_the_next_run_converges_from(cloud, mapping, worker_process):
    """What a real deployment does after a worker is SIGKILLed (OOM killer, a node lost, `kill -9`):

    - The task is `acks_late`: the dead worker never acknowledged it. Redis (kombu's visibility timeout,
      CELERY_BROKER_TRANSPORT_OPTIONS: 2 h) hands it to another worker once that time has passed — here 8 s.
      (A prefork *child* killed under a live parent is re-queued at once: task_reject_on_worker_lost.)
    - Meanwhile beat queues `pull_all` every 5 minutes. The dead run's lease on its mapping was renewed by
      every page and lapses 5 minutes after the last one (here 3 s): the first pull after that takes over,
      marks the run left `running` as failed in words, and imports again idempotently — the issues already
      linked are skipped, not duplicated.
    """
    # given: 606 issues and a slow search (0.4 s a page), so that the import is caught half-way
    seed(cloud.state, epics=6, stories_per_epic=100)
    cloud.slow(0.4, times=None, path="/search/jql$")
    first = worker_process()
    tasks.pull_mapping.delay(mapping.pk)
    # when: SIGKILL once the epics' page, the features' (empty) page and a page of stories are applied
    assert wait_for(lambda: SyncRun.objects.filter(pages__gte=3).exists(), timeout=120, interval=0.05), first.output()
    first.kill()
    cloud.faults.clear()
    dead = SyncRun.objects.get()
    assert dead.status == SyncRun.Status.RUNNING and dead.created >= 106  # as the dead worker left it
    linked_before = IssueLink.objects.count()
    assert linked_before < 606
    # then: the lease lapses (it does not block for ever), and a new worker takes the task back from Redis
    assert wait_for(
        lambda: not ProjectMapping.objects.filter(pk=mapping.pk, lease_until__gte=timezone.now()).exists(), timeout=30
    )
    second = worker_process()
    assert wait_for(finished_pulls(2), timeout=120), second.output()
    dead.refresh_from_db()
    rerun = SyncRun.objects.exclude(pk=dead.pk).get()
    assert (rerun.kind, rerun.status, rerun.counts()) == (
        SyncRun.Kind.IMPORT,
        SyncRun.Status.SUCCEEDED,
        no_counts(created=606 - linked_before),
    )
    assert dead.status == SyncRun.Status.FAILED and dead.finished_at is not None
    assert f"stopped without finishing (its worker was stopped or lost); run {rerun.pk} took over" in dead.message
    # every Jira issue here exactly once
    assert (Epic.objects.count(), Story.objects.count(), IssueLink.objects.count()) == (6, 600, 606)
    assert Story.objects.values("title").distinct().count() == 600
    assert IssueLink.objects.values("jira_issue_id").distinct().count() == 606
    # and the next scheduled pull finds nothing to do
    tasks.pull_all.delay()
    assert wait_for(finished_pulls(3), timeout=60), second.output()
    latest = SyncRun.objects.exclude(pk__in=[dead.pk, rerun.pk]).get()
    assert (latest.kind, latest.status, latest.counts()) == (SyncRun.Kind.PULL, SyncRun.Status.SUCCEEDED, no_counts())
    assert not SyncRun.objects.filter(status=SyncRun.Status.RUNNING).exists()


def test_a_worker_killed_while_pushing_loses_no_change_and_duplicates_no_issue(cloud, mapping, product, worker_process):
    """What a real deployment does after a worker is SIGKILLed while it drains the outbox:

    - The push messages it had not taken stay in Redis; the next worker pushes them.
    - The intent it was pushing stays claimed for 5 minutes (intents.CLAIM_LEASE); its message comes back
      after the visibility timeout and finds it claimed; the beat's `push_sweep` (every minute) takes it
      once the claim has run out. A create whose answer the dead worker never read is found in Jira by our
      marker label and linked, not created twice.
    """
    # given: 20 stories saved here, queued for Jira, with a slow create (0.3 s) so that the kill lands mid-push
    titles = [f"Here {n}" for n in range(20)]
    for title in titles:
        backlog.story_create(product=product, actor=None, title=title)
    cloud.slow(0.3, times=None, method="POST", path=r"/rest/api/3/issue$")
    first = worker_process()
    # when: SIGKILL after a few issues exist in Jira
    assert wait_for(lambda: len(cloud.state.issues) >= 4, timeout=120, interval=0.05), first.output()
    first.kill()
    cloud.faults.clear()
    assert len(cloud.state.issues) < 20
    # then: a new worker pushes what was queued
    second = worker_process()
    assert wait_for(
        lambda: not PushIntent.objects.filter(done_at__isnull=True, next_attempt_at__lte=timezone.now()).exists(),
        timeout=120,
    ), second.output()
    # and five minutes later the dead worker's claim has run out; beat's sweep pushes what is left
    PushIntent.objects.filter(done_at__isnull=True).update(next_attempt_at=timezone.now())
    tasks.push_sweep.delay()
    assert wait_for(outbox_empty, timeout=60), second.output()
    # every change reached Jira, each story exactly once
    assert PushIntent.objects.count() == 20
    assert sorted(issue.summary for issue in cloud.state.issues.values()) == sorted(titles)
    assert IssueLink.objects.count() == 20 and IssueLink.objects.values("story").distinct().count() == 20
    assert all(len(issue.remote_links) == 1 for issue in cloud.state.issues.values())
