"""Rendering for htmx: a partial for `HX-Request`, the whole page otherwise; 422 for form errors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails

from workspaces.models import Membership, Product, Workspace

FORM_ERROR_STATUS = 422


class HtmxRequest(HttpRequest):
    """For type hints: a request that went through django-htmx's middleware."""

    htmx: HtmxDetails


class ProductRequest(HtmxRequest):
    """For type hints: a request that went through `product_view`."""

    product: Product
    workspace: Workspace
    membership: Membership
    can_write: bool


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps a piece of the page (not a boosted navigation or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """`template_name#partial` for an htmx request, the whole `template_name` otherwise.

    The response varies on `HX-Request`, so that a browser never shows a cached fragment as a page.
    """
    name = f"{template_name}#{partial}" if partial and wants_partial(request) else template_name
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def render_form_errors(
    request: HttpRequest,
    template_name: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
) -> HttpResponse:
    """The form again, with its errors, answered 422 (htmx is configured to swap 422 in)."""
    return render_page(request, template_name, context, partial=partial, status=FORM_ERROR_STATUS)
