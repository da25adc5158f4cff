from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet, Sum
from django.forms import ModelForm
from django.http import HttpRequest

from core.admin_versions import VersionCheckedAdminMixin, VersionCheckedForm
from core.errors import ApplicationError
from workspaces.admin_scoping import (
    KeySearchMixin,
    ReadOnlyTabularInline,
    SameProductLinksForm,
    WorkspaceScopedAdmin,
    WorkspaceScopedHistoryAdmin,
    WorkspaceScopedMixin,
    adopt,
    changed_values,
)

from . import services
from .models import AcceptanceCriterion, Epic, Feature, Label, Sprint, Story, TechDebtItem, WorkflowStatus

AUDIT_FIELDS = ("created_at", "updated_at")
ITEM_AUDIT_FIELDS = ("key", "number", "rank", "created_by", *AUDIT_FIELDS)
RELATED_PRODUCT = admin.RelatedOnlyFieldListFilter


def sibling_key(obj: Epic | Feature | Story | TechDebtItem, parent: Epic | Feature | Story | None) -> str:
    """The key and title of a parent in the same product, without loading the parent's product."""
    if parent is None:
        return "—"
    return f"{obj.product.key}-{parent.number} {parent.title}"


@admin.register(WorkflowStatus)
class WorkflowStatusAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "product", "category", "position")
    list_filter = ("category", ("product", RELATED_PRODUCT))
    list_select_related = ("product",)
    search_fields = ("name", "product__key", "product__name")
    autocomplete_fields = ("product",)
    fields = ("product", "name", "category", "position", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS


@admin.register(Label)
class LabelAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "product", "created_at")
    list_filter = (("product", RELATED_PRODUCT),)
    list_select_related = ("product",)
    search_fields = ("name", "product__key", "product__name")
    autocomplete_fields = ("product",)
    fields = ("product", "name", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS


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


@admin.register(Sprint)
class SprintAdmin(WorkspaceScopedHistoryAdmin):
    list_display = ("name", "product", "state", "start_date", "end_date", "capacity_points", "committed_points")
    list_filter = ("state", ("product", RELATED_PRODUCT))
    list_select_related = ("product",)
    search_fields = ("name", "goal", "product__key", "product__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("product",)
    fields = ("product", "name", "goal", "start_date", "end_date", "capacity_points", "state", *AUDIT_FIELDS)
    # The state moves only through sprint_start / sprint_close (the actions below): closing carries work over.
    readonly_fields = ("state", *AUDIT_FIELDS)
    actions = ("start_sprints", "close_sprints")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Sprint]:
        # A GROUP BY query drops Meta.ordering: ask for it again (pagination, autocomplete).
        return (
            super()
            .get_queryset(request)
            .annotate(committed=Sum("stories__points"))
            .order_by(*self.model._meta.ordering)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Sprint | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("product", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Sprint, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.sprint_create(
            product=data["product"],
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            goal=data["goal"],
            capacity_points=data["capacity_points"],
        )
        adopt(obj, created)

    def _apply(self, request: HttpRequest, queryset: QuerySet[Sprint], verb: str, past: str, service: Any) -> None:
        done = 0
        for sprint in queryset:
            if not self.has_change_permission(request, sprint):
                self.message_user(request, f"You cannot {verb} {sprint.name}.", messages.ERROR)
                continue
            try:
                service(sprint)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{past} {done} sprint(s).", messages.SUCCESS)

    @admin.action(description="Start the selected planned sprints", permissions=["change"])
    def start_sprints(self, request: HttpRequest, queryset: QuerySet[Sprint]) -> None:
        self._apply(request, queryset, "start", "Started", lambda sprint: services.sprint_start(sprint=sprint))

    @admin.action(
        description="Close the selected sprints (unfinished stories go back to the backlog)", permissions=["change"]
    )
    def close_sprints(self, request: HttpRequest, queryset: QuerySet[Sprint]) -> None:
        self._apply(
            request,
            queryset,
            "close",
            "Closed",
            lambda sprint: services.sprint_close(sprint=sprint, actor=request.user),
        )

    @admin.display(description="Committed points", ordering="committed")
    def committed_points(self, obj: Sprint) -> int:
        return obj.committed or 0  # type: ignore[attr-defined]


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
