"""Roadmap endpoints: thin viewsets over roadmap.services. Editors write; any member reads."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from backlog.models import Epic
from core.api.viewsets import (
    CreateMixin,
    RetrieveWithETagMixin,
    ScopedModelViewSet,
    ScopedViewSetMixin,
)

from .. import services
from ..models import Baseline, Dependency, Goal, Milestone, Roadmap, RoadmapItem
from ..selectors import baseline_diff
from .filters import (
    BaselineFilter,
    DependencyFilter,
    GoalFilter,
    MilestoneFilter,
    RoadmapFilter,
    RoadmapItemFilter,
)
from .serializers import (
    BaselineDiffSerializer,
    BaselineSerializer,
    BaselineSummarySerializer,
    BaselineWriteSerializer,
    DependencySerializer,
    DependencyWriteSerializer,
    GoalSerializer,
    GoalWriteSerializer,
    MilestoneSerializer,
    MilestoneWriteSerializer,
    RoadmapItemMoveSerializer,
    RoadmapItemSerializer,
    RoadmapItemWriteSerializer,
    RoadmapSerializer,
    RoadmapWriteSerializer,
    item_evidence,
)


def _documented(read: type[BaseSerializer], write: type[BaseSerializer]) -> Any:
    """The schema of create / update / partial_update for a resource whose input differs from its output."""
    return extend_schema_view(
        create=extend_schema(request=write, responses={201: read}),
        update=extend_schema(request=write, responses={200: read}),
        partial_update=extend_schema(request=write, responses={200: read}),
    )


# --- Roadmaps -------------------------------------------------------------------------------------


@extend_schema(tags=["roadmaps"])
@_documented(RoadmapSerializer, RoadmapWriteSerializer)
class RoadmapViewSet(ScopedModelViewSet):
    """Product and technology roadmaps of a product. A roadmap that still holds items cannot be deleted."""

    serializer_class = RoadmapSerializer
    input_serializer_class = RoadmapWriteSerializer
    filterset_class = RoadmapFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "kind", "created_at", "updated_at"]
    ordering = ["name"]
    workspace_path = "product.workspace_id"

    def scoped_queryset(self) -> QuerySet[Roadmap]:
        return Roadmap.objects.visible_to(self.request.user).select_related("product", "owner")

    def perform_create(self, serializer: RoadmapWriteSerializer) -> Roadmap:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.roadmap_create(product=product, actor=self.request.user, **data)

    def perform_update(self, serializer: RoadmapWriteSerializer) -> Roadmap:
        changes = serializer.validated_data
        return services.roadmap_update(roadmap=serializer.instance, actor=self.request.user, **changes)

    def perform_destroy(self, instance: Roadmap) -> None:
        services.roadmap_delete(roadmap=instance, actor=self.request.user)


# --- Roadmap items -------------------------------------------------------------------------------


@extend_schema(tags=["roadmap items"])
@_documented(RoadmapItemSerializer, RoadmapItemWriteSerializer)
class RoadmapItemViewSet(ScopedModelViewSet):
    """Items of a roadmap, in lanes and on a timeline, with their progress and computed confidence.

    `progress` rolls up the stories of the linked epics; `computed_confidence` reads the evidence
    (estimates, dependencies, PRDs, decisions, dates) beside the `confidence` a person states.
    Order within a roadmap with the `move` action.
    """

    serializer_class = RoadmapItemSerializer
    input_serializer_class = RoadmapItemWriteSerializer
    etag_exclude = ("progress", "computed_confidence")
    filterset_class = RoadmapItemFilter
    search_fields = ["title", "description"]
    ordering_fields = ["rank", "start_date", "end_date", "title", "created_at", "updated_at"]
    ordering = ["roadmap", "rank"]
    workspace_path = "roadmap.product.workspace_id"

    def scoped_queryset(self) -> QuerySet[RoadmapItem]:
        return (
            RoadmapItem.objects.visible_to(self.request.user)
            .select_related("roadmap__product", "owner")
            .prefetch_related(
                Prefetch("epics", Epic.objects.only("pk").order_by("pk")),
                Prefetch("goals", Goal.objects.only("pk").order_by("pk")),
            )
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The page's progress and computed confidence are computed for all its items at once."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        items = list(page if page is not None else queryset)
        progress, signals = item_evidence(items)
        context = {**self.get_serializer_context(), "progress": progress, "signals": signals}
        data = self.get_serializer(items, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def perform_create(self, serializer: RoadmapItemWriteSerializer) -> RoadmapItem:
        data = dict(serializer.validated_data)
        roadmap = data.pop("roadmap")
        self.require_write(roadmap.product.workspace_id)
        return services.roadmap_item_create(roadmap=roadmap, actor=self.request.user, **data)

    def perform_update(self, serializer: RoadmapItemWriteSerializer) -> RoadmapItem:
        changes = dict(serializer.validated_data)
        epics, goals = changes.pop("epics", None), changes.pop("goals", None)
        return services.roadmap_item_update(
            item=serializer.instance, actor=self.request.user, epics=epics, goals=goals, **changes
        )

    def perform_destroy(self, instance: RoadmapItem) -> None:
        services.roadmap_item_delete(item=instance, actor=self.request.user)

    @extend_schema(request=RoadmapItemMoveSerializer, responses={200: RoadmapItemSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the item to a lane and/or just before or after another item of its roadmap; one row is written.

        With a lane alone it goes to the bottom of that lane; a neighbour must sit in the lane it moves to.
        """
        item = self.get_object()
        serializer = RoadmapItemMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        anchors: dict[str, RoadmapItem] = {}
        for field in ("before", "after"):
            if field in data:
                anchor = (
                    RoadmapItem.objects.visible_to(request.user)
                    .filter(pk=data[field], roadmap_id=item.roadmap_id)
                    .first()
                )
                if anchor is None:
                    raise ValidationError({field: ["No item with this id on the same roadmap."]})
                anchors[field] = anchor
        services.roadmap_item_move(item=item, lane=data.get("lane"), **anchors)
        body = self.output(item)
        return Response(body, headers={"ETag": self.etag(body)})


