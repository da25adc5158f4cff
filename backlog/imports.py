"""Bulk creation for imports: many new items of one kind in a handful of statements.

The one-by-one services (`epic_create`, `story_create`, …) spend a dozen statements per item
(validation queries per foreign key, a counter update, a rank lookup, a history row, label links).
An import of thousands of issues cannot afford that, so `items_import` applies the same rules to a
batch: every item is validated in memory (foreign keys are trusted to be rows of the product, as
`clean()` checks), the numbers come from one counter update, the ranks are counted on from the
bottom of the backlog in memory, and items, history rows and label links are inserted in bulk.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.ranks import rank_after
from webhooks.events import EventKind, record_events
from workspaces import services as workspace_services
from workspaces.models import Membership, Product

from .models import Epic, Feature, Story
from .services import LABEL_MAX_LENGTH, default_status, labels_resolve, story_event_data
from .signals import send_item_changed

NewItem = TypeVar("NewItem", Epic, Feature, Story)

# Foreign keys are checked by `clean()` (same product) and by the database; Django's field
# validation would query each of them once per item.
_RELATIONS = ["product", "status", "owner", "created_by", "epic", "feature", "assignee", "sprint"]


@dataclass
class ImportResult:
    created: list[Any] = field(default_factory=list)
    # Index into the caller's list → why that item was not created.
    refused: dict[int, ValidationError] = field(default_factory=dict)


@transaction.atomic
def items_import(
    *,
    product: Product,
    items: Sequence[NewItem],
    labels: Sequence[Sequence[str]] = (),
    actor: AbstractBaseUser | None,
    origin: str,
) -> ImportResult:
    """Create unsaved items of one kind (all Epic, all Feature or all Story) of `product`, appended to the
    bottom of its backlog in the given order. `labels[i]` are the label names of `items[i]`.

    An item that breaks a rule is left out and reported in `refused` (with the error a form would
    show); the others are created. Sends `item_changed` ("created", `origin`) for each created item.
    """
    result = ImportResult()
    if not items:
        return result
    model = type(items[0])
    if any(type(item) is not model for item in items):
        raise ValueError("items_import creates one kind of item at a time")
    labels = [labels[index] if index < len(labels) else () for index in range(len(items))]
    members = _member_ids(product, items)
    fallback_status = None
    valid: list[tuple[int, NewItem]] = []
    for index, item in enumerate(items):
        item.product = product
        item.created_by = actor
        if not item.status_id:
            fallback_status = fallback_status or default_status(product)
            item.status = fallback_status
        try:
            _validate(item, members, labels[index])
        except ValidationError as exc:
            result.refused[index] = exc
            continue
        valid.append((index, item))
    if not valid:
        return result

    numbers = workspace_services.product_next_numbers(
        product_id=product.pk, field="last_item_number", count=len(valid)
    )  # locks the product row: concurrent creators wait, so the ranks below stay unique
    rank = model.objects.filter(product_id=product.pk).aggregate(last=Max("rank"))["last"]
    now = timezone.now()
    for number, (_, item) in zip(numbers, valid, strict=True):
        item.number = number
        rank = rank_after(rank)
        item.rank = rank
        if isinstance(item, Story) and item.status.is_done:
            item.completed_at = now
    created: list[NewItem] = bulk_create_with_history([item for _, item in valid], model, default_user=actor)
    _link_labels(product, model, created, [labels[index] for index, _ in valid])
    if model is Story:
        record_events(
            workspace_id=product.workspace_id,
            kind=EventKind.STORY_CREATED,
            payloads=[{"story": story_event_data(story)} for story in created],
        )
    for item in created:
        send_item_changed(item, kind="created", actor=actor, origin=origin)
    result.created = created
    return result


def _member_ids(product: Product, items: Sequence[Any]) -> set[int]:
    """The workspace members among the people the items name, in one query."""
    people = {
        pk
        for item in items
        for pk in (getattr(item, "owner_id", None), getattr(item, "assignee_id", None))
        if pk is not None
    }
    if not people:
        return set()
    return set(
        Membership.objects.filter(workspace_id=product.workspace_id, user_id__in=people).values_list(
            "user_id", flat=True
        )
    )


def _validate(item: Any, members: set[int], labels: Sequence[str]) -> None:
    errors: dict[str, list[str]] = {}
    for name in labels:
        if len(name.strip()) > LABEL_MAX_LENGTH:
            errors.setdefault("labels", []).append(
                f"Keep labels to {LABEL_MAX_LENGTH} characters; “{name.strip()[:20]}…” has {len(name.strip())}."
            )
    for name in ("owner", "assignee"):
        if getattr(item, f"{name}_id", None) is not None and getattr(item, f"{name}_id") not in members:
            errors.setdefault(name, []).append("Assign only members of this workspace.")
    if isinstance(item, Story) and item.sprint_id:
        errors.setdefault("sprint", []).append("Plan imported stories into a sprint after the import.")
    try:
        item.full_clean(exclude=["number", "rank", *_RELATIONS], validate_constraints=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _link_labels(product: Product, model: type, created: Sequence[Any], names: Sequence[Sequence[str]]) -> None:
    wanted = {name for item_names in names for name in item_names}
    if not wanted:
        return
    by_name = {label.name: label for label in labels_resolve(product=product, names=wanted)}
    through = model.labels.through
    column = f"{model._meta.model_name}_id"
    through.objects.bulk_create(
        through(**{column: item.pk, "label_id": by_name[name.strip()].pk})
        for item, item_names in zip(created, names, strict=True)
        for name in {n.strip() for n in item_names if n and n.strip()}
    )
