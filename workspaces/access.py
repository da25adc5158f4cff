"""Who may see and change what. Foreign ids answer 404, never data."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Membership, Product, Role, Workspace


def membership_for(*, user: AbstractBaseUser | AnonymousUser, workspace_id: int) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(user=user, workspace_id=workspace_id).first()


def role_in(*, user: AbstractBaseUser | AnonymousUser, workspace_id: int) -> str | None:
    membership = membership_for(user=user, workspace_id=workspace_id)
    return membership.role if membership else None


def require_role(*, user: AbstractBaseUser | AnonymousUser, workspace_id: int, minimum: str) -> Membership:
    """The user's membership if it carries at least `minimum`; 404 for outsiders, 403 for too little power."""
    membership = membership_for(user=user, workspace_id=workspace_id)
    if membership is None:
        raise Http404("No such workspace.")
    if not membership.has_role(minimum):
        raise PermissionDenied(f"This needs the {Role(minimum).label.lower()} role or higher.")
    return membership


def access_workspace(*, user: AbstractBaseUser | AnonymousUser, workspace_id: int) -> Workspace:
    try:
        return Workspace.objects.visible_to(user).get(pk=workspace_id)
    except Workspace.DoesNotExist as exc:
        raise Http404("No such workspace.") from exc


def access_product(*, user: AbstractBaseUser | AnonymousUser, product_id: int) -> Product:
    try:
        return Product.objects.visible_to(user).select_related("workspace").get(pk=product_id)
    except Product.DoesNotExist as exc:
        raise Http404("No such product.") from exc
