"""What the item services share: numbering and ranking a new item, field edits that announce what they
changed, and deletes refused while work still hangs under the item."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max

from core.errors import ApplicationError
from core.ranks import rank_after
from workspaces import services as workspace_services

from ..models import BacklogItem, Epic, Feature, Story, TechDebtItem
from ..signals import ORIGIN_WORKSPACE, send_item_changed
from .products import default_status, labels_resolve
from .rules import check_assignee

Item = TypeVar("Item", Epic, Feature, Story, TechDebtItem)


def save_new_item(item: Item, *, actor: AbstractBaseUser | None, labels: Sequence[str] = ()) -> Item:
    """Validate, number and rank (at the bottom) a new backlog item, then save it."""
    model = type(item)
    item.created_by = actor
    check_assignee(item.product, item.owner, field="owner")
    if not item.status_id:
        item.status = default_status(item.product)
    # The number is reserved first: it locks the product row, which also serialises the rank below.
    item.full_clean(exclude=["number", "rank"], validate_constraints=False)
    (item.number,) = workspace_services.product_next_numbers(product_id=item.product_id, field="last_item_number")
    last_rank = model.objects.filter(product_id=item.product_id).aggregate(last=Max("rank"))["last"]
    item.rank = rank_after(last_rank)
    item._history_user = actor
    item.save()
    if labels:
        item.labels.set(labels_resolve(product=item.product, names=labels))
    return item


def update_item(
    item: Item,
    *,
    actor: AbstractBaseUser | None,
    editable: frozenset[str],
    labels: Sequence[str] | None,
    changes: dict[str, Any],
    origin: str = ORIGIN_WORKSPACE,
) -> Item:
    """Apply field changes to a locked copy of a backlog item, every rule checked (same product, members only)."""
    unknown = set(changes) - editable
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    model = type(item)
    item = model.objects.select_for_update(of=("self",)).select_related("product__workspace").get(pk=item.pk)
    before = field_values(item, changes, labels=labels is not None)
    for field, value in changes.items():
        setattr(item, field, value)
    if "owner" in changes:
        check_assignee(item.product, changes["owner"], field="owner")
    item.full_clean(exclude=["number", "rank"], validate_constraints=False)
    item._history_user = actor
    item.save()
    if labels is not None:
        item.labels.set(labels_resolve(product=item.product, names=labels))
    announce_update(item, before, actor=actor, origin=origin)
    return item


def field_values(item: BacklogItem, names: Iterable[str], *, labels: bool) -> dict[str, Any]:
    """The stored values (ids for relations) of these fields, and the label names when asked: what
    `announce_update` compares with afterwards to say which fields a change touched."""
    values = {name: getattr(item, item._meta.get_field(name).attname) for name in names}
    if labels:
        values["labels"] = sorted(item.labels.values_list("name", flat=True))
    return values


def announce_update(item: BacklogItem, before: dict[str, Any], *, actor: AbstractBaseUser | None, origin: str) -> None:
    after = field_values(item, [name for name in before if name != "labels"], labels="labels" in before)
    changed = {name for name in before if before[name] != after[name]}
    if changed:
        send_item_changed(item, kind="updated", actor=actor, origin=origin, changed_fields=changed)


def _count_phrase(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def delete_item(
    item: BacklogItem,
    *,
    actor: AbstractBaseUser | None,
    children: dict[tuple[str, str], int],
    origin: str = ORIGIN_WORKSPACE,
) -> None:
    """Delete a locked backlog item, or refuse while work still hangs under it (the foreign keys are RESTRICT)."""
    held = [_count_phrase(count, *names) for names, count in children.items() if count]
    if held:
        raise ApplicationError(
            f"{item.key} still has {' and '.join(held)}; move or delete them before deleting it.",
            extra={"children": held},
        )
    send_item_changed(item, kind="deleted", actor=actor, origin=origin)
    item._history_user = actor
    item.delete()
