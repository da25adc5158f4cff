"""Tech-debt items, and scheduling one as the story that pays it off."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.errors import ApplicationError
from workspaces.models import Product

from ..models import Epic, Sprint, Story, TechDebtItem, WorkflowStatus
from .items import delete_item, save_new_item, update_item
from .stories import story_create

TECH_DEBT_EDITABLE_FIELDS = frozenset(
    {"title", "description", "status", "owner", "kind", "impact", "cost_of_delay", "remediation_points", "epic"}
)


@transaction.atomic
def tech_debt_create(
    *,
    product: Product,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    kind: str = TechDebtItem.Kind.CODE,
    impact: str = TechDebtItem.Impact.MEDIUM,
    cost_of_delay: int = 0,
    remediation_points: int | None = None,
    epic: Epic | None = None,
    owner: AbstractBaseUser | None = None,
    labels: Sequence[str] = (),
    status: WorkflowStatus | None = None,
) -> TechDebtItem:
    item = TechDebtItem(
        product=product,
        title=title,
        description=description,
        kind=kind,
        impact=impact,
        cost_of_delay=cost_of_delay,
        remediation_points=remediation_points,
        epic=epic,
        owner=owner,
        status=status,
    )
    return save_new_item(item, actor=actor, labels=labels)


@transaction.atomic
def tech_debt_update(
    *, item: TechDebtItem, actor: AbstractBaseUser | None, labels: Sequence[str] | None = None, **changes: Any
) -> TechDebtItem:
    """Change a debt item's description, costs, epic, status or owner (and its labels when given)."""
    return update_item(item, actor=actor, editable=TECH_DEBT_EDITABLE_FIELDS, labels=labels, changes=changes)


@transaction.atomic
def tech_debt_delete(*, item: TechDebtItem, actor: AbstractBaseUser | None) -> None:
    """Delete a debt item; the story that pays it off, if it was scheduled, stays in the backlog."""
    item = TechDebtItem.objects.select_for_update(of=("self",)).select_related("product").get(pk=item.pk)
    delete_item(item, actor=actor, children={})


@transaction.atomic
def tech_debt_schedule(*, item: TechDebtItem, actor: AbstractBaseUser | None, sprint: Sprint | None = None) -> Story:
    """Turn a debt item into the story that pays it off (once), optionally planned into a sprint."""
    # The product row first, then the item: creating the story locks the product, and ranks_rebalance
    # takes the product before the items; the other order could deadlock with it.
    Product.objects.select_for_update().filter(pk=item.product_id).exists()
    item = TechDebtItem.objects.select_for_update().get(pk=item.pk)
    if item.remediation_story_id:
        raise ApplicationError(f"{item.key} is already scheduled as {item.remediation_story.key}.")
    story = story_create(
        product=item.product,
        actor=actor,
        title=f"Pay off: {item.title}",
        epic=item.epic,
        description=item.description,
        points=item.remediation_points,
        sprint=sprint,
        owner=item.owner,
        labels=["tech-debt"],
    )
    item.remediation_story = story
    item._history_user = actor
    item.save(update_fields=["remediation_story", "updated_at"])
    return story
