"""`record_event`: how a service says "this happened" to the outside world, in its own transaction.

Why here, in `webhooks`, and not in `activity`: the outbox exists for outgoing webhooks,
and keeping its model, migration and delivery machinery in one app that depends only on
`core` and `workspaces` lets `backlog` and `decisions` import this one function without any
cycle (`backlog → webhooks.events → webhooks.models → workspaces`), while `webhooks`
never imports a domain app back: each service builds its payload. `activity` (comments,
notifications) is a domain app that `decisions` already uses but `backlog` does not, and
it would have had to take a model, a migration and a Celery fan-out that are not about
comments or notifications. If another consumer of domain events comes (an activity feed,
an audit export), it reads `OutboxEvent` too, or the model moves then.

Transactional outbox: the event row commits or rolls back with the change it describes.
After the commit a Celery task fans it out to the workspace's subscribed, active endpoints
(`tasks.dispatch_event`); if the broker is unreachable at that moment the event simply
stays undispatched and the periodic sweep (`tasks.webhooks_sweep`) picks it up.

An event is written only when an active endpoint of the workspace subscribes to its kind:
a workspace without webhooks pays one small query per change and no rows or messages. A
change in a transaction that started before an endpoint was created may therefore be
missed by that endpoint.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

from .models import SUBSCRIBABLE_KINDS, EventKind, OutboxEvent, WebhookEndpoint

__all__ = ["EventKind", "record_event", "record_events"]


def record_event(*, workspace_id: int, kind: str, payload: dict[str, Any]) -> OutboxEvent | None:
    """Write a domain event of the workspace to the outbox, to be delivered after the caller's commit.

    `payload` is the event's `data`: plain JSON values (dates and decimals are encoded), ids
    rather than objects, nothing secret. Returns the event, or None when nobody subscribes.
    """
    if not _subscribed(workspace_id, kind):
        return None
    event = OutboxEvent.objects.create(workspace_id=workspace_id, kind=kind, payload=payload)
    from .services import enqueue_dispatch

    transaction.on_commit(partial(enqueue_dispatch, event.pk))
    return event


def _subscribed(workspace_id: int, kind: str) -> bool:
    if kind not in SUBSCRIBABLE_KINDS:
        raise ValueError(f"Unknown webhook event kind {kind!r}; add it to webhooks.models.EventKind.")
    subscriptions = WebhookEndpoint.objects.filter(workspace_id=workspace_id, is_active=True).values_list(
        "events", flat=True
    )
    return any(kind in (events or []) for events in subscriptions)


def record_events(*, workspace_id: int, kind: str, payloads: list[dict[str, Any]]) -> list[OutboxEvent]:
    """`record_event` for a batch of changes of one kind (an import): one subscription check, one insert."""
    if not payloads or not _subscribed(workspace_id, kind):
        return []
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(workspace_id=workspace_id, kind=kind, payload=payload) for payload in payloads
    )
    from .services import enqueue_dispatch

    for event in events:
        transaction.on_commit(partial(enqueue_dispatch, event.pk))
    return events
