"""With the broker unreachable at commit time, the event waits in the outbox and the sweep sends it later.

'Redis down' is simulated for the on_commit only: the Celery app points at a closed port (and
publishes for real instead of eagerly) while the story is created; the real Redis is never stopped.
"""

import logging
from contextlib import contextmanager

from backlog.tests.factories import StoryFactory
from tpm_workspace.celery import app
from webhooks import services
from webhooks.models import OutboxEvent, WebhookDelivery
from webhooks.tasks import webhooks_sweep


@contextmanager
def broker_unreachable(port: int):
    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options, app._pool)
    producer_pool = app.amqp._producer_pool
    app.conf.task_always_eager = False
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    # Fail at once instead of kombu's few seconds of reconnecting; what happens next is what is tested.
    app.conf.broker_transport_options = {**saved[2], "max_retries": 0}
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options, app._pool = saved
        app.amqp._producer_pool = producer_pool


def test_the_sweep_sends_what_the_broker_missed(
    receiver, endpoint_factory, product, closed_port, caplog, django_capture_on_commit_callbacks
):
    # given
    endpoint_factory(receiver.url, events=["story.created"])

    # when the story commits while the broker is down
    with (
        caplog.at_level(logging.WARNING, logger="webhooks.services"),
        broker_unreachable(closed_port),
        django_capture_on_commit_callbacks(execute=True),
    ):
        story = StoryFactory(product=product, title="Written while Redis was down")

    # then the change stands, the event waits in the outbox, nothing was sent
    event = OutboxEvent.objects.get()
    assert event.dispatched_at is None
    assert event.payload["story"]["id"] == story.pk
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []
    assert f"broker unreachable, webhooks.tasks.dispatch_event({event.pk}) left for its sweep" in caplog.text

    # when the broker is back and the sweep runs
    with django_capture_on_commit_callbacks(execute=True):
        summary = webhooks_sweep()

    # then
    assert summary == {"events_dispatched": 1, "deliveries_queued": 0}
    event.refresh_from_db()
    assert event.dispatched_at is not None
    assert [r.json["data"]["story"]["title"] for r in receiver.requests] == ["Written while Redis was down"]
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.SUCCEEDED


def test_the_sweep_retries_a_delivery_whose_message_was_lost(
    receiver, endpoint_factory, product, closed_port, django_capture_on_commit_callbacks
):
    # given a fan-out whose delivery messages could not be sent
    endpoint_factory(receiver.url, events=["story.created"])
    StoryFactory(product=product)
    with broker_unreachable(closed_port), django_capture_on_commit_callbacks(execute=True):
        services.event_dispatch(event_id=OutboxEvent.objects.get().pk)
    assert OutboxEvent.objects.filter(dispatched_at__isnull=True).count() == 0
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert receiver.requests == []

    # when
    summary = webhooks_sweep()

    # then
    assert summary == {"events_dispatched": 0, "deliveries_queued": 1}
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert len(receiver.requests) == 1


def test_the_sweep_leaves_deliveries_that_are_not_due(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given a delivery waiting for its backoff
    endpoint_factory(receiver.url, events=["story.created"])
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        StoryFactory(product=product)

    # when
    summary = webhooks_sweep()

    # then
    assert summary == {"events_dispatched": 0, "deliveries_queued": 0}
    assert len(receiver.requests) == 1


def test_the_sweep_runs_every_minute_on_celery_beat():
    entry = app.conf.beat_schedule["webhooks-sweep"]
    assert entry["task"] == webhooks_sweep.name
    assert entry["schedule"] == 60.0
