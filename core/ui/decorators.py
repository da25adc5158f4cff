"""`product_view`: every page under /p/<product_id>/ goes through it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django_htmx.http import HttpResponseClientRedirect

from workspaces.access import access_product
from workspaces.models import Membership, Role

from .objects import named_rows_in_product

if TYPE_CHECKING:
    from .http import ProductRequest

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ProductViewFunc = Callable[..., HttpResponse]


def product_view(
    *, minimum_role: str = Role.VIEWER, write_role: str = Role.EDITOR
) -> Callable[[ProductViewFunc], ProductViewFunc]:
    """Resolve `product_id` to a product the signed-in user may see, and check their role.

    - anonymous: redirect to sign in (htmx requests get `HX-Redirect` to the sign-in page);
    - not a member of the product's workspace, or no such product: 404 (never 403: no leak);
    - GET/HEAD/OPTIONS need `minimum_role`; any other method needs the higher of
      `minimum_role` and `write_role`; too little power: 403 with a message saying which role.

    The view receives the request with `product`, `workspace`, `membership` and `can_write` set,
    and the URL's other keyword arguments; `product_id` itself is consumed.
    Put it outermost (above `require_POST` and friends) so that outsiders always get 404.
    """
    Role(minimum_role)
    Role(write_role)
    unsafe_role = write_role if Role.at_least(write_role, minimum_role) else minimum_role

    def decorator(view: ProductViewFunc) -> ProductViewFunc:
        @wraps(view)
        def wrapper(request: ProductRequest, product_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                if getattr(request, "htmx", False):
                    return HttpResponseClientRedirect(redirect_to_login(request.get_full_path()).url)
                return redirect_to_login(request.get_full_path())
            product = access_product(user=request.user, product_id=product_id)
            membership = Membership.objects.filter(user=request.user, workspace_id=product.workspace_id).first()
            if membership is None:  # removed from the workspace between the two reads
                raise Http404("No such product.")
            needed = minimum_role if request.method in SAFE_METHODS else unsafe_role
            if not membership.has_role(needed):
                raise PermissionDenied(
                    f"This needs the {Role(needed).label.lower()} role or higher in {product.workspace.name}; "
                    f"your role there is {Role(membership.role).label.lower()}."
                )
            request.product = product
            request.workspace = product.workspace
            request.membership = membership
            request.can_write = membership.has_role(unsafe_role)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def allow_methods(*methods: str) -> Callable[[ProductViewFunc], ProductViewFunc]:
    """`require_http_methods` for product pages, put under `product_view`: a refused method answers 405
    only once the objects the URL names (core.ui.objects.URL_OBJECTS) are found in the product, so that
    an id of another product is a 404 whatever the method. An allowed method costs no query here: the
    view looks its rows up itself."""
    allowed = [method.upper() for method in methods]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.append("HEAD")

    def decorator(view: ProductViewFunc) -> ProductViewFunc:
        @wraps(view)
        def wrapper(request: ProductRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in allowed:
                return view(request, *args, **kwargs)
            if not named_rows_in_product(product=request.product, kwargs=kwargs):
                raise Http404("Not found.")
            return HttpResponseNotAllowed(allowed)

        return wrapper

    return decorator
