"""The nightly prune of the Jira sync's history: done pushes and processed webhook events older than the
retention go; pending work stays, and so does an item's latest push error until a newer push replaces it."""

from datetime import timedelta

from django.utils import timezone

from backlog.tests.factories import StoryFactory
from jira_sync.models import JiraWebhookEvent, PushIntent
from jira_sync.tasks import history_prune
from jira_sync.tests.factories import jira_rows
from tpm_workspace.celery import app

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

    assert history_prune.apply().get() == {"push intents": 2, "webhook events": 1}

    assert set(PushIntent.objects.values_list("pk", flat=True)) == {recent_done.pk, latest_error.pk, pending.pk}
    assert {old_done.pk, superseded_error.pk}.isdisjoint(PushIntent.objects.values_list("pk", flat=True))
    assert set(JiraWebhookEvent.objects.values_list("pk", flat=True)) == {unprocessed.pk, recent_event.pk}
    assert not JiraWebhookEvent.objects.filter(pk=old_event.pk).exists()
    assert app.conf.beat_schedule["jira-history-prune"]["task"] == history_prune.name
