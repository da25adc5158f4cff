"""Sprints: plan, start, close (unfinished work carried over or back to the backlog), edit, delete."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.db import save_or_field_error
from core.errors import ApplicationError
from workspaces.models import Product

from ..models import Sprint, StatusCategory, Story
from .rules import check_sprint_open


@transaction.atomic
def sprint_create(
    *,
    product: Product,
    name: str,
    start_date: date,
    end_date: date,
    goal: str = "",
    capacity_points: int = 0,
    actor: AbstractBaseUser | None = None,
) -> Sprint:
    sprint = Sprint(
        product=product,
        name=name,
        start_date=start_date,
        end_date=end_date,
        goal=goal,
        capacity_points=capacity_points,
    )
    sprint.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a sprint called {name}."
    if Sprint.objects.filter(product=product, name=name).exists():
        raise ValidationError({"name": duplicate})
    sprint._history_user = actor
    save_or_field_error(sprint, constraint="sprint_unique_name_per_product", field="name", message=duplicate)
    return sprint


@transaction.atomic
def sprint_start(*, sprint: Sprint, actor: AbstractBaseUser | None = None) -> Sprint:
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.state != Sprint.State.PLANNED:
        raise ApplicationError(f"{sprint.name} is {sprint.get_state_display().lower()}, not planned.", field="state")
    active = Sprint.objects.filter(product_id=sprint.product_id, state=Sprint.State.ACTIVE).first()
    if active:
        raise ApplicationError(f"Close {active.name} before starting {sprint.name}.", field="state")
    sprint.state = Sprint.State.ACTIVE
    sprint._history_user = actor
    sprint.save(update_fields=["state", "updated_at"])
    return sprint


@transaction.atomic
def sprint_close(
    *, sprint: Sprint, carry_over_to: Sprint | None = None, actor: AbstractBaseUser | None = None
) -> Sprint:
    """Close a sprint; unfinished stories go to `carry_over_to` or back to the backlog."""
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.state != Sprint.State.ACTIVE:
        raise ApplicationError(f"Only an active sprint can be closed; {sprint.name} is {sprint.state}.", field="state")
    if carry_over_to is not None and (carry_over_to.product_id != sprint.product_id or carry_over_to.pk == sprint.pk):
        raise ValidationError({"carry_over_to": "Carry unfinished work over to another sprint of this product."})
    check_sprint_open(carry_over_to, field="carry_over_to")
    # Saved one by one (not a queryset update) so that each story's history says where it went and who moved it.
    # of=("self",): lock the stories only, not the workflow statuses the filter joins.
    unfinished = (
        sprint.stories.select_for_update(of=("self",)).exclude(status__category=StatusCategory.DONE).order_by("pk")
    )
    for story in unfinished:
        story.sprint = carry_over_to
        story._history_user = actor
        story.save(update_fields=["sprint", "updated_at"])
    sprint.state = Sprint.State.CLOSED
    sprint._history_user = actor
    sprint.save(update_fields=["state", "updated_at"])
    return sprint


SPRINT_EDITABLE_FIELDS = frozenset({"name", "goal", "start_date", "end_date", "capacity_points"})


@transaction.atomic
def sprint_update(*, sprint: Sprint, actor: AbstractBaseUser | None, **changes: Any) -> Sprint:
    """Rename a sprint or change its dates, goal or capacity; its state changes only through start and close."""
    unknown = set(changes) - SPRINT_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    sprint = Sprint.objects.select_for_update(of=("self",)).select_related("product").get(pk=sprint.pk)
    for field, value in changes.items():
        setattr(sprint, field, value)
    sprint.full_clean(validate_constraints=False)
    duplicate = f"{sprint.product.name} already has a sprint called {sprint.name}."
    if Sprint.objects.filter(product_id=sprint.product_id, name=sprint.name).exclude(pk=sprint.pk).exists():
        raise ValidationError({"name": duplicate})
    sprint._history_user = actor
    save_or_field_error(sprint, constraint="sprint_unique_name_per_product", field="name", message=duplicate)
    return sprint


@transaction.atomic
def sprint_delete(*, sprint: Sprint, actor: AbstractBaseUser | None) -> None:
    """Delete a planned sprint, sending its stories back to the backlog (each with its history).

    Active and closed sprints are the team's record of what it committed to and finished: close
    an active sprint instead; a closed one stays.
    """
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.state != Sprint.State.PLANNED:
        raise ApplicationError(
            f"{sprint.name} is {sprint.get_state_display().lower()}; only a planned sprint can be deleted."
        )
    for story in Story.objects.select_for_update().filter(sprint_id=sprint.pk).order_by("pk"):
        story.sprint = None
        story._history_user = actor
        story.save(update_fields=["sprint", "updated_at"])
    sprint._history_user = actor
    sprint.delete()
