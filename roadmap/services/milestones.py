"""Milestones and goals."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.db import save_or_field_error
from core.errors import ApplicationError
from workspaces.models import Product

from ..models import Goal, Milestone, RoadmapItem


@transaction.atomic
def milestone_create(
    *,
    product: Product,
    name: str,
    date: date,
    kind: str = Milestone.Kind.MILESTONE,
    description: str = "",
    is_reached: bool = False,
    actor: AbstractBaseUser | None = None,
) -> Milestone:
    milestone = Milestone(
        product=product, name=name, date=date, kind=kind, description=description, is_reached=is_reached
    )
    milestone.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a milestone called {name}."
    if Milestone.objects.filter(product=product, name=name).exists():
        raise ValidationError({"name": duplicate})
    milestone._history_user = actor
    save_or_field_error(milestone, constraint="milestone_unique_name_per_product", field="name", message=duplicate)
    return milestone


MILESTONE_EDITABLE_FIELDS = frozenset({"name", "kind", "date", "description", "is_reached"})


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor: AbstractBaseUser | None, **changes: Any) -> Milestone:
    """Rename, re-date or mark a milestone reached. It stays in its product."""
    unknown = set(changes) - MILESTONE_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    milestone = Milestone.objects.select_for_update().select_related("product").get(pk=milestone.pk)
    for field, value in changes.items():
        setattr(milestone, field, value)
    milestone.full_clean(validate_constraints=False)
    product = milestone.product
    duplicate = f"{product.name} already has a milestone called {milestone.name}."
    if Milestone.objects.filter(product=product, name=milestone.name).exclude(pk=milestone.pk).exists():
        raise ValidationError({"name": duplicate})
    milestone._history_user = actor
    save_or_field_error(milestone, constraint="milestone_unique_name_per_product", field="name", message=duplicate)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor: AbstractBaseUser | None) -> None:
    """Delete a milestone; the items that shipped in it lose it, each with a history entry naming `actor`."""
    locked = Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
    if locked is None:
        return
    for item in RoadmapItem.objects.select_for_update().filter(milestone=locked).order_by("pk"):
        item.milestone = None
        item._history_user = actor
        item.save(update_fields=["milestone", "updated_at"])
    locked._history_user = actor
    locked.delete()


@transaction.atomic
def goal_create(
    *,
    product: Product,
    title: str,
    description: str = "",
    metric: str = "",
    target: str = "",
    due_date: date | None = None,
) -> Goal:
    goal = Goal(product=product, title=title, description=description, metric=metric, target=target, due_date=due_date)
    goal.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a goal called {title}."
    if Goal.objects.filter(product=product, title=title).exists():
        raise ValidationError({"title": duplicate})
    save_or_field_error(goal, constraint="goal_unique_title_per_product", field="title", message=duplicate)
    return goal


GOAL_EDITABLE_FIELDS = frozenset({"title", "description", "metric", "target", "due_date"})


@transaction.atomic
def goal_update(*, goal: Goal, actor: AbstractBaseUser | None, **changes: Any) -> Goal:
    """Reword a goal, its metric, target or due date. It stays in its product (goals keep no history)."""
    unknown = set(changes) - GOAL_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    goal = Goal.objects.select_for_update().select_related("product").get(pk=goal.pk)
    for field, value in changes.items():
        setattr(goal, field, value)
    goal.full_clean(validate_constraints=False)
    product = goal.product
    duplicate = f"{product.name} already has a goal called {goal.title}."
    if Goal.objects.filter(product=product, title=goal.title).exclude(pk=goal.pk).exists():
        raise ValidationError({"title": duplicate})
    save_or_field_error(goal, constraint="goal_unique_title_per_product", field="title", message=duplicate)
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, actor: AbstractBaseUser | None) -> None:
    """Delete a goal; the items that served it lose the link, nothing else."""
    Goal.objects.filter(pk=goal.pk).delete()
