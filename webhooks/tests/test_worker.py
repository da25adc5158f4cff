"""End to end: a story commits, the fan-out and the delivery cross Redis to a real worker, the receiver gets it."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from backlog.tests.factories import StoryFactory
from tpm_workspace.celery import app
from webhooks import crypto
from webhooks.models import OutboxEvent, WebhookDelivery


@pytest.fixture
def celery_worker_on_redis():
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_story_reaches_the_receiver_through_redis_and_a_worker(
    celery_worker_on_redis, receiver, endpoint_factory, product
):
    # given
    endpoint = endpoint_factory(receiver.url, events=["story.created"])

    # when
    story = StoryFactory(product=product, title="Delivered by a worker")

    # then
    assert wait_for(lambda: WebhookDelivery.objects.filter(state=WebhookDelivery.State.SUCCEEDED).exists())
    (request,) = receiver.requests
    assert request.json["data"]["story"]["id"] == story.pk
    assert crypto.verify(
        secret=endpoint.plain_secret,
        timestamp=int(request.headers["X-TPM-Timestamp"]),
        body=request.body,
        signature=request.headers["X-TPM-Signature"],
    )
    assert OutboxEvent.objects.get().dispatched_at is not None
    assert WebhookDelivery.objects.get().attempts.get().status_code == 200
