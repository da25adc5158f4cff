"""Deliveries over real HTTP to a receiver on 127.0.0.1: signed, retried, isolated, once per event.

Tasks run in-process (eager): the commit queues the fan-out, which queues one delivery task per
endpoint. Retries are not slept for: `make_due` moves a delivery's next attempt to now, and the
task function is called again.
"""

import json

import pytest
from django.utils import timezone

from backlog.services import story_update
from backlog.tests.factories import StoryFactory
from core.errors import ApplicationError
from webhooks import crypto, services, transport
from webhooks.models import OutboxEvent, WebhookAttempt, WebhookDelivery
from webhooks.tasks import deliver_webhook, dispatch_event
from webhooks.tests.helpers import make_due
from workspaces.tests.factories import ProductFactory


def create_story(product, django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return StoryFactory(product=product, **kwargs)


def test_a_story_created_is_posted_signed_with_the_endpoints_secret(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given
    endpoint = endpoint_factory(receiver.url, events=["story.created"])

    # when
    story = create_story(product, django_capture_on_commit_callbacks, title="Refund a card payment")

    # then
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    headers = {name.lower(): value for name, value in request.headers.items()}
    timestamp = int(headers["x-tpm-timestamp"])
    assert crypto.verify(
        secret=endpoint.plain_secret, timestamp=timestamp, body=request.body, signature=headers["x-tpm-signature"]
    )
    assert not crypto.verify(
        secret="whsec_wrong", timestamp=timestamp, body=request.body, signature=headers["x-tpm-signature"]
    )
    assert headers["x-tpm-event"] == "story.created"
    assert headers["content-type"] == "application/json"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert headers["x-tpm-delivery"] == str(delivery.uuid)
    assert abs(timestamp - timezone.now().timestamp()) < 60
    body = request.json
    event = OutboxEvent.objects.get()
    assert set(body) == {"id", "event", "created_at", "workspace", "data"}
    assert body["id"] == str(event.uuid)
    assert body["event"] == "story.created"
    assert body["workspace"] == product.workspace_id
    assert body["data"]["story"]["id"] == story.pk
    assert body["data"]["story"]["key"] == story.key
    assert body["data"]["story"]["title"] == "Refund a card payment"
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert delivery.last_status_code == 200
    assert list(delivery.attempts.values_list("number", "status_code", "error")) == [(1, 200, "")]
    assert delivery.attempts.get().response_excerpt == "ok"
    event.refresh_from_db()
    assert event.dispatched_at is not None


def test_the_signature_covers_timestamp_and_exact_body_bytes(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given
    endpoint = endpoint_factory(receiver.url, events=["story.created"])
    create_story(product, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    timestamp = int(request.headers["X-TPM-Timestamp"])
    signature = request.headers["X-TPM-Signature"]

    # when a proxy re-serialises the JSON, or the timestamp is replayed as another
    reformatted = json.dumps(json.loads(request.body), indent=2).encode()

    # then
    assert crypto.verify(secret=endpoint.plain_secret, timestamp=timestamp, body=request.body, signature=signature)
    assert not crypto.verify(secret=endpoint.plain_secret, timestamp=timestamp, body=reformatted, signature=signature)
    assert not crypto.verify(
        secret=endpoint.plain_secret, timestamp=timestamp + 1, body=request.body, signature=signature
    )


def test_a_receiver_failing_twice_gets_three_attempts_and_the_delivery_succeeds(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given
    endpoint = endpoint_factory(receiver.url)
    receiver.answer((500, {}, b"database down"), 500, 200)

    # when the event is sent, and then each retry once its backoff has elapsed
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    after_first = WebhookDelivery.objects.get(pk=delivery.pk)
    make_due(delivery)
    second = deliver_webhook(delivery.pk)
    make_due(delivery)
    third = deliver_webhook(delivery.pk)

    # then
    assert after_first.state == WebhookDelivery.State.PENDING
    assert after_first.attempt_count == 1
    assert after_first.last_status_code == 500
    assert after_first.next_attempt_at > timezone.now()
    assert (second, third) == ("retrying", "succeeded")
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert delivery.attempt_count == 3
    assert delivery.next_attempt_at is None
    attempts = list(delivery.attempts.order_by("number"))
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 500), (3, 200)]
    assert attempts[0].response_excerpt == "database down"
    assert len(receiver.requests) == 3
    # the same event, the same delivery id, each attempt signed with its own timestamp
    assert len({r.body for r in receiver.requests}) == 1
    assert {r.headers["X-TPM-Delivery"] for r in receiver.requests} == {str(delivery.uuid)}


def test_a_retry_that_is_not_yet_due_sends_nothing(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given a first attempt failed and its backoff has not elapsed
    endpoint_factory(receiver.url)
    receiver.answer(503)
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    # when a duplicate message (or an early countdown) runs the task
    result = deliver_webhook(delivery.pk)

    # then
    assert result == "skipped"
    assert len(receiver.requests) == 1
    assert WebhookAttempt.objects.count() == 1


def test_retry_after_is_honoured_on_429(receiver, endpoint_factory, product, django_capture_on_commit_callbacks):
    # given
    endpoint_factory(receiver.url)
    receiver.answer((429, {"Retry-After": "120"}))

    # when
    before = timezone.now()
    create_story(product, django_capture_on_commit_callbacks)

    # then
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    waited = (delivery.next_attempt_at - before).total_seconds()
    assert 120 <= waited < 125


def test_a_delivery_that_keeps_failing_is_given_up_after_its_attempts(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given a delivery allowed two attempts, to a receiver that always fails
    endpoint_factory(receiver.url)
    receiver.answer(500, 502, 500)
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_limit=2)

    # when
    make_due(delivery)
    result = deliver_webhook(delivery.pk)
    make_due(delivery)
    again = deliver_webhook(delivery.pk)

    # then
    assert (result, again) == ("failed", "skipped")
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.completed_at is not None
    assert delivery.next_attempt_at is None
    assert delivery.last_status_code == 502
    assert delivery.last_error == "Gave up after 2 attempts; the last answer was 502."
    assert len(receiver.requests) == 2


def test_a_refused_connection_is_recorded_and_retried(
    closed_port, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given nothing listens on the endpoint's port
    endpoint_factory(f"http://127.0.0.1:{closed_port}/hook")

    # when
    create_story(product, django_capture_on_commit_callbacks)

    # then
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    attempt = delivery.attempts.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("ConnectError")
    assert delivery.last_error == attempt.error


def test_nothing_is_sent_for_another_workspaces_events(
    receiver, endpoint_factory, product, other_product, django_capture_on_commit_callbacks
):
    # given an endpoint of our workspace only
    endpoint_factory(receiver.url, events=["story.created", "story.updated"])

    # when another workspace creates and edits stories
    story = create_story(other_product, django_capture_on_commit_callbacks, title="Globex secret plan")
    with django_capture_on_commit_callbacks(execute=True):
        story_update(story=story, actor=None, title="Globex secret plan, v2")

    # then
    assert receiver.requests == []
    assert OutboxEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_each_workspace_receives_its_own_events_only(
    receiver, endpoint_factory, product, other_workspace, other_product, outsider, django_capture_on_commit_callbacks
):
    # given both workspaces subscribe, to different paths of the receiver
    ours = endpoint_factory(receiver.url + "/acme")
    theirs = endpoint_factory(receiver.url + "/globex", workspace=other_workspace, actor=outsider)

    # when
    create_story(product, django_capture_on_commit_callbacks, title="Acme story")
    create_story(other_product, django_capture_on_commit_callbacks, title="Globex story")

    # then
    by_path = {r.path: r.json["data"]["story"]["title"] for r in receiver.requests}
    assert by_path == {"/hooks/tpm/acme": "Acme story", "/hooks/tpm/globex": "Globex story"}
    assert WebhookDelivery.objects.get(endpoint=ours).event.workspace_id == product.workspace_id
    assert WebhookDelivery.objects.get(endpoint=theirs).event.workspace_id == other_product.workspace_id


def test_the_same_event_dispatched_twice_is_delivered_once(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given
    endpoint_factory(receiver.url)
    create_story(product, django_capture_on_commit_callbacks)
    event = OutboxEvent.objects.get()

    # when the fan-out message arrives again, and even if the event were not marked dispatched
    with django_capture_on_commit_callbacks(execute=True):
        again = dispatch_event(event.pk)
    OutboxEvent.objects.filter(pk=event.pk).update(dispatched_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        once_more = services.event_dispatch(event_id=event.pk)

    # then
    assert again == 0
    assert len(once_more) == 0
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_a_delivery_message_repeated_sends_once(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given a delivered event
    endpoint_factory(receiver.url)
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    # when its task message is redelivered by the broker
    result = deliver_webhook(delivery.pk)

    # then
    assert result == "skipped"
    assert len(receiver.requests) == 1


def test_only_subscribed_active_endpoints_receive_an_event(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given
    subscribed = endpoint_factory(receiver.url + "/subscribed", events=["story.created"])
    endpoint_factory(receiver.url + "/other-kind", events=["signoff.requested"])
    endpoint_factory(receiver.url + "/inactive", events=["story.created"], is_active=False)

    # when
    create_story(product, django_capture_on_commit_callbacks)

    # then
    assert [r.path for r in receiver.requests] == ["/hooks/tpm/subscribed"]
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [subscribed.pk]


def test_an_endpoint_deactivated_before_its_retry_gets_nothing_more(
    receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given a first attempt failed
    endpoint = endpoint_factory(receiver.url)
    receiver.answer(500)
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    # when
    services.endpoint_update(endpoint=endpoint, actor=admin_user, is_active=False)
    make_due(delivery)
    result = deliver_webhook(delivery.pk)

    # then
    assert result == "skipped"
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.last_error == "Not sent: the endpoint is inactive."


def test_a_rotated_secret_signs_the_next_attempt(
    receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given a failed first attempt signed with the old secret
    endpoint = endpoint_factory(receiver.url)
    receiver.answer(500)
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    # when
    _, new_secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=admin_user)
    make_due(delivery)
    deliver_webhook(delivery.pk)

    # then
    first, second = receiver.requests
    for request, secret in ((first, endpoint.plain_secret), (second, new_secret)):
        timestamp = int(request.headers["X-TPM-Timestamp"])
        assert crypto.verify(
            secret=secret, timestamp=timestamp, body=request.body, signature=request.headers["X-TPM-Signature"]
        )
    assert new_secret != endpoint.plain_secret


def test_a_secret_that_no_key_opens_fails_the_delivery_without_sending(
    receiver, endpoint_factory, product, django_capture_on_commit_callbacks
):
    # given the secret was encrypted under a key that is gone
    endpoint = endpoint_factory(receiver.url)
    endpoint.__class__.objects.filter(pk=endpoint.pk).update(secret_encrypted="gAAAAA-not-a-token")

    # when
    create_story(product, django_capture_on_commit_callbacks)

    # then
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts.get().error.startswith("Not sent: the signing secret cannot be decrypted")


def test_production_refuses_to_send_to_a_private_address(
    receiver, endpoint_factory, product, settings, django_capture_on_commit_callbacks
):
    # given an endpoint on 127.0.0.1 made while private networks were allowed, then production rules
    endpoint_factory(receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False

    # when
    create_story(product, django_capture_on_commit_callbacks)

    # then no retry: it is terminal, and a person sees why
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts.get().error == "Not sent: 127.0.0.1 resolves to 127.0.0.1, which is not a public address."


def test_ping_goes_to_one_endpoint(receiver, endpoint_factory, admin_user, django_capture_on_commit_callbacks):
    # given
    endpoint = endpoint_factory(receiver.url + "/pinged")
    endpoint_factory(receiver.url + "/other")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.endpoint_ping(endpoint=endpoint, actor=admin_user)

    # then
    assert [r.path for r in receiver.requests] == ["/hooks/tpm/pinged"]
    assert receiver.requests[0].headers["X-TPM-Event"] == "ping"
    assert receiver.requests[0].json["data"] == {
        "endpoint": endpoint.pk,
        "by": admin_user.pk,
        "events": ["story.created"],
    }
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.SUCCEEDED


def test_redeliver_sends_a_failed_delivery_again_with_fresh_attempts(
    receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given a delivery that failed for good
    endpoint_factory(receiver.url)
    receiver.answer(500)
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempt_limit=1, state=WebhookDelivery.State.FAILED)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery=delivery, actor=admin_user)

    # then
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert delivery.attempt_limit == 1 + services.MAX_ATTEMPTS
    assert [(a.number, a.status_code) for a in delivery.attempts.order_by("number")] == [(1, 500), (2, 200)]
    assert receiver.requests[0].json["id"] == receiver.requests[1].json["id"]


def test_redeliver_refuses_a_delivery_still_in_progress(
    receiver, endpoint_factory, product, admin_user, django_capture_on_commit_callbacks
):
    # given
    endpoint_factory(receiver.url)
    receiver.answer(500)
    create_story(product, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    # when / then
    with pytest.raises(ApplicationError, match="still being attempted"):
        services.delivery_redeliver(delivery=delivery, actor=admin_user)


def test_the_response_excerpt_is_bounded(receiver, endpoint_factory, product, django_capture_on_commit_callbacks):
    # given
    endpoint_factory(receiver.url)
    receiver.answer((500, {}, b"x" * 100_000))

    # when
    create_story(product, django_capture_on_commit_callbacks)

    # then
    attempt = WebhookAttempt.objects.get()
    assert attempt.response_excerpt == "x" * transport.RESPONSE_EXCERPT_CHARS


def test_a_second_product_of_the_workspace_is_covered_too(
    receiver, endpoint_factory, workspace, django_capture_on_commit_callbacks
):
    # given
    endpoint_factory(receiver.url)
    second = ProductFactory(workspace=workspace, name="Ledger", key="LED")

    # when
    create_story(second, django_capture_on_commit_callbacks)

    # then
    assert receiver.requests[0].json["data"]["story"]["product"] == second.pk