# --- Dependencies --------------------------------------------------------------------------------


@extend_schema(tags=["dependencies"])
class DependencyViewSet(
    RetrieveWithETagMixin,
    CreateMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """`blocked` cannot finish before `blocker`, within one product. An edge that would close a cycle is refused."""

    serializer_class = DependencySerializer
    input_serializer_class = DependencyWriteSerializer
    filterset_class = DependencyFilter
    search_fields = ["note", "blocker__title", "blocked__title"]
    ordering_fields = ["created_at"]
    ordering = ["created_at"]
    workspace_path = "blocked.roadmap.product.workspace_id"

    def scoped_queryset(self) -> QuerySet[Dependency]:
        return Dependency.objects.visible_to(self.request.user).select_related("blocker", "blocked__roadmap__product")

    @extend_schema(request=DependencyWriteSerializer, responses={201: DependencySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add a dependency (answered with the existing one when it is already there)."""
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: DependencyWriteSerializer) -> Dependency:
        data = serializer.validated_data
        blocked = data["blocked"]
        self.require_write(blocked.roadmap.product.workspace_id)
        return services.dependency_add(blocker=data["blocker"], blocked=blocked, note=data.get("note", ""))

    def perform_destroy(self, instance: Dependency) -> None:
        services.dependency_remove(blocker=instance.blocker, blocked=instance.blocked)


# --- Milestones and goals ------------------------------------------------------------------------


@extend_schema(tags=["milestones"])
@_documented(MilestoneSerializer, MilestoneWriteSerializer)
class MilestoneViewSet(ScopedModelViewSet):
    """Milestones and releases of a product. Deleting one takes its items off it."""

    serializer_class = MilestoneSerializer
    input_serializer_class = MilestoneWriteSerializer
    filterset_class = MilestoneFilter
    search_fields = ["name", "description"]
    ordering_fields = ["date", "name", "created_at", "updated_at"]
    ordering = ["date"]
    workspace_path = "product.workspace_id"

    def scoped_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.visible_to(self.request.user).select_related("product")

    def perform_create(self, serializer: MilestoneWriteSerializer) -> Milestone:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.milestone_create(product=product, actor=self.request.user, **data)

    def perform_update(self, serializer: MilestoneWriteSerializer) -> Milestone:
        return services.milestone_update(
            milestone=serializer.instance, actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Milestone) -> None:
        services.milestone_delete(milestone=instance, actor=self.request.user)


@extend_schema(tags=["goals"])
@_documented(GoalSerializer, GoalWriteSerializer)
class GoalViewSet(ScopedModelViewSet):
    """Outcomes a product's roadmap serves. Deleting one unlinks its items."""

    serializer_class = GoalSerializer
    input_serializer_class = GoalWriteSerializer
    filterset_class = GoalFilter
    search_fields = ["title", "description", "metric"]
    ordering_fields = ["due_date", "title", "created_at", "updated_at"]
    ordering = ["due_date"]
    workspace_path = "product.workspace_id"

    def scoped_queryset(self) -> QuerySet[Goal]:
        return Goal.objects.visible_to(self.request.user).select_related("product")

    def perform_create(self, serializer: GoalWriteSerializer) -> Goal:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.goal_create(product=product, **data)

    def perform_update(self, serializer: GoalWriteSerializer) -> Goal:
        return services.goal_update(goal=serializer.instance, actor=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance: Goal) -> None:
        services.goal_delete(goal=instance, actor=self.request.user)


# --- Baselines -----------------------------------------------------------------------------------


@extend_schema(tags=["baselines"])
class BaselineViewSet(
    RetrieveWithETagMixin,
    CreateMixin,
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """A roadmap frozen for a review. The list leaves the snapshot out; the detail and the diff carry it."""

    serializer_class = BaselineSerializer
    input_serializer_class = BaselineWriteSerializer
    filterset_class = BaselineFilter
    search_fields = ["name"]
    ordering_fields = ["created_at", "name"]
    ordering = ["-created_at"]
    workspace_path = "roadmap.product.workspace_id"

    def scoped_queryset(self) -> QuerySet[Baseline]:
        queryset = Baseline.objects.visible_to(self.request.user).select_related("roadmap__product", "created_by")
        if getattr(self, "action", None) == "list":
            queryset = queryset.defer("snapshot")
        return queryset

    def get_serializer_class(self) -> type[BaseSerializer]:
        if getattr(self, "action", None) == "list":
            return BaselineSummarySerializer
        return super().get_serializer_class()

    @extend_schema(request=BaselineWriteSerializer, responses={201: BaselineSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Freeze a roadmap's items as they are now."""
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: BaselineWriteSerializer) -> Baseline:
        roadmap = serializer.validated_data["roadmap"]
        self.require_write(roadmap.product.workspace_id)
        return services.baseline_create(
            roadmap=roadmap, name=serializer.validated_data["name"], actor=self.request.user
        )

    @extend_schema(responses={200: BaselineDiffSerializer})
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str | None = None) -> Response:
        """What moved on the roadmap since this baseline: added, removed, re-dated, re-laned, and so on."""
        return Response(BaselineDiffSerializer(baseline_diff(self.get_object())).data)
