from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from workspaces.admin_scoping import (
    ReadOnlyTabularInline,
    SameProductLinksForm,
    WorkspaceScopedAdmin,
    WorkspaceScopedHistoryAdmin,
    adopt,
    changed_values,
    pretty_json,
)

from . import services
from .models import Baseline, Dependency, Goal, Milestone, Roadmap, RoadmapItem


class ProductFixedMixin:
    """The product of a row never changes once it exists (its name is unique per product)."""

    readonly_fields: Any

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("product", *self.readonly_fields)


AUDIT_FIELDS = ("created_at", "updated_at")
RELATED_ONLY = admin.RelatedOnlyFieldListFilter


class RoadmapItemInline(ReadOnlyTabularInline):
    model = RoadmapItem
    fields = ("title", "lane", "status", "confidence", "start_date", "end_date", "milestone", "owner")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[RoadmapItem]:
        return super().get_queryset(request).select_related("milestone", "owner")


class BaselineInline(ReadOnlyTabularInline):
    model = Baseline
    fields = ("name", "created_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Baseline]:
        return super().get_queryset(request).select_related("created_by").defer("snapshot")


@admin.register(Roadmap)
class RoadmapAdmin(ProductFixedMixin, WorkspaceScopedHistoryAdmin):
    list_display = ("name", "product", "kind", "owner", "item_count", "updated_at")
    list_filter = ("kind", ("product", RELATED_ONLY), ("owner", RELATED_ONLY))
    list_select_related = ("product", "owner")
    search_fields = ("name", "description", "product__key", "product__name")
    autocomplete_fields = ("product",)
    fields = ("product", "name", "kind", "description", "owner", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS
    inlines = (RoadmapItemInline, BaselineInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Roadmap]:
        # A GROUP BY query drops Meta.ordering: ask for it again (pagination, autocomplete).
        return super().get_queryset(request).annotate(item_count=Count("items")).order_by(*self.model._meta.ordering)

    def save_model(self, request: HttpRequest, obj: Roadmap, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.roadmap_create(
            product=data["product"],
            name=data["name"],
            kind=data["kind"],
            description=data["description"],
            owner=data["owner"],
        )
        adopt(obj, created)

    @admin.display(description="Items", ordering="item_count")
    def item_count(self, obj: Roadmap) -> int:
        return obj.item_count  # type: ignore[attr-defined]


@admin.register(Goal)
class GoalAdmin(ProductFixedMixin, WorkspaceScopedAdmin):
    list_display = ("title", "product", "metric", "target", "due_date")
    list_filter = (("product", RELATED_ONLY),)
    list_select_related = ("product",)
    search_fields = ("title", "description", "metric", "product__key", "product__name")
    date_hierarchy = "due_date"
    autocomplete_fields = ("product",)
    fields = ("product", "title", "description", "metric", "target", "due_date", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS

    def save_model(self, request: HttpRequest, obj: Goal, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.goal_create(
            product=data["product"],
            title=data["title"],
            description=data["description"],
            metric=data["metric"],
            target=data["target"],
            due_date=data["due_date"],
        )
        adopt(obj, created)


@admin.register(Milestone)
class MilestoneAdmin(ProductFixedMixin, WorkspaceScopedHistoryAdmin):
    list_display = ("name", "product", "kind", "date", "is_reached")
    list_filter = ("kind", "is_reached", ("product", RELATED_ONLY))
    list_select_related = ("product",)
    search_fields = ("name", "description", "product__key", "product__name")
    date_hierarchy = "date"
    autocomplete_fields = ("product",)
    fields = ("product", "name", "kind", "date", "is_reached", "description", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS

    def save_model(self, request: HttpRequest, obj: Milestone, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.milestone_create(
            product=data["product"],
            name=data["name"],
            date=data["date"],
            kind=data["kind"],
            description=data["description"],
        )
        if data["is_reached"]:
            created.is_reached = True
            created._history_user = request.user
            created.save(update_fields=["is_reached", "updated_at"])
        adopt(obj, created)


class BlockedByInline(ReadOnlyTabularInline):
    model = Dependency
    fk_name = "blocked"
    verbose_name = "depends on"
    verbose_name_plural = "depends on"
    fields = ("blocker", "note", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dependency]:
        return super().get_queryset(request).select_related("blocker")


class BlocksInline(ReadOnlyTabularInline):
    model = Dependency
    fk_name = "blocker"
    verbose_name = "blocks"
    verbose_name_plural = "blocks"
    fields = ("blocked", "note", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dependency]:
        return super().get_queryset(request).select_related("blocked")


class RoadmapItemForm(SameProductLinksForm):
    same_product_fields = ("epics", "goals")

    def links_product_id(self) -> int | None:
        roadmap = self.cleaned_data.get("roadmap") or (self.instance.roadmap if self.instance.roadmap_id else None)
        return roadmap.product_id if roadmap is not None else None


@admin.register(RoadmapItem)
class RoadmapItemAdmin(WorkspaceScopedHistoryAdmin):
    """Ranked within its roadmap: created and edited through roadmap.services (rank, owner, same-product links)."""

    form = RoadmapItemForm
    workspace_path = "roadmap__product__workspace"
    list_display = (
        "title",
        "roadmap",
        "product",
        "lane",
        "status",
        "confidence",
        "start_date",
        "end_date",
        "milestone",
        "owner",
    )
    list_filter = (
        "lane",
        "status",
        "confidence",
        "roadmap__kind",
        ("roadmap__product", RELATED_ONLY),
        ("roadmap", RELATED_ONLY),
        ("owner", RELATED_ONLY),
    )
    list_select_related = ("roadmap__product", "milestone", "owner")
    search_fields = ("title", "description", "roadmap__name", "roadmap__product__key")
    date_hierarchy = "start_date"
    autocomplete_fields = ("roadmap", "milestone", "epics", "goals")
    fields = (
        "roadmap",
        "title",
        "description",
        "lane",
        "status",
        "confidence",
        "start_date",
        "end_date",
        "milestone",
        "owner",
        "epics",
        "goals",
        "rank",
        *AUDIT_FIELDS,
    )
    readonly_fields = ("rank", *AUDIT_FIELDS)
    inlines = (BlockedByInline, BlocksInline)

    def get_readonly_fields(self, request: HttpRequest, obj: RoadmapItem | None = None) -> tuple[str, ...]:
        # The rank only means something inside its roadmap: moving to another roadmap is a service's job.
        return tuple(self.readonly_fields) if obj is None else ("roadmap", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: RoadmapItem, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.roadmap_item_create(
                roadmap=data["roadmap"],
                actor=request.user,
                title=data["title"],
                lane=data["lane"],
                description=data["description"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                confidence=data["confidence"],
                status=data["status"],
                owner=data["owner"],
                milestone=data["milestone"],
                epics=data["epics"],
                goals=data["goals"],
            )
            adopt(obj, created)
            return
        changes = changed_values(form, services.ITEM_EDITABLE_FIELDS)
        links = changed_values(form, ("epics", "goals"))
        if changes or links:
            adopt(obj, services.roadmap_item_update(item=obj, actor=request.user, **links, **changes))

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        # Epics and goals were set by the service, which checks they belong to the item's product.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description="Product", ordering="roadmap__product__name")
    def product(self, obj: RoadmapItem) -> str:
        return str(obj.roadmap.product)


@admin.register(Dependency)
class DependencyAdmin(WorkspaceScopedAdmin):
    """Added through dependency_add, which keeps the graph acyclic; afterwards only the note changes."""

    workspace_path = "blocked__roadmap__product__workspace"
    list_display = ("blocked", "blocker", "note", "created_at")
    list_filter = (("blocked__roadmap", RELATED_ONLY),)
    list_select_related = ("blocked", "blocker")
    search_fields = ("blocked__title", "blocker__title", "note")
    date_hierarchy = "created_at"
    autocomplete_fields = ("blocked", "blocker")
    fields = ("blocked", "blocker", "note", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj: Dependency | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("blocked", "blocker", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Dependency, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        adopt(obj, services.dependency_add(blocker=data["blocker"], blocked=data["blocked"], note=data["note"]))


@admin.register(Baseline)
class BaselineAdmin(WorkspaceScopedAdmin):
    """A frozen roadmap for a review, taken by baseline_create; afterwards only its name changes."""

    workspace_path = "roadmap__product__workspace"
    list_display = ("name", "roadmap", "product", "created_by", "created_at")
    list_filter = (("roadmap__product", RELATED_ONLY), ("roadmap", RELATED_ONLY))
    list_select_related = ("roadmap__product", "created_by")
    search_fields = ("name", "roadmap__name", "roadmap__product__key")
    date_hierarchy = "created_at"
    autocomplete_fields = ("roadmap",)
    fields = ("roadmap", "name", "created_by", "snapshot_display", *AUDIT_FIELDS)
    readonly_fields = ("created_by", "snapshot_display", *AUDIT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Baseline | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("roadmap", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Baseline, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        adopt(obj, services.baseline_create(roadmap=data["roadmap"], name=data["name"], actor=request.user))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Baseline]:
        # The snapshot can be large: the list does not need it, the one page that shows it loads it.
        return super().get_queryset(request).defer("snapshot")

    @admin.display(description="Product", ordering="roadmap__product__name")
    def product(self, obj: Baseline) -> str:
        return str(obj.roadmap.product)

    @admin.display(description="Snapshot")
    def snapshot_display(self, obj: Baseline) -> str:
        return pretty_json(obj.snapshot) if obj.pk else "Taken from the roadmap's items when you save."
