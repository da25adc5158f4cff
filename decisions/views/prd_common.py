"""What the PRD views share: the method check that never tells an outsider a row exists."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpResponse, HttpResponseNotAllowed

from core.ui.http import ProductRequest

from ..models import PRD, PRDVersion, Requirement

ViewFunc = Callable[..., HttpResponse]


def _named_rows_exist(request: ProductRequest, kwargs: dict[str, Any]) -> bool:
    prd_id = kwargs.get("prd_id")
    if prd_id is None:
        return True
    if not PRD.objects.filter(product=request.product, pk=prd_id).exists():
        return False
    versions = {kwargs[name] for name in ("version_id", "from_version_id", "to_version_id") if name in kwargs}
    if versions and PRDVersion.objects.filter(prd_id=prd_id, pk__in=versions).count() != len(versions):
        return False
    requirement_id = kwargs.get("requirement_id")
    return requirement_id is None or Requirement.objects.filter(prd_id=prd_id, pk=requirement_id).exists()


def allow_methods(*methods: str) -> Callable[[ViewFunc], ViewFunc]:
    """Like `require_http_methods`, but a wrong method on a row of another product is 404, not 405.

    Put it under `product_view`: `product_view` has checked the product; an unexpected method then
    answers 405 only if the PRD (and version, requirement) of the URL are this product's. The normal
    path costs no query: the view looks its rows up itself.
    """
    allowed = [m.upper() for m in methods]
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.append("HEAD")

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: ProductRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in allowed:
                return view(request, *args, **kwargs)
            if not _named_rows_exist(request, kwargs):
                raise Http404("Not found.")
            return HttpResponseNotAllowed(allowed)

        return wrapper

    return decorator
