"""Jira sync state: connections, project mappings, links between our items and Jira issues, the push
outbox, received webhook events, runs with their per-item errors, and conflicts.

The backlog knows nothing of this: every row here points at backlog rows, never the reverse.
Identity of a Jira issue is (connection, issue id) — never the key, which changes when an issue moves.
"""

from .base import (
    DEFAULT_DIRECTIONS,
    FIELDS,
    ITEM_MODELS,
    ConflictPolicy,
    Direction,
    ItemKind,
    ItemRefMixin,
    item_kind,
    item_ref,
)
from .config import JiraConnection, ProjectMapping, StatusMapping
from .state import Conflict, IssueLink, JiraWebhookEvent, PushIntent, SyncItemError, SyncRun

__all__ = [
    "DEFAULT_DIRECTIONS",
    "FIELDS",
    "ITEM_MODELS",
    "Conflict",
    "ConflictPolicy",
    "Direction",
    "IssueLink",
    "ItemKind",
    "ItemRefMixin",
    "JiraConnection",
    "JiraWebhookEvent",
    "ProjectMapping",
    "PushIntent",
    "StatusMapping",
    "SyncItemError",
    "SyncRun",
    "item_kind",
    "item_ref",
]
