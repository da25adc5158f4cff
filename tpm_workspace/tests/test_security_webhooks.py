"""Webhooks refuse bad signatures and make replays harmless, both ways.

Incoming (Jira → /jira/webhooks/<key>/): the HMAC over the raw body is checked before anything is stored;
a replay of a delivery we hold — the same body and signature, under the same, another or no
`X-Atlassian-Webhook-Identifier` (that header is not signed) — is answered 202 and stores nothing.
Outgoing (ours → a receiver): the timestamp is signed with the body, each attempt is signed when sent,
and `webhooks.crypto.verify_delivery` (what the API schema tells receivers to do) refuses a replay.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from backlog.models import Epic
from backlog.tests.factories import StoryFactory
from jira_sync.models import JiraWebhookEvent
from jira_sync.services.connections import connection_create
from jira_sync.testing.webhooks import signature
from jira_sync.tests.conftest import jira  # noqa: F401 - fixture
from jira_sync.tests.sync.conftest import HUMAN, _quick_sync, cloud, make_mapping, mapping  # noqa: F401 - fixtures
from webhooks import crypto, services, transport
from webhooks.models import OutboxEvent, WebhookDelivery
from webhooks.tests.conftest import allow_private_networks, endpoint_factory, receiver  # noqa: F401 - fixtures
from workspaces.tests.factories import ProductFactory

# --- incoming: Jira's webhooks ----------------------------------------------------------------------------


@pytest.fixture
def delivered(cloud, mapping, live_server):  # noqa: F811 - fixtures imported above
    """One Jira event delivered and applied over real HTTP: (url, body, headers as Jira sent them)."""
    url = f"{live_server.url}/jira/webhooks/{mapping.connection.webhook_key}/"
    hooks = cloud.webhooks(url, secret=mapping.webhook_secret_plain, max_retries=0)
    cloud.state.create_issue("ABC", "Epic", "Checkout", author_id=HUMAN)
    (delivery,) = hooks.flush()
    hooks.close()
    assert delivery.status == 202
    assert JiraWebhookEvent.objects.count() == 1
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Atlassian-Webhook-Identifier": delivery.event.identifier,
        "X-Hub-Signature": signature(mapping.webhook_secret_plain, delivery.body),
    }
    return url, delivery.body, headers


def _replays(headers: dict[str, str]) -> list[dict[str, str]]:
    fresh = {**headers, "X-Atlassian-Webhook-Identifier": str(uuid.uuid4())}
    retry_header = {**headers, "X-Atlassian-Webhook-Retry": "1"}
    without = {name: value for name, value in headers.items() if name != "X-Atlassian-Webhook-Identifier"}
    return [headers, fresh, retry_header, without]


@pytest.mark.django_db(transaction=True)
def test_a_replayed_jira_delivery_stores_and_changes_nothing(delivered, cloud):  # noqa: F811
    # given: the event was applied; then the epic was renamed here
    url, body, headers = delivered
    events_before = list(JiraWebhookEvent.objects.values_list("pk", "identifier", "outcome"))
    assert events_before[0][2] == "created"
    Epic.objects.update(title="Checkout (renamed here)")
    calls_to_jira = len(cloud.requests)
    # when: the captured request is sent again, as it was and under other identifiers
    statuses = [httpx.post(url, content=body, headers=replay).status_code for replay in _replays(headers)]
    # then: accepted like a duplicate, nothing stored, nothing re-applied
    assert statuses == [202, 202, 202, 202]
    assert list(JiraWebhookEvent.objects.values_list("pk", "identifier", "outcome")) == events_before
    assert list(Epic.objects.values_list("title", flat=True)) == ["Checkout (renamed here)"]
    assert len(cloud.requests) == calls_to_jira  # not even a re-read of the issue


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "tamper",
    ["body changed", "signature of another secret", "no sha256= prefix", "no signature", "signature of another body"],
)
def test_a_jira_delivery_with_a_bad_signature_is_401_and_stores_nothing(delivered, tamper):
    # given
    url, body, headers = delivered
    event_ids = list(JiraWebhookEvent.objects.values_list("pk", flat=True))
    forged_body = body.replace(b"Checkout", b"Hijacked")
    headers = dict(headers, **{"X-Atlassian-Webhook-Identifier": str(uuid.uuid4())})
    if tamper == "body changed":
        sent = forged_body
    else:
        sent = body
        secret_signature = headers["X-Hub-Signature"]
        headers["X-Hub-Signature"] = {
            "signature of another secret": signature("whsec_not-the-secret", body),
            "no sha256= prefix": secret_signature.removeprefix("sha256="),
            "no signature": "",
            "signature of another body": signature("whsec_not-the-secret", forged_body),
        }[tamper]
    # when
    response = httpx.post(url, content=sent, headers=headers)
    # then
    assert response.status_code == 401
    assert list(JiraWebhookEvent.objects.values_list("pk", flat=True)) == event_ids


@pytest.mark.django_db(transaction=True)
def test_a_delivery_signed_for_another_workspaces_connection_is_401(delivered, other_workspace):
    # given: Globex has its own connection (and secret); a body signed with Globex's secret sent to Acme's URL
    url, body, headers = delivered
    _, globex_secret = connection_create(
        workspace=other_workspace,
        actor=None,
        site_url="https://globex.atlassian.net",
        deployment="cloud",
        email="bot@globex.example",
        token="globex-token",
    )
    # when
    response = httpx.post(url, content=body, headers={**headers, "X-Hub-Signature": signature(globex_secret, body)})
    # then
    assert response.status_code == 401
    assert JiraWebhookEvent.objects.count() == 1


def test_the_same_body_is_stored_once_per_connection(db, workspace):
    """The database enforces it, whatever the identifier: two requests racing with one body store one event."""
    from django.db import IntegrityError, transaction

    connection, _ = connection_create(
        workspace=workspace,
        actor=None,
        site_url="https://acme.atlassian.net",
        deployment="cloud",
        email="bot@acme.example",
        token="t",
    )
    JiraWebhookEvent.objects.create(connection=connection, identifier="a", body_sha256="f" * 64, event="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        JiraWebhookEvent.objects.create(connection=connection, identifier="b", body_sha256="f" * 64, event="x")


# --- outgoing: our signature scheme -------------------------------------------------------------------


@pytest.fixture
def pending_delivery(endpoint_factory, receiver, product, django_capture_on_commit_callbacks):  # noqa: F811
    """A story.created delivery waiting for its first attempt (not sent: we claim it ourselves)."""
    receiver.answer(500)
    endpoint = endpoint_factory(receiver.url, events=["story.created"])
    with django_capture_on_commit_callbacks(execute=False):
        StoryFactory(product=product, title="Refund a card payment")
    with django_capture_on_commit_callbacks(execute=False):
        services.event_dispatch(event_id=OutboxEvent.objects.get().pk)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    return endpoint, delivery


def test_a_captured_delivery_replayed_later_is_refused_by_the_documented_check(pending_delivery):
    # given: the first attempt, signed at t0
    endpoint, delivery = pending_delivery
    request = services.delivery_claim(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    timestamp = request.headers["X-TPM-Timestamp"]
    signed = request.headers["X-TPM-Signature"]
    sent_at = int(timestamp)
    # then: a receiver accepts it on arrival (and within the tolerance)…
    for seconds_later in (0, 60, crypto.REPLAY_TOLERANCE):
        assert crypto.verify_delivery(
            secret=endpoint.plain_secret,
            body=request.body,
            timestamp=timestamp,
            signature=signed,
            now=sent_at + seconds_later,
        )
    # …and refuses the same request replayed later, or with the timestamp moved to now (the signature breaks)
    later = sent_at + crypto.REPLAY_TOLERANCE + 1
    assert not crypto.verify_delivery(
        secret=endpoint.plain_secret, body=request.body, timestamp=timestamp, signature=signed, now=later
    )
    assert not crypto.verify_delivery(
        secret=endpoint.plain_secret, body=request.body, timestamp=str(int(later)), signature=signed, now=later
    )
    assert not crypto.verify_delivery(
        secret=endpoint.plain_secret, body=request.body, timestamp="soon", signature=signed, now=later
    )
    assert not crypto.verify_delivery(
        secret=endpoint.plain_secret, body=request.body, timestamp=None, signature=None, now=later
    )


def test_a_retry_is_signed_when_sent_and_carries_the_same_event_id(pending_delivery):
    # given: the first attempt at t0 failed
    endpoint, delivery = pending_delivery
    t0 = delivery.next_attempt_at
    first = services.delivery_claim(delivery_id=delivery.pk, now=t0)
    services.delivery_record_attempt(
        delivery_id=delivery.pk, number=first.number, outcome=transport.Outcome(status_code=500, retryable=True), at=t0
    )
    # when: the retry goes out 20 minutes later
    t1 = t0 + timedelta(minutes=20)
    second = services.delivery_claim(delivery_id=delivery.pk, now=t1)
    # then: signed at its own sending (a receiver's tolerance never refuses our retries), same body and event id
    assert int(second.headers["X-TPM-Timestamp"]) == int(t1.timestamp())
    assert crypto.verify_delivery(
        secret=endpoint.plain_secret,
        body=second.body,
        timestamp=second.headers["X-TPM-Timestamp"],
        signature=second.headers["X-TPM-Signature"],
        now=t1.timestamp(),
    )
    assert second.body == first.body  # `id` inside is the event's: receivers drop what they have handled
    assert second.headers["X-TPM-Delivery"] == first.headers["X-TPM-Delivery"]
    assert second.headers["X-TPM-Signature"] != first.headers["X-TPM-Signature"]


def test_a_products_delivery_is_signed_with_its_own_workspaces_secret(pending_delivery, other_workspace):
    # given
    _, delivery = pending_delivery
    ProductFactory(workspace=other_workspace)
    request = services.delivery_claim(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    # then: another secret does not verify it
    assert not crypto.verify_delivery(
        secret=crypto.new_secret(),
        body=request.body,
        timestamp=request.headers["X-TPM-Timestamp"],
        signature=request.headers["X-TPM-Signature"],
        now=delivery.next_attempt_at.timestamp(),
    )
