"""Every write on webhooks: endpoints and their secrets, the fan-out of events, each attempt and its outcome.

Delivery, step by step (tasks.py runs it):
1. `event_dispatch` turns an outbox event into one `WebhookDelivery` per subscribed, active
   endpoint (unique per endpoint and event, so dispatching twice creates nothing new) and
   marks the event dispatched.
2. `delivery_claim` takes a due, pending delivery with a conditional UPDATE that counts the
   attempt and pushes `next_attempt_at` forward by a lease: two workers holding the same
   message, or the sweep and a retry meeting, never send twice; a worker that dies
   mid-send leaves the delivery due again once the lease ends. It returns the signed request.
3. The task POSTs it (transport.post, outside any transaction).
4. `delivery_record_attempt` writes the attempt and moves the delivery: succeeded on 2xx;
   otherwise pending again after a backoff (Retry-After on 429/503), or failed once its
   attempts are used up or the error is terminal.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from core.db import delete_in_batches
from core.errors import ApplicationError
from core.queue import enqueue
from workspaces.models import Workspace

from . import crypto, transport
from .models import (
    MAX_ATTEMPTS,
    SUBSCRIBABLE_KINDS,
    EventKind,
    OutboxEvent,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)

# How long a claimed attempt owns its delivery: longer than any attempt (TIMEOUT plus reading).
CLAIM_LEASE = timedelta(minutes=2)
ENDPOINT_EDITABLE_FIELDS = frozenset({"url", "description", "events", "is_active"})


# --- Queueing (after commit; a broker that is down leaves the work to the sweep) ---------------


def _enqueue(task_name: str, object_id: int, *, countdown: float | None = None) -> bool:
    from . import tasks

    return enqueue(getattr(tasks, task_name), object_id, countdown=countdown)


def enqueue_dispatch(event_id: int) -> bool:
    return _enqueue("dispatch_event", event_id)


def enqueue_delivery(delivery_id: int, *, countdown: float | None = None) -> bool:
    return _enqueue("deliver_webhook", delivery_id, countdown=countdown)


def _enqueue_deliveries_on_commit(delivery_ids: list[int]) -> None:
    def send() -> None:
        for delivery_id in delivery_ids:
            enqueue_delivery(delivery_id)

    if delivery_ids:
        transaction.on_commit(send)


# --- Endpoints -----------------------------------------------------------------------------------


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list | tuple) or not events:
        raise ApplicationError("Subscribe to at least one event.", field="events")
    unknown = sorted({str(kind) for kind in events if kind not in SUBSCRIBABLE_KINDS})
    if unknown:
        raise ApplicationError(
            f"Unknown events: {', '.join(unknown)}; choose from {', '.join(SUBSCRIBABLE_KINDS)}.", field="events"
        )
    return [kind for kind in SUBSCRIBABLE_KINDS if kind in set(events)]


@transaction.atomic
def endpoint_create(
    *,
    workspace: Workspace,
    actor: AbstractBaseUser | None,
    url: str,
    events: list[str],
    description: str = "",
    is_active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """A subscribed endpoint with a new signing secret; returns it with the secret, which is never shown again."""
    secret = crypto.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace,
        url=transport.validate_url(url),
        description=description.strip(),
        events=_clean_events(events),
        is_active=is_active,
        secret_encrypted=crypto.encrypt_secret(secret),
        created_by=actor,
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, actor: AbstractBaseUser | None, **changes: Any) -> WebhookEndpoint:
    unknown = set(changes) - ENDPOINT_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if "url" in changes:
        endpoint.url = transport.validate_url(changes["url"])
    if "events" in changes:
        endpoint.events = _clean_events(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"].strip()
    if "is_active" in changes:
        endpoint.is_active = bool(changes["is_active"])
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor: AbstractBaseUser | None) -> None:
    """Remove the endpoint with its deliveries and attempts; queued messages for them find nothing."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: AbstractBaseUser | None) -> tuple[WebhookEndpoint, str]:
    """A new signing secret, effective for every attempt from now on (also retries of older deliveries)."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = crypto.new_secret()
    endpoint.secret_encrypted = crypto.encrypt_secret(secret)
    endpoint.save(update_fields=["secret_encrypted", "updated_at"])
    return endpoint, secret


@transaction.atomic
def endpoint_ping(*, endpoint: WebhookEndpoint, actor: AbstractBaseUser | None) -> WebhookDelivery:
    """Send a `ping` event to this endpoint only, through the normal delivery path."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.is_active:
        raise ApplicationError("Activate the endpoint before pinging it.", field="is_active")
    now = timezone.now()
    event = OutboxEvent.objects.create(
        workspace_id=endpoint.workspace_id,
        kind=EventKind.PING,
        payload={"endpoint": endpoint.pk, "by": getattr(actor, "pk", None), "events": endpoint.events},
        dispatched_at=now,
    )
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=now)
    _enqueue_deliveries_on_commit([delivery.pk])
    return delivery


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: AbstractBaseUser | None) -> WebhookDelivery:
    """Send a finished (succeeded or failed) delivery again now, with a fresh allowance of attempts."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    if delivery.state == WebhookDelivery.State.PENDING:
        raise ApplicationError(
            "This delivery is still being attempted; it will be sent again on its own.", field="delivery"
        )
    if not delivery.endpoint.is_active:
        raise ApplicationError("Activate the endpoint before redelivering to it.", field="delivery")
    delivery.state = WebhookDelivery.State.PENDING
    delivery.attempt_limit = delivery.attempt_count + MAX_ATTEMPTS
    delivery.next_attempt_at = timezone.now()
    delivery.completed_at = None
    delivery.save(update_fields=["state", "attempt_limit", "next_attempt_at", "completed_at", "updated_at"])
    _enqueue_deliveries_on_commit([delivery.pk])
    return delivery


# --- Fan-out -------------------------------------------------------------------------------------


@transaction.atomic
def event_dispatch(*, event_id: int) -> list[int]:
    """One delivery per subscribed, active endpoint of the event's workspace; queued after commit.

    Idempotent: a dispatched event is left alone, and deliveries are unique per endpoint and event.
    Returns the ids of the event's pending deliveries, which it queues after commit.
    """
    event = OutboxEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None or event.dispatched_at is not None:
        return []
    now = timezone.now()
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(workspace_id=event.workspace_id, is_active=True).order_by("pk")
        if endpoint.subscribes_to(event.kind)
    ]
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now) for endpoint in endpoints],
        ignore_conflicts=True,
    )
    event.dispatched_at = now
    event.save(update_fields=["dispatched_at"])
    delivery_ids = list(
        WebhookDelivery.objects.filter(event=event, state=WebhookDelivery.State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _enqueue_deliveries_on_commit(delivery_ids)
    return delivery_ids


# --- One attempt ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedRequest:
    delivery_id: int
    number: int
    at: datetime
    url: str
    body: bytes
    headers: dict[str, str]


def delivery_body(event: OutboxEvent) -> bytes:
    """The JSON every endpoint receives for an event; the same bytes on every attempt."""
    document = {
        "id": str(event.uuid),
        "event": event.kind,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "workspace": event.workspace_id,
        "data": event.payload,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def _finish(delivery_id: int, *, state: str, error: str, at: datetime) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id, state=WebhookDelivery.State.PENDING).update(
        state=state, last_error=error[:500], next_attempt_at=None, completed_at=at, updated_at=at
    )


@transaction.atomic
def delivery_claim(*, delivery_id: int, now: datetime | None = None) -> SignedRequest | None:
    """Claim the delivery's next attempt if it is pending and due; the signed request to send, or None."""
    now = now or timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event")
        .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if delivery is None:
        return None
    if not delivery.endpoint.is_active:
        _finish(delivery_id, state=WebhookDelivery.State.FAILED, error="Not sent: the endpoint is inactive.", at=now)
        return None
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        state=WebhookDelivery.State.PENDING,
        next_attempt_at__lte=now,
        attempt_count=delivery.attempt_count,
    ).update(attempt_count=F("attempt_count") + 1, next_attempt_at=now + CLAIM_LEASE, updated_at=now)
    if not claimed:
        return None
    number = delivery.attempt_count + 1
    body = delivery_body(delivery.event)
    timestamp = int(now.timestamp())
    try:
        secret = crypto.decrypt_secret(delivery.endpoint.secret_encrypted)
    except crypto.InvalidToken:
        error = (
            "Not sent: the signing secret cannot be decrypted (FIELD_ENCRYPTION_KEY or SECRET_KEY changed?); "
            "rotate the endpoint's secret."
        )
        _record(delivery, number=number, outcome=transport.Outcome(error=error, retryable=False), at=now)
        return None
    headers = {
        "X-TPM-Event": delivery.event.kind,
        "X-TPM-Delivery": str(delivery.uuid),
        "X-TPM-Timestamp": str(timestamp),
        "X-TPM-Signature": crypto.sign(secret=secret, timestamp=timestamp, body=body),
    }
    return SignedRequest(
        delivery_id=delivery_id, number=number, at=now, url=delivery.endpoint.url, body=body, headers=headers
    )


