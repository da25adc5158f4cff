"""Three-way merge per field, and resolving a conflict by picking a side.

`merge` is pure: normalised values in, one decision per field out; the callers (pull, push,
webhook, dry run) act on the decisions. With base B, ours O and theirs T of a two-way field:
O == B and T != B → apply T here; O != B and T == B → push O; both changed to the same value →
just move the base; both changed differently → a conflict, settled by the connection's policy
(jira_wins: apply T; workspace_wins: push O; ask: record it, change nothing, wait for a person).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError

from ..models import Conflict, ConflictPolicy, Direction, IssueLink

Action = Literal["none", "apply", "push", "base", "conflict"]


@dataclass(frozen=True)
class Decision:
    field: str
    action: Action
    value: Any = None  # apply: theirs; push: ours; base: the agreed value
    conflict: bool = False  # both sides changed differently (recorded, whatever the policy did)
    resolution: str = ""  # jira / workspace when the policy settled it; "" when a person must


MISSING = object()


def merge_field(
    *,
    field: str,
    direction: str,
    base: Any,
    ours: Any,
    theirs: Any,
    policy: str,
    open_conflict: bool = False,
) -> Decision:
    """`base` MISSING: never synced; `ours`/`theirs` MISSING: that side cannot express the field."""
    if ours is MISSING or theirs is MISSING:
        return Decision(field, "none")
    if ours == theirs:
        return Decision(field, "none" if base == ours else "base", ours)
    if direction == Direction.SET_ONCE:
        # Set when the item was first linked; afterwards each side keeps its own value.
        return Decision(field, "none")
    if direction == Direction.FROM_JIRA:
        return Decision(field, "apply", theirs)
    if direction == Direction.TO_JIRA:
        return Decision(field, "push", ours)
    if base is MISSING:  # a field mapped after the link was made: no common history
        base = None
    ours_changed, theirs_changed = ours != base, theirs != base
    if theirs_changed and not ours_changed:
        return Decision(field, "apply", theirs)
    if ours_changed and not theirs_changed:
        return Decision(field, "push", ours)
    if policy == ConflictPolicy.JIRA_WINS:
        return Decision(field, "apply", theirs, conflict=True, resolution=Conflict.Side.JIRA)
    if policy == ConflictPolicy.WORKSPACE_WINS:
        return Decision(field, "push", ours, conflict=True, resolution=Conflict.Side.WORKSPACE)
    return Decision(field, "conflict", None, conflict=not open_conflict)


def merge(
    *,
    fields: list[str],
    directions: dict[str, str],
    base: dict[str, Any],
    ours: dict[str, Any],
    theirs: dict[str, Any],
    policy: str,
    open_conflicts: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[Decision]:
    return [
        merge_field(
            field=name,
            direction=directions[name],
            base=base.get(name, MISSING),
            ours=ours.get(name, MISSING),
            theirs=theirs.get(name, MISSING),
            policy=policy,
            open_conflict=name in open_conflicts,
        )
        for name in fields
    ]


def record_conflicts(
    *, link: IssueLink, decisions: list[Decision], ours: dict[str, Any], theirs: dict[str, Any]
) -> int:
    """Write the conflicts of these decisions (call inside the link's transaction); returns how many are new.
    An open conflict is refreshed with the latest values, not duplicated; one whose sides now agree closes."""
    now = timezone.now()
    created = 0
    open_by_field = {c.field: c for c in Conflict.objects.filter(link=link, status=Conflict.Status.OPEN)}
    for decision in decisions:
        existing = open_by_field.get(decision.field)
        if decision.action == "conflict":
            if existing is not None:
                existing.ours, existing.theirs = ours[decision.field], theirs[decision.field]
                existing.save(update_fields=["ours", "theirs"])
                continue
            Conflict.objects.create(
                link=link,
                field=decision.field,
                base=link.base.get(decision.field),
                ours=ours[decision.field],
                theirs=theirs[decision.field],
            )
            created += 1
        elif existing is not None and decision.action in {"none", "base", "apply", "push"}:
            # The sides agree again, or one side moved back to the base: nothing is left to ask.
            existing.status, existing.resolved_at = Conflict.Status.RESOLVED, now
            existing.resolution = Conflict.Side.JIRA if decision.action == "apply" else Conflict.Side.WORKSPACE
            existing.save(update_fields=["status", "resolved_at", "resolution"])
        elif decision.conflict and decision.resolution:
            Conflict.objects.create(
                link=link,
                field=decision.field,
                base=link.base.get(decision.field),
                ours=ours[decision.field],
                theirs=theirs[decision.field],
                status=Conflict.Status.RESOLVED,
                resolution=decision.resolution,
                resolved_at=now,
            )
            created += 1
    return created


@transaction.atomic
def conflict_resolve(*, conflict_id: int, side: str, actor: AbstractBaseUser | None) -> Conflict:
    """Pick a side. The base is moved so that the next merge of the item carries the chosen value over
    (Jira: ours looks unchanged, theirs applies; workspace: theirs looks unchanged, ours is pushed), and
    the item is queued for a push round that re-reads the issue and does exactly that."""
    from . import intents

    conflict = Conflict.objects.select_for_update().select_related("link").get(pk=conflict_id)
    if conflict.status != Conflict.Status.OPEN:
        raise ApplicationError("This conflict was already resolved.")
    if side not in Conflict.Side.values:
        raise ApplicationError("Pick Jira or the workspace.", field="side")
    link = IssueLink.objects.select_for_update().get(pk=conflict.link_id)
    link.base = {**link.base, conflict.field: conflict.ours if side == Conflict.Side.JIRA else conflict.theirs}
    link.save(update_fields=["base"])
    conflict.status, conflict.resolution = Conflict.Status.RESOLVED, side
    conflict.resolved_by, conflict.resolved_at = actor, timezone.now()
    conflict.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    item = link.item
    if item is not None:
        intent = intents.intent_record(connection_id=link.connection_id, item=item, fields=[conflict.field])
        transaction.on_commit(lambda: intents.enqueue_push(intent.pk))
    return conflict
