"""Checks that several services apply before they write."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from workspaces.models import Product

from ..models import Sprint


def check_assignee(product: Product, user: AbstractBaseUser | None, field: str = "assignee") -> None:
    if user is not None and not product.workspace.memberships.filter(user=user).exists():
        raise ValidationError({field: "Assign only members of this workspace."})


def check_sprint_open(sprint: Sprint | None, field: str = "sprint") -> None:
    """Refuse planning into a closed sprint, by its stored state: the caller's copy may predate the close."""
    if sprint is None:
        return
    state = Sprint.objects.filter(pk=sprint.pk).values_list("state", flat=True).first()
    if state == Sprint.State.CLOSED:
        raise ValidationError({field: f"{sprint.name} is closed; plan into an open sprint."})
