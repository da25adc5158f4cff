"""Checks that several roadmap services apply before they write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from workspaces.models import Product


def check_member(product: Product, user: AbstractBaseUser | None, field: str) -> None:
    if user is not None and not product.workspace.memberships.filter(user=user).exists():
        raise ValidationError({field: "Choose a member of this workspace."})


def check_same_product(product: Product, field: str, objects: Iterable[Any]) -> None:
    for obj in objects:
        if obj.product_id != product.pk:
            raise ValidationError({field: f"{obj} belongs to another product."})
