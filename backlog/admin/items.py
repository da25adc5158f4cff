"""Epics (their features and stories shown inline), features (their stories inline) and tech-debt items."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest

from workspaces.admin_scoping import ReadOnlyTabularInline

from .. import services
from ..models import Epic, Feature, Story, TechDebtItem
from .base import ITEM_AUDIT_FIELDS, RELATED_PRODUCT, BacklogItemAdmin, sibling_key


class FeatureInline(ReadOnlyTabularInline):
    model = Feature
    fields = ("key", "title", "status", "owner")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feature]:
        return super().get_queryset(request).select_related("product", "status", "owner")

    @admin.display(description="Key")
    def key(self, obj: Feature) -> str:
        return obj.key


class StoryInline(ReadOnlyTabularInline):
    """Stories under a feature (or directly under an epic), as they stand; each opens on its own page."""

    model = Story
    fields = ("key", "title", "status", "points", "sprint", "assignee")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return super().get_queryset(request).select_related("product", "status", "sprint", "assignee")

    @admin.display(description="Key")
    def key(self, obj: Story) -> str:
        return obj.key


class DirectStoryInline(StoryInline):
    fk_name = "epic"
    verbose_name_plural = "stories directly under this epic"


@admin.register(Epic)
class EpicAdmin(BacklogItemAdmin):
    list_display = ("key", "title", "product", "status", "owner", "target_date", "feature_count")
    list_filter = ("status__category", ("product", RELATED_PRODUCT), ("owner", RELATED_PRODUCT))
    date_hierarchy = "target_date"
    fields = ("product", "title", "description", "status", "owner", "target_date", "labels", *ITEM_AUDIT_FIELDS)
    inlines = (FeatureInline, DirectStoryInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Epic]:
        # A GROUP BY query drops Meta.ordering: ask for it again (pagination, autocomplete).
        return (
            super().get_queryset(request).annotate(feature_count=Count("features")).order_by(*self.model._meta.ordering)
        )

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Epic:
        return services.epic_create(
            product=data["product"],
            actor=request.user,
            title=data["title"],
            description=data["description"],
            status=data["status"],
            owner=data["owner"],
            target_date=data["target_date"],
        )

    @admin.display(description="Features", ordering="feature_count")
    def feature_count(self, obj: Epic) -> int:
        return obj.feature_count  # type: ignore[attr-defined]


@admin.register(Feature)
class FeatureAdmin(BacklogItemAdmin):
    list_display = ("key", "title", "product", "epic_display", "status", "owner", "story_count", "story_points")
    list_filter = ("status__category", ("product", RELATED_PRODUCT), ("owner", RELATED_PRODUCT))
    list_select_related = ("product", "status", "owner", "epic")
    date_hierarchy = "created_at"
    autocomplete_fields = ("product", "epic")
    fields = ("product", "epic", "title", "description", "status", "owner", "labels", *ITEM_AUDIT_FIELDS)
    inlines = (StoryInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feature]:
        # A GROUP BY query drops Meta.ordering: ask for it again (pagination, autocomplete).
        return (
            super()
            .get_queryset(request)
            .annotate(story_count=Count("stories"), story_points=Sum("stories__points"))
            .order_by(*self.model._meta.ordering)
        )

    def create(self, request: HttpRequest, data: dict[str, Any]) -> Feature:
        return services.feature_create(
            epic=data["epic"],
            actor=request.user,
            title=data["title"],
            description=data["description"],
            status=data["status"],
            owner=data["owner"],
        )

    @admin.display(description="Epic", ordering="epic__number")
    def epic_display(self, obj: Feature) -> str:
        return sibling_key(obj, obj.epic)

    @admin.display(description="Stories", ordering="story_count")
    def story_count(self, obj: Feature) -> int:
        return obj.story_count  # type: ignore[attr-defined]

    @admin.display(description="Points", ordering="story_points")
    def story_points(self, obj: Feature) -> int:
        return obj.story_points or 0  # type: ignore[attr-defined]


@admin.register(TechDebtItem)
class TechDebtItemAdmin(BacklogItemAdmin):
    list_display = (
        "key",
        "title",
        "product",
        "kind",
        "impact",
        "cost_of_delay",
        "remediation_points",
        "cost_per_point",
        "status",
        "remediation",
    )
    list_filter = ("kind", "impact", "status__category", ("product", RELATED_PRODUCT))
    list_select_related = ("product", "status", "owner", "remediation_story")
    date_hierarchy = "created_at"
    autocomplete_fields = ("product", "epic", "remediation_story")
    fields = (
        "product",
        "title",
        "description",
        "kind",
        "impact",
        "cost_of_delay",
        "remediation_points",
        "epic",
        "remediation_story",
        "status",
        "owner",
        "labels",
        *ITEM_AUDIT_FIELDS,
    )

    def create(self, request: HttpRequest, data: dict[str, Any]) -> TechDebtItem:
        item = services.tech_debt_create(
            product=data["product"],
            actor=request.user,
            title=data["title"],
            description=data["description"],
            kind=data["kind"],
            impact=data["impact"],
            cost_of_delay=data["cost_of_delay"],
            remediation_points=data["remediation_points"],
            epic=data["epic"],
            owner=data["owner"],
        )
        if data.get("remediation_story") is not None:
            item.remediation_story = data["remediation_story"]
            item._history_user = request.user
            item.save(update_fields=["remediation_story", "updated_at"])
        return item

    @admin.display(description="Paid off by")
    def remediation(self, obj: TechDebtItem) -> str:
        return sibling_key(obj, obj.remediation_story)

    @admin.display(description="Hours saved / week / point")
    def cost_per_point(self, obj: TechDebtItem) -> str:
        value = obj.cost_per_point
        return "—" if value is None else f"{value:.1f}"
