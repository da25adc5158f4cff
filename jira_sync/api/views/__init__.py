"""/api/v1/jira/: the workspace's Jira connection, project mappings, sync runs, conflicts, and the sync
state of each linked item.

Roles: connections are for workspace admins only (reads too: who the integration signs in as, and the
webhook URL). Mappings are read by every member and written by admins. Runs, conflicts and links are
read by every member; editors resolve conflicts and start a sync or a dry run. Outsiders get 404.

base          what the viewsets share: the tag, errors, the caller's workspaces
connections   the connection (admins only), its test and webhook secret
mappings      project mappings: create and change (checked against Jira), sync, dry run, disconnect
runs          sync runs with their item errors
items         the sync state of linked items, and conflicts
"""

from .connections import JiraConnectionViewSet
from .items import ConflictViewSet, IssueLinkViewSet
from .mappings import ProjectMappingViewSet
from .runs import SyncRunViewSet

__all__ = ["ConflictViewSet", "IssueLinkViewSet", "JiraConnectionViewSet", "ProjectMappingViewSet", "SyncRunViewSet"]
