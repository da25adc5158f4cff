"""What the backlog's item admins share: audit columns, the change form, and a child's key for its parent."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from core.admin_versions import VersionCheckedForm
from workspaces.admin_scoping import KeySearchMixin, SameProductLinksForm, WorkspaceScopedHistoryAdmin, adopt

from ..models import AcceptanceCriterion, Epic, Feature, Story, TechDebtItem

AUDIT_FIELDS = ("created_at", "updated_at")
ITEM_AUDIT_FIELDS = ("key", "number", "rank", "created_by", *AUDIT_FIELDS)
RELATED_PRODUCT = admin.RelatedOnlyFieldListFilter


def sibling_key(obj: Epic | Feature | Story | TechDebtItem, parent: Epic | Feature | Story | None) -> str:
    """The key and title of a parent in the same product, without loading the parent's product."""
    if parent is None:
        return "—"
    return f"{obj.product.key}-{parent.number} {parent.title}"


class BacklogItemForm(SameProductLinksForm):
    same_product_fields = ("labels",)


class StoryForm(VersionCheckedForm, BacklogItemForm):
    """A save over someone else's newer change of the story or of its acceptance criteria (the inline) is refused."""

    def edit_version(self, instance: Story) -> str:
        criteria = sorted(AcceptanceCriterion.objects.filter(story_id=instance.pk).values_list("pk", "updated_at"))
        return f"{instance.updated_at.isoformat()}|c{hashlib.sha256(repr(criteria).encode()).hexdigest()[:16]}"

    def changes_since(self, fresh: Story, loaded: str) -> tuple[Any, list[str]]:
        who, lines = super().changes_since(fresh, loaded)
        if loaded.partition("|")[2] != self.edit_version(fresh).partition("|")[2]:
            lines.append("acceptance criteria (reload the page to see them)")
        return who, lines


class BacklogItemAdmin(KeySearchMixin, WorkspaceScopedHistoryAdmin):
    """Epics, features, stories and tech debt. A new item gets its number and rank from its creation service;
    labels are then set by the admin's own many-to-many save. The product of an item never changes (its key would).
    """

    form = BacklogItemForm
    list_select_related = ("product", "status", "owner")
    search_fields = ("title", "description", "product__key", "product__name")
    autocomplete_fields = ("product",)
    product_prefixed_fields = ("status", "labels", "sprint")
    readonly_fields = ITEM_AUDIT_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("product", *self.readonly_fields)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Epic | Feature | Story | TechDebtItem:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            adopt(obj, self.create(request, form.cleaned_data))

    @admin.display(description="Key", ordering="number")
    def key(self, obj: Epic | Feature | Story | TechDebtItem) -> str:
        return obj.key
