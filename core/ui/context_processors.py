"""Template context for every page: the current product (if any) and the top bar's lazily-read data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from activity.models import Notification

from .navigation import products_for_switcher


def ui(request: HttpRequest) -> dict[str, Any]:
    """`product`, `workspace`, `membership`, `can_write` from `product_view`; `switcher_products` and
    `unread_notification_count` are read only when a template uses them (full pages, not fragments)."""
    context: dict[str, Any] = {
        "product": getattr(request, "product", None),
        "workspace": getattr(request, "workspace", None),
        "membership": getattr(request, "membership", None),
        "can_write": getattr(request, "can_write", False),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["switcher_products"] = SimpleLazyObject(lambda: products_for_switcher(user=user))
        context["unread_notification_count"] = SimpleLazyObject(
            lambda: Notification.objects.filter(
                recipient=user, read_at__isnull=True, workspace__memberships__user=user
            ).count()
        )
    return context
