"""Roles in the API: any member reads; writes need the view's role in the object's workspace.

Querysets are already limited to the caller's workspaces (foreign ids answer 404);
these checks add the role. Memberships are read once per request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from workspaces.models import Membership, Role

if TYPE_CHECKING:
    from rest_framework.views import APIView


def workspace_roles(request: Request) -> dict[int, str]:
    roles = getattr(request, "_workspace_roles", None)
    if roles is None:
        roles = dict(Membership.objects.filter(user=request.user).values_list("workspace_id", "role"))
        request._workspace_roles = roles
    return roles


def require_role(request: Request, workspace_id: int, minimum: str) -> str:
    """The caller's role in the workspace if it reaches `minimum`: 404 for outsiders, 403 below it."""
    role = workspace_roles(request).get(workspace_id)
    if role is None:
        raise Http404("No such workspace.")
    if not Role.at_least(role, minimum):
        raise PermissionDenied(f"This needs the {Role(minimum).label.lower()} role or higher in this workspace.")
    return role


def resolve_path(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


class WorkspaceRolePermission(BasePermission):
    """Object-level role check; the view names how to reach the workspace and which role writes."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        minimum = view.required_role(request)
        if minimum == Role.VIEWER:
            # The object came through the view's scoped queryset, which holds the caller's workspaces' rows
            # only, and every member reads: there is no role to look up.
            return True
        workspace_id = resolve_path(obj, view.workspace_path)
        require_role(request, workspace_id, minimum)
        return True


def role_for_method(request: Request, *, write_role: str, action: str | None, action_roles: dict[str, str]) -> str:
    if action and action in action_roles:
        return action_roles[action]
    if request.method in SAFE_METHODS:
        return Role.VIEWER
    return write_role
