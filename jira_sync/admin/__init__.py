"""Jira sync in the admin, scoped to the staff user's workspaces (workspaces/admin_scoping.py).

Connections are managed by workspace admins through the services: the token is write-only ("replace
token", never rendered), the webhook secret shown once when made or rotated. Mappings are made in the
UI or the API (which ask Jira what the project offers); here their issue types and fields (checked
against the project again by mapping_update), field directions and status rows change, and deleting one
disconnects the project through mapping_delete (items kept, links archived). Links, the push outbox,
webhook events, runs with their item errors, and conflicts are records of the sync: shown, never edited
— a conflict is resolved by picking a side (an action).

base          what the modules share: list filters, audit fields, an item's label
connections   Jira connections (token write-only, webhook secret shown once)
mappings      project mappings with their status rows
records       issue links, the push outbox, received webhook events
runs          sync runs with their item errors, and conflicts
"""

from . import connections, mappings, records, runs  # noqa: F401 - importing a module registers its admins
