"""`item_changed`: the one seam through which the backlog tells other apps an epic, feature or story changed.

Sent by backlog.services inside the writing transaction (a receiver that writes joins that
transaction: the transactional outbox of jira_sync). Arguments:

- item: the Epic, Feature, Story (or TechDebtItem) — on "deleted", the row as it was, still with its pk;
- kind: "created", "updated" or "deleted";
- changed_fields: the model fields that changed ("labels" included), empty for create/delete;
- actor: the acting user or None;
- origin: who made the change: ORIGIN_WORKSPACE, or e.g. "jira" when a sync applies what it
  pulled, so that a receiver does not echo the change back where it came from.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

ORIGIN_WORKSPACE = "workspace"

item_changed = Signal()


def send_item_changed(
    item: Any, *, kind: str, actor: Any, origin: str, changed_fields: frozenset[str] | set[str] = frozenset()
) -> None:
    item_changed.send(
        sender=type(item), item=item, kind=kind, changed_fields=frozenset(changed_fields), actor=actor, origin=origin
    )
