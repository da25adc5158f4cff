"""Backlog changes → push outbox rows, in the transaction of the change (transactional outbox).

Changes the sync itself applies carry origin="jira" and are not echoed back to Jira.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from backlog.models import Epic, Feature, Story
from backlog.signals import item_changed

from .models import IssueLink, ProjectMapping, item_kind
from .services import intents

ORIGIN_JIRA = "jira"

# Our model fields → the sync's field names.
MODEL_TO_SYNC = {
    "title": "summary",
    "description": "description",
    "points": "points",
    "priority": "priority",
    "labels": "labels",
    "assignee": "assignee",
    "epic": "parent",
    "feature": "parent",
    "status": "status",
}


def on_item_changed(
    sender: Any, *, item: Any, kind: str, changed_fields: frozenset[str], origin: str, **kwargs: Any
) -> None:
    if origin == ORIGIN_JIRA or not isinstance(item, Epic | Feature | Story):
        return
    mapping = ProjectMapping.objects.filter(product_id=item.product_id, connection__is_enabled=True).first()
    if mapping is None or not mapping.type_of_kind(item_kind(item)):
        return  # not synced, or no Jira issue type carries this kind (e.g. no feature type)
    if kind == "deleted":
        # Never destroy in Jira: the link stays, archived, so that a pull does not bring the issue back.
        IssueLink.objects.filter(**{f"{item_kind(item)}_id": item.pk}).update(
            archived_at=timezone.now(), archived_reason=IssueLink.ArchiveReason.DELETED_HERE
        )
        return
    fields = (
        sorted(set(MODEL_TO_SYNC.values()))
        if kind == "created"
        else sorted({MODEL_TO_SYNC[name] for name in changed_fields if name in MODEL_TO_SYNC})
    )
    if not fields:
        return
    intent = intents.intent_record(connection_id=mapping.connection_id, item=item, fields=fields)
    transaction.on_commit(lambda: intents.enqueue_push(intent.pk))


def connect() -> None:
    item_changed.connect(on_item_changed, dispatch_uid="jira_sync.on_item_changed")
