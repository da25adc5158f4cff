"""`workspace_view`: the connection page lives under /w/<workspace_id>/, outside any product."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

from core.ui.decorators import SAFE_METHODS
from core.ui.http import HtmxRequest
from workspaces.models import Membership, Role, Workspace

ViewFunc = Callable[..., HttpResponse]


class WorkspaceRequest(HtmxRequest):
    """For type hints: a request that went through `workspace_view`."""

    workspace: Workspace
    membership: Membership
    can_write: bool


def workspace_view(*, minimum_role: str = Role.ADMIN, write_role: str = Role.ADMIN) -> Callable[[ViewFunc], ViewFunc]:
    """Like `product_view`, for a workspace: anonymous → sign in; not a member or no such workspace →
    404; too little power → 403 naming the role. Consumes `workspace_id`; sets `request.workspace`,
    `request.membership`, `request.can_write`. Outermost decorator, so that outsiders get 404, not 405."""
    Role(minimum_role)
    Role(write_role)
    unsafe_role = write_role if Role.at_least(write_role, minimum_role) else minimum_role

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: WorkspaceRequest, workspace_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
                return redirect_to_login(request.get_full_path())
            membership = (
                Membership.objects.select_related("workspace")
                .filter(user=request.user, workspace_id=workspace_id)
                .first()
            )
            if membership is None:
                raise Http404("No such workspace.")
            needed = minimum_role if request.method in SAFE_METHODS else unsafe_role
            if not membership.has_role(needed):
                raise PermissionDenied(
                    f"This needs the {Role(needed).label.lower()} role or higher in {membership.workspace.name}; "
                    f"your role there is {Role(membership.role).label.lower()}."
                )
            request.workspace = membership.workspace
            request.membership = membership
            request.can_write = membership.has_role(unsafe_role)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