@transaction.atomic
def delivery_record_attempt(
    *, delivery_id: int, number: int, outcome: transport.Outcome, at: datetime | None = None
) -> float | None:
    """Write the attempt and move the delivery on; returns the seconds until the next attempt, or None."""
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        return None
    return _record(delivery, number=number, outcome=outcome, at=at or timezone.now())


def _record(delivery: WebhookDelivery, *, number: int, outcome: transport.Outcome, at: datetime) -> float | None:
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        at=at,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error[:500],
        response_excerpt=outcome.response_excerpt,
    )
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:500]
    delay: float | None = None
    if outcome.succeeded:
        delivery.state = WebhookDelivery.State.SUCCEEDED
        delivery.completed_at, delivery.next_attempt_at = at, None
    elif outcome.retryable and number < delivery.attempt_limit:
        delay = transport.retry_delay(number, retry_after=outcome.retry_after)
        delivery.state = WebhookDelivery.State.PENDING
        delivery.next_attempt_at = at + timedelta(seconds=delay)
    else:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.completed_at, delivery.next_attempt_at = at, None
        if not delivery.last_error:
            delivery.last_error = f"Gave up after {number} attempts; the last answer was {outcome.status_code}."
    delivery.save(
        update_fields=["state", "last_status_code", "last_error", "completed_at", "next_attempt_at", "updated_at"]
    )
    return delay


# --- The sweep -----------------------------------------------------------------------------------


def undispatched_event_ids(*, limit: int) -> list[int]:
    undispatched = OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("created_at", "pk")
    return list(undispatched.values_list("pk", flat=True)[:limit])


def due_delivery_ids(*, now: datetime, limit: int) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- Retention -----------------------------------------------------------------------------------


def outbox_prune(*, before: datetime, batch: int = 1000) -> int:
    """Delete events dispatched before `before` whose deliveries are all finished, with those deliveries and
    their attempts. Undispatched or pending work is kept. How many events went."""
    pending = WebhookDelivery.objects.filter(event=OuterRef("pk"), state=WebhookDelivery.State.PENDING)
    return delete_in_batches(OutboxEvent.objects.filter(dispatched_at__lt=before).exclude(Exists(pending)), batch=batch)
