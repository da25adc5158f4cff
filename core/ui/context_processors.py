"""Template context for every page: the current product (if any) and the top bar's product switcher
(read only when a template uses it). The unread-notification count comes from activity.context_processors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .navigation import products_for_switcher


def ui(request: HttpRequest) -> dict[str, Any]:
    """`product`, `workspace`, `membership`, `can_write` from `product_view`; `switcher_products` is read only
    when a template uses it (full pages, not fragments)."""
    context: dict[str, Any] = {
        "product": getattr(request, "product", None),
        "workspace": getattr(request, "workspace", None),
        "membership": getattr(request, "membership", None),
        "can_write": getattr(request, "can_write", False),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["switcher_products"] = SimpleLazyObject(lambda: products_for_switcher(user=user))
    return context
