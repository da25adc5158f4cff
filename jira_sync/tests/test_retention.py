"""The nightly prune of the Jira sync's history: done pushes, processed webhook events and finished runs older
than their retention go; pending work stays, so does an item's latest push error until a newer push replaces it,
and so does the newest run of each kind and outcome, which the sync's health reads."""

from datetime import timedelta

from django.utils import timezone

from backlog.tests.factories import StoryFactory
from jira_sync.models import JiraWebhookEvent, ProjectMapping, PushIntent, SyncItemError, SyncRun
from jira_sync.tasks import history_prune
from jira_sync.tests.factories import jira_rows
from portfolio.selectors import portfolio_dashboard
from tpm_workspace.celery import app
from workspaces.tests.factories import ProductFactory

DAY = timedelta(days=1)


def intent(connection, story, *, age: timedelta, done: bool = True, error: str = "") -> PushIntent:
    at = timezone.now() - age
    row = PushIntent.objects.create(
        connection=connection, story=story, fields=["summary"], last_error=error, done_at=at if done else None
    )
    PushIntent.objects.filter(pk=row.pk).update(created_at=at)
    return row


def webhook_event(connection, number: int, *, age: timedelta, processed: bool = True) -> JiraWebhookEvent:
    at = timezone.now() - age
    row = JiraWebhookEvent.objects.create(
        connection=connection, identifier=f"delivery-{number}", event="jira:issue_updated"
    )
    JiraWebhookEvent.objects.filter(pk=row.pk).update(received_at=at, processed_at=at if processed else None)
    return row


def test_done_pushes_and_processed_events_older_than_the_retention_go(workspace, product, settings):
    quiet, failing, busy = (StoryFactory(product=product) for _ in range(3))
    connection = jira_rows(workspace, product, quiet).connection
    assert not PushIntent.objects.exists()
    old_done = intent(connection, quiet, age=40 * DAY)
    recent_done = intent(connection, quiet, age=20 * DAY)
    superseded_error = intent(connection, failing, age=40 * DAY, error="Jira said: field missing.")
    latest_error = intent(connection, failing, age=35 * DAY, error="Jira said: no permission.")
    pending = intent(connection, busy, age=40 * DAY, done=False)
    old_event = webhook_event(connection, 1, age=40 * DAY)
    unprocessed = webhook_event(connection, 2, age=40 * DAY, processed=False)
    recent_event = webhook_event(connection, 3, age=20 * DAY)
    settings.OUTBOX_RETENTION = 30 * DAY

    assert history_prune.apply().get() == {"push intents": 2, "webhook events": 1, "runs": 0}

    assert set(PushIntent.objects.values_list("pk", flat=True)) == {recent_done.pk, latest_error.pk, pending.pk}
    assert {old_done.pk, superseded_error.pk}.isdisjoint(PushIntent.objects.values_list("pk", flat=True))
    assert set(JiraWebhookEvent.objects.values_list("pk", flat=True)) == {unprocessed.pk, recent_event.pk}
    assert not JiraWebhookEvent.objects.filter(pk=old_event.pk).exists()
    assert app.conf.beat_schedule["jira-history-prune"]["task"] == history_prune.name


def run(connection, *, age: timedelta, kind: str = SyncRun.Kind.PULL, status: str = "succeeded", mapping=None):
    at = timezone.now() - age
    row = SyncRun.objects.create(connection=connection, mapping=mapping, kind=kind, status=status)
    SyncRun.objects.filter(pk=row.pk).update(started_at=at, finished_at=None if status == "running" else at)
    return row


def test_finished_runs_older_than_the_retention_go_but_the_newest_of_each_kind_and_outcome_stays(
    workspace, product, settings
):
    rows = jira_rows(workspace, product)
    connection, payments = rows.connection, rows.mapping
    rows.run.delete()
    checkout = ProjectMapping.objects.create(
        connection=connection,
        product=ProductFactory(workspace=workspace, name="Checkout", key="CHK"),
        jira_project_key="DEF",
        jira_project_id="10001",
        epic_type_id="10001",
        story_type_id="10002",
    )
    old_pull = run(connection, mapping=payments, age=100 * DAY)
    SyncItemError.objects.create(run=old_pull, jira_key="ABC-1", message="Jira said: no permission.")
    recent_pull = run(connection, mapping=payments, age=10 * DAY)
    older_failure = run(connection, mapping=payments, age=130 * DAY, status="failed")
    last_failure = run(connection, mapping=payments, age=120 * DAY, status="failed")
    checkout_pull = run(connection, mapping=checkout, age=100 * DAY)  # the only one of its mapping
    old_push = run(connection, kind=SyncRun.Kind.PUSH, age=100 * DAY)
    last_push = run(connection, kind=SyncRun.Kind.PUSH, age=95 * DAY)
    stuck = run(connection, mapping=payments, age=100 * DAY, status="running")
    settings.SYNC_RUN_RETENTION = 90 * DAY

    assert history_prune.apply().get()["runs"] == 3

    kept = set(SyncRun.objects.values_list("pk", flat=True))
    assert kept == {recent_pull.pk, last_failure.pk, checkout_pull.pk, last_push.pk, stuck.pk}
    assert {old_pull.pk, older_failure.pk, old_push.pk}.isdisjoint(kept)
    assert not SyncItemError.objects.exists()  # went with its run
    # the health the admin's dashboard shows still has the last run and the last success
    (shown,) = portfolio_dashboard(workspace_ids=[workspace.pk]).workspaces
    health = shown.connection
    assert health.last_run == recent_pull
    assert health.last_success_at == SyncRun.objects.get(pk=recent_pull.pk).finished_at
    # and once every run is past the retention, the newest of each still stays, so the health does not change
    settings.SYNC_RUN_RETENTION = 5 * DAY
    assert history_prune.apply().get()["runs"] == 0
    assert portfolio_dashboard(workspace_ids=[workspace.pk]).workspaces[0].connection.last_run == recent_pull
