"""Epics and features: create, edit, delete."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from workspaces.models import Product

from ..models import Epic, Feature, Story, WorkflowStatus
from ..signals import ORIGIN_WORKSPACE, send_item_changed
from .items import delete_item, save_new_item, update_item


@transaction.atomic
def epic_create(
    *,
    product: Product,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    status: WorkflowStatus | None = None,
    owner: AbstractBaseUser | None = None,
    target_date: date | None = None,
    labels: Sequence[str] = (),
    origin: str = ORIGIN_WORKSPACE,
) -> Epic:
    epic = Epic(
        product=product, title=title, description=description, status=status, owner=owner, target_date=target_date
    )
    epic = save_new_item(epic, actor=actor, labels=labels)
    send_item_changed(epic, kind="created", actor=actor, origin=origin)
    return epic


@transaction.atomic
def feature_create(
    *,
    epic: Epic,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    status: WorkflowStatus | None = None,
    owner: AbstractBaseUser | None = None,
    labels: Sequence[str] = (),
    origin: str = ORIGIN_WORKSPACE,
) -> Feature:
    feature = Feature(
        product_id=epic.product_id,
        product=epic.product,
        epic=epic,
        title=title,
        description=description,
        status=status,
        owner=owner,
    )
    feature = save_new_item(feature, actor=actor, labels=labels)
    send_item_changed(feature, kind="created", actor=actor, origin=origin)
    return feature


EPIC_EDITABLE_FIELDS = frozenset({"title", "description", "status", "owner", "target_date"})
FEATURE_EDITABLE_FIELDS = frozenset({"title", "description", "status", "owner", "epic"})


@transaction.atomic
def epic_update(
    *,
    epic: Epic,
    actor: AbstractBaseUser | None,
    labels: Sequence[str] | None = None,
    origin: str = ORIGIN_WORKSPACE,
    **changes: Any,
) -> Epic:
    """Change an epic's title, description, status, owner or target date (and its labels when given)."""
    return update_item(epic, actor=actor, editable=EPIC_EDITABLE_FIELDS, labels=labels, changes=changes, origin=origin)


@transaction.atomic
def epic_delete(*, epic: Epic, actor: AbstractBaseUser | None, origin: str = ORIGIN_WORKSPACE) -> None:
    """Delete an epic with nothing under it; one that still has features or stories is refused, naming them."""
    epic = Epic.objects.select_for_update(of=("self",)).select_related("product").get(pk=epic.pk)
    children = {
        ("feature", "features"): Feature.objects.filter(epic_id=epic.pk).count(),
        ("story", "stories"): Story.objects.filter(epic_id=epic.pk).count(),
    }
    delete_item(epic, actor=actor, children=children, origin=origin)


@transaction.atomic
def feature_update(
    *,
    feature: Feature,
    actor: AbstractBaseUser | None,
    labels: Sequence[str] | None = None,
    origin: str = ORIGIN_WORKSPACE,
    **changes: Any,
) -> Feature:
    """Change a feature's title, description, status or owner, or move it under another epic of its product."""
    return update_item(
        feature, actor=actor, editable=FEATURE_EDITABLE_FIELDS, labels=labels, changes=changes, origin=origin
    )


@transaction.atomic
def feature_delete(*, feature: Feature, actor: AbstractBaseUser | None, origin: str = ORIGIN_WORKSPACE) -> None:
    """Delete a feature with no stories; one that still has stories is refused, naming how many."""
    feature = Feature.objects.select_for_update(of=("self",)).select_related("product").get(pk=feature.pk)
    children = {("story", "stories"): Story.objects.filter(feature_id=feature.pk).count()}
    delete_item(feature, actor=actor, children=children, origin=origin)
