"""Celery entry points for webhooks: thin, by id, idempotent; the services own every decision.

- dispatch_event(event_id): fan an outbox event out to deliveries (queued after each commit).
- deliver_webhook(delivery_id): one attempt, if the delivery is due; a retry is queued with the
  backoff as countdown. Receivers' failures are data (attempt rows), not task failures.
- webhooks_sweep(): every minute (tpm_workspace/celery.py beat_schedule), dispatch what the
  broker missed and queue deliveries whose time has come (a lost countdown, a dead worker).
- outbox_prune(): nightly, deletes finished events older than settings.OUTBOX_RETENTION.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services, transport

SWEEP_BATCH = 500


@shared_task(acks_late=True, ignore_result=True)
def dispatch_event(event_id: int) -> int:
    """How many deliveries the event got (0 when it was already dispatched)."""
    return len(services.event_dispatch(event_id=event_id))


@shared_task(acks_late=True, ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    request = services.delivery_claim(delivery_id=delivery_id)
    if request is None:
        return "skipped"
    outcome = transport.post(request.url, body=request.body, headers=request.headers)
    delay = services.delivery_record_attempt(
        delivery_id=delivery_id, number=request.number, outcome=outcome, at=request.at
    )
    if delay is not None:
        # In eager mode (tests, `make run` without Redis) this runs at once and finds the delivery not yet due.
        services.enqueue_delivery(delivery_id, countdown=delay)
        return "retrying"
    return "succeeded" if outcome.succeeded else "failed"


@shared_task(acks_late=True, ignore_result=True)
def webhooks_sweep() -> dict[str, int]:
    """Catch up on what the broker lost; safe to run at any time and more than once."""
    due = services.due_delivery_ids(now=timezone.now(), limit=SWEEP_BATCH)
    dispatched = 0
    for event_id in services.undispatched_event_ids(limit=SWEEP_BATCH):
        services.event_dispatch(event_id=event_id)
        dispatched += 1
    queued = sum(services.enqueue_delivery(delivery_id) for delivery_id in due)
    return {"events_dispatched": dispatched, "deliveries_queued": queued}


@shared_task(acks_late=True, ignore_result=True)
def outbox_prune() -> int:
    return services.outbox_prune(before=timezone.now() - settings.OUTBOX_RETENTION)
