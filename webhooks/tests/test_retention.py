"""The nightly prune: finished webhook events older than the retention go, with their deliveries and
attempts; anything still waiting to be sent stays, however old."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tpm_workspace.celery import app
from webhooks import services
from webhooks.models import OutboxEvent, WebhookAttempt, WebhookDelivery
from webhooks.tasks import outbox_prune

DAY = timedelta(days=1)


@pytest.fixture
def endpoints(endpoint_factory):
    return [endpoint_factory(f"https://hooks.example.com/{n}") for n in range(2)]


def event_with(endpoints, *, age: timedelta, states: list[str], dispatched: bool = True) -> OutboxEvent:
    """An event created (and dispatched) `age` ago, with one delivery per state, each with one attempt."""
    at = timezone.now() - age
    event = OutboxEvent.objects.create(workspace=endpoints[0].workspace, kind="story.created", payload={"id": 1})
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=at, dispatched_at=at if dispatched else None)
    for endpoint, state in zip(endpoints, states, strict=False):
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, state=state, attempt_count=1)
        WebhookAttempt.objects.create(delivery=delivery, number=1, at=at, status_code=200)
    return event


def test_finished_events_older_than_the_retention_go_with_their_deliveries_and_attempts(endpoints):
    old_done = event_with(endpoints, age=31 * DAY, states=["succeeded", "failed"])
    old_pending = event_with(endpoints, age=31 * DAY, states=["succeeded", "pending"])
    old_undispatched = event_with(endpoints, age=31 * DAY, states=[], dispatched=False)
    recent_done = event_with(endpoints, age=29 * DAY, states=["succeeded"])

    pruned = services.outbox_prune(before=timezone.now() - 30 * DAY, batch=1)

    assert pruned == 1
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {
        old_pending.pk,
        old_undispatched.pk,
        recent_done.pk,
    }
    assert not WebhookDelivery.objects.filter(event_id=old_done.pk).exists()
    assert WebhookAttempt.objects.filter(delivery__event_id=old_pending.pk).count() == 2
    assert WebhookAttempt.objects.count() == 3


def test_the_prune_task_uses_the_retention_setting_and_runs_nightly_on_beat(endpoints, settings):
    event_with(endpoints, age=8 * DAY, states=["succeeded"])
    kept = event_with(endpoints, age=6 * DAY, states=["succeeded"])
    settings.OUTBOX_RETENTION = 7 * DAY

    assert outbox_prune.apply().get() == 1
    assert list(OutboxEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert app.conf.beat_schedule["webhooks-outbox-prune"]["task"] == outbox_prune.name
