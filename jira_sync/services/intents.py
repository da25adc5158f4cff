"""The push outbox: one pending PushIntent per item, coalescing the fields of every change until pushed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from core.db import delete_in_batches
from core.queue import enqueue

from ..models import PushIntent, item_kind

# A claimed intent belongs to its task for this long; a dead worker's claim runs out and the sweep retries.
CLAIM_LEASE = timedelta(minutes=5)


def intent_record(*, connection_id: int, item: Any, fields: list[str]) -> PushIntent:
    """The item's pending intent with these fields added (created when there is none)."""
    ref = {f"{item_kind(item)}_id": item.pk}
    for _ in range(3):
        intent = PushIntent.objects.select_for_update().filter(done_at__isnull=True, **ref).first()
        if intent is not None:
            intent.fields = sorted(set(intent.fields) | set(fields))
            intent.version = F("version") + 1
            intent.next_attempt_at = timezone.now()
            intent.save(update_fields=["fields", "version", "next_attempt_at"])
            intent.refresh_from_db(fields=["version"])
            return intent
        try:
            with transaction.atomic():  # a savepoint: losing the race to insert keeps the caller's transaction
                return PushIntent.objects.create(
                    connection_id=connection_id, fields=sorted(set(fields)), next_attempt_at=timezone.now(), **ref
                )
        except IntegrityError:
            continue  # another transaction inserted the pending intent first: coalesce into it
    raise RuntimeError("could not record the push intent")


def enqueue_push(intent_id: int, *, countdown: float | None = None) -> bool:
    """Queue the push task; a broker that is down leaves the intent to the sweep (logged, not raised)."""
    from .. import tasks

    return enqueue(tasks.push_item, intent_id, countdown=countdown)


def intent_claim(*, intent_id: int) -> PushIntent | None:
    """Take the intent for one attempt if it is pending and due (conditional update: one claimer wins)."""
    now = timezone.now()
    claimed = PushIntent.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=intent_id, done_at__isnull=True
    ).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return PushIntent.objects.select_related("connection").get(pk=intent_id)


def intent_finish(*, intent: PushIntent, note: str = "") -> bool:
    """Done, unless a change came in meanwhile (then it is due again at once); True when done.
    `note`: what was pushed only in part (e.g. an assignee Jira does not know), kept as the last error."""
    done = PushIntent.objects.filter(pk=intent.pk, version=intent.version, done_at__isnull=True).update(
        done_at=timezone.now(), last_error=note[:2000]
    )
    if not done:
        PushIntent.objects.filter(pk=intent.pk, done_at__isnull=True).update(next_attempt_at=timezone.now())
    return bool(done)


def intent_fail(*, intent: PushIntent, message: str, retry_in: float | None) -> None:
    """Record the error; retry later (None: give up until the item changes again — a person must act)."""
    updates: dict[str, Any] = {"last_error": message[:2000]}
    if retry_in is None:
        updates["done_at"] = timezone.now()
    else:
        updates["next_attempt_at"] = timezone.now() + timedelta(seconds=retry_in)
    PushIntent.objects.filter(pk=intent.pk, done_at__isnull=True).update(**updates)


def intent_mark_uncertain(*, intent: PushIntent, retry_in: float) -> None:
    PushIntent.objects.filter(pk=intent.pk).update(
        create_uncertain=True, next_attempt_at=timezone.now() + timedelta(seconds=retry_in)
    )


def due_intent_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now()
    return list(
        PushIntent.objects.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), done_at__isnull=True)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def intents_prune(*, before: datetime, batch: int = 1000) -> int:
    """Delete intents done before `before`, but keep an item's latest intent while it carries an error: it is
    what the links API reports as the item's last push error until a newer push replaces it. How many went."""
    newer = PushIntent.objects.filter(
        PushIntent.same_item_as_outer(),
        created_at__gt=OuterRef("created_at"),
    )
    old = PushIntent.objects.filter(done_at__lt=before).filter(Q(last_error="") | Exists(newer))
    return delete_in_batches(old, batch=batch)
