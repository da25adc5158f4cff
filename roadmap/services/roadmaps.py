"""Roadmaps: create, edit, delete."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from core.db import save_or_field_error
from core.errors import ApplicationError
from workspaces.models import Product

from ..models import Roadmap, RoadmapItem
from .rules import check_member


@transaction.atomic
def roadmap_create(
    *,
    product: Product,
    name: str,
    kind: str = Roadmap.Kind.PRODUCT,
    description: str = "",
    owner: AbstractBaseUser | None = None,
    actor: AbstractBaseUser | None = None,
) -> Roadmap:
    roadmap = Roadmap(product=product, name=name, kind=kind, description=description, owner=owner)
    roadmap.full_clean(validate_constraints=False)
    check_member(product, owner, "owner")
    duplicate = f"{product.name} already has a roadmap called {name}."
    if Roadmap.objects.filter(product=product, name=name).exists():
        raise ValidationError({"name": duplicate})
    roadmap._history_user = actor
    save_or_field_error(roadmap, constraint="roadmap_unique_name_per_product", field="name", message=duplicate)
    return roadmap


ROADMAP_EDITABLE_FIELDS = frozenset({"name", "kind", "description", "owner"})


@transaction.atomic
def roadmap_update(*, roadmap: Roadmap, actor: AbstractBaseUser | None, **changes: Any) -> Roadmap:
    """Rename, re-describe, re-kind or re-own a roadmap. It stays in its product."""
    unknown = set(changes) - ROADMAP_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    roadmap = Roadmap.objects.select_for_update().select_related("product__workspace").get(pk=roadmap.pk)
    for field, value in changes.items():
        setattr(roadmap, field, value)
    roadmap.full_clean(validate_constraints=False)
    product = roadmap.product
    if "owner" in changes:
        check_member(product, changes["owner"], "owner")
    duplicate = f"{product.name} already has a roadmap called {roadmap.name}."
    if Roadmap.objects.filter(product=product, name=roadmap.name).exclude(pk=roadmap.pk).exists():
        raise ValidationError({"name": duplicate})
    roadmap._history_user = actor
    save_or_field_error(roadmap, constraint="roadmap_unique_name_per_product", field="name", message=duplicate)
    return roadmap


@transaction.atomic
def roadmap_delete(*, roadmap: Roadmap, actor: AbstractBaseUser | None) -> None:
    """Delete a roadmap that holds no items; its baselines go with it.

    Items are work (with dependencies, progress links and sign-off context): deleting the roadmap
    would cascade through them, so they are deleted one deliberate step at a time first. The
    roadmap row is locked, as creating an item does, so no item is added meanwhile.
    """
    locked = Roadmap.objects.select_for_update().filter(pk=roadmap.pk).first()
    if locked is None:
        return
    count = RoadmapItem.objects.filter(roadmap=locked).count()
    if count:
        noun = "item" if count == 1 else "items"
        raise ApplicationError(
            f"{locked.name} still holds {count} {noun}; delete them before deleting the roadmap.",
            extra={"items": count},
        )
    locked._history_user = actor
    locked.delete()
