"""The workspaces a request's user may read and write in the admin, by role; read once per request."""

from __future__ import annotations

from django.http import HttpRequest

from ..models import Membership, Role

_ROLES_CACHE_ATTR = "_admin_workspace_roles"


def workspace_roles(request: HttpRequest) -> dict[int, str] | None:
    """The user's role in each of their workspaces, or None for a superuser (no limit). Cached on the request."""
    user = request.user
    if user.is_active and user.is_superuser:
        return None
    roles = getattr(request, _ROLES_CACHE_ATTR, None)
    if roles is None:
        roles = {}
        if user.is_authenticated:
            memberships = Membership.objects.filter(user=user)
            if not user.is_staff:
                # Without is_staff only a leadership membership opens the admin, and only onto its own workspace.
                memberships = memberships.filter(role=Role.LEADERSHIP)
            roles = dict(memberships.values_list("workspace_id", "role"))
        setattr(request, _ROLES_CACHE_ATTR, roles)
    return roles


def leads(request: HttpRequest, workspace_id: int | None = None) -> bool:
    """Whether the user has the leadership role in that workspace (None: in any of theirs)."""
    roles = workspace_roles(request)
    if roles is None:
        return False
    if workspace_id is None:
        return Role.LEADERSHIP in roles.values()
    return roles.get(workspace_id) == Role.LEADERSHIP


def workspace_ids(request: HttpRequest, min_role: str | None = None) -> list[int] | None:
    """Ids of the workspaces the user belongs to (with at least `min_role`), or None for a superuser."""
    roles = workspace_roles(request)
    if roles is None:
        return None
    return sorted(pk for pk, role in roles.items() if min_role is None or Role.at_least(role, min_role))
