"""Jira sync resources: connections (credentials write-only), mappings with their status rows, runs with
their item errors, conflicts, and the read-only sync state of each linked item.

Inputs name related rows by id through scoped fields: an id from a workspace the caller is not in is
"does not exist" (400). The services check the rest (same workspace, the project's issue types, …).

base          choices, help texts and the webhook URL the modules share
connections   the connection: its representation, writes, the connection test
mappings      project mappings, their field directions and status rows
runs          sync runs with their item errors; asking for a sync
items         the sync state of linked items, conflicts and resolving one
"""

from .base import DEPLOYMENT_CHOICES, FIELD_IDS, SYNC_STATES, TOKEN_HELP, webhook_url
from .connections import (
    ConnectionTestRequestSerializer,
    ConnectionTestSerializer,
    JiraConnectionSerializer,
    JiraConnectionWithSecretSerializer,
    JiraConnectionWriteSerializer,
)
from .items import ConflictSerializer, IssueLinkSerializer, JiraItemSummarySerializer, ResolveSerializer, item_summary
from .mappings import (
    DirectionsSerializer,
    ProjectMappingSerializer,
    ProjectMappingWriteSerializer,
    StatusMappingSerializer,
    StatusMappingWriteSerializer,
)
from .runs import (
    RUN_FIELDS,
    RunQueuedSerializer,
    SyncItemErrorSerializer,
    SyncRequestSerializer,
    SyncRunDetailSerializer,
    SyncRunSerializer,
)

__all__ = [
    "DEPLOYMENT_CHOICES",
    "FIELD_IDS",
    "RUN_FIELDS",
    "SYNC_STATES",
    "TOKEN_HELP",
    "ConflictSerializer",
    "ConnectionTestRequestSerializer",
    "ConnectionTestSerializer",
    "DirectionsSerializer",
    "IssueLinkSerializer",
    "JiraConnectionSerializer",
    "JiraConnectionWithSecretSerializer",
    "JiraConnectionWriteSerializer",
    "JiraItemSummarySerializer",
    "ProjectMappingSerializer",
    "ProjectMappingWriteSerializer",
    "ResolveSerializer",
    "RunQueuedSerializer",
    "StatusMappingSerializer",
    "StatusMappingWriteSerializer",
    "SyncItemErrorSerializer",
    "SyncRequestSerializer",
    "SyncRunDetailSerializer",
    "SyncRunSerializer",
    "item_summary",
    "webhook_url",
]
