"""Stories (a stale save refused in words) and their acceptance criteria."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from core.admin_versions import VersionCheckedAdminMixin, VersionCheckedForm
from workspaces.admin_scoping import WorkspaceScopedAdmin, WorkspaceScopedMixin, adopt, changed_values

from .. import services
from ..models import AcceptanceCriterion, Story
from .base import AUDIT_FIELDS, ITEM_AUDIT_FIELDS, RELATED_PRODUCT, BacklogItemAdmin, StoryForm, sibling_key


class AcceptanceCriterionInline(WorkspaceScopedMixin, admin.TabularInline):
    model = AcceptanceCriterion
    extra = 0
    fields = ("position", "text", "is_met")


@admin.register(Story)
class StoryAdmin(VersionCheckedAdminMixin, BacklogItemAdmin):
    form = StoryForm
    list_display = ("key", "title", "product", "status", "points", "sprint", "parent", "assignee", "priority")
    list_filter = (
        "status__category",
        "priority",
        ("product", RELATED_PRODUCT),
        ("sprint", RELATED_PRODUCT),
        ("assignee", RELATED_PRODUCT),
        ("labels", RELATED_PRODUCT),
    )
    list_select_related = ("product", "status", "sprint", "assignee", "feature", "epic")
    search_fields = ("title", "statement", "description", "product__key", "product__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("product", "epic", "feature")
    fields = (
        "product",
        "title",
        "statement",
        "description",
        "feature",
        "epic",
        "status",
        "points",
        "priority",
        "sprint",
        "assignee",
        "owner",
        "labels",
        "completed_at",
        *ITEM_AUDIT_FIELDS,
    )
    readonly_fields = ("completed_at", *ITEM_AUDIT_FIELDS)
    inlines = (AcceptanceCriterionInline,)

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Story:
        return services.story_create(
            product=data["product"],
            actor=request.user,
            title=data["title"],
            feature=data["feature"],
            epic=data["epic"],
            statement=data["statement"],
            description=data["description"],
            points=data["points"],
            priority=data["priority"],
            status=data["status"],
            assignee=data["assignee"],
            owner=data["owner"],
            sprint=data["sprint"],
        )

    def save_model(self, request: HttpRequest, obj: Story, form: ModelForm, change: bool) -> None:
        if not change:
            super().save_model(request, obj, form, change)
            return
        # story_update keeps completed_at in step with the status and checks the assignee's membership.
        changes = changed_values(form, services.STORY_EDITABLE_FIELDS)
        if changes:
            adopt(obj, services.story_update(story=obj, actor=request.user, **changes))

    @admin.display(description="Feature / epic")
    def parent(self, obj: Story) -> str:
        return sibling_key(obj, obj.feature or obj.epic)


@admin.register(AcceptanceCriterion)
class AcceptanceCriterionAdmin(VersionCheckedAdminMixin, WorkspaceScopedAdmin):
    workspace_path = "story__product__workspace"
    form = VersionCheckedForm
    list_display = ("short_text", "story_key", "is_met", "position", "updated_at")
    list_filter = ("is_met", ("story__product", RELATED_PRODUCT))
    list_select_related = ("story__product",)
    search_fields = ("text", "story__title")
    autocomplete_fields = ("story",)
    fields = ("story", "text", "is_met", "position", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS

    @admin.display(description="Criterion")
    def short_text(self, obj: AcceptanceCriterion) -> str:
        return str(obj)

    @admin.display(description="Story", ordering="story__number")
    def story_key(self, obj: AcceptanceCriterion) -> str:
        return str(obj.story)
