"""What the Jira sync admin's modules share."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

RELATED_ONLY = admin.RelatedOnlyFieldListFilter
AUDIT_FIELDS = ("created_at", "updated_at")


def item_label(row: Any) -> str:
    item = row.item
    return f"{row.kind} {item.key} {item.title}" if item is not None else "—"


class ItemSelectMixin:
    """Rows that point at an epic, feature or story: their labels need the item and its product."""

    item_select = ("epic__product", "feature__product", "story__product")
