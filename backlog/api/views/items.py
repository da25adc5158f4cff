"""Epics, features and tech-debt items: thin viewsets over backlog.services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.api.viewsets import ScopedModelViewSet
from workspaces.models import Role

from ... import services
from ...models import Epic, Feature, TechDebtItem, WorkflowStatus
from ...selectors.progress import epic_progress
from ..filters import EpicFilter, FeatureFilter, TechDebtItemFilter
from ..serializers import (
    EpicSerializer,
    EpicWriteSerializer,
    FeatureSerializer,
    FeatureWriteSerializer,
    TechDebtItemSerializer,
    TechDebtItemWriteSerializer,
    TechDebtScheduleSerializer,
)
from .base import MoveActionMixin, TransitionActionMixin

ITEM_ORDERING_FIELDS = ["rank", "number", "title", "created_at", "updated_at"]
ITEM_RELATIONS = ("product", "status", "owner")


def item_changes(serializer: BaseSerializer) -> tuple[dict[str, Any], list[str] | None]:
    """The validated fields to change, and the label names apart (None: labels untouched)."""
    changes = dict(serializer.validated_data)
    return changes, changes.pop("labels", None)


@extend_schema(tags=["epics"])
class EpicViewSet(MoveActionMixin, TransitionActionMixin, ScopedModelViewSet):
    """Epics, each with its progress rolled up from its stories (under its features or directly under it).

    Any member reads; contributors and above write. An epic that still has features or stories
    cannot be deleted (400 naming them): move or delete them first. Filter with `?product=`,
    `?status=`, `?status_category=`, `?owner=` and `?label=`; search title and description.
    """

    serializer_class = EpicSerializer
    input_serializer_class = EpicWriteSerializer
    filterset_class = EpicFilter
    search_fields = ["title", "description"]
    ordering_fields = [*ITEM_ORDERING_FIELDS, "target_date"]
    ordering = ["rank"]
    write_role = Role.CONTRIBUTOR
    # Progress follows the stories: a story done under the epic does not make an If-Match on the epic stale.
    etag_exclude = ("progress",)

    def scoped_queryset(self) -> QuerySet[Epic]:
        return Epic.objects.visible_to(self.request.user).select_related(*ITEM_RELATIONS).prefetch_related("labels")

    def get_serializer(self, *args: Any, **kwargs: Any) -> BaseSerializer:
        if kwargs.get("many") and args:
            # A page of epics: their progress in one query, for the serializer to read.
            epics = list(args[0])
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["epic_progress"] = epic_progress([epic.pk for epic in epics])
            args = (epics, *args[1:])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=EpicWriteSerializer, responses={201: EpicSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=EpicWriteSerializer, responses={200: EpicSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=EpicWriteSerializer, responses={200: EpicSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete an epic with nothing under it (its tech-debt items stay, without an epic)."""
        return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: EpicWriteSerializer) -> Epic:
        data, labels = item_changes(serializer)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.epic_create(product=product, actor=self.request.user, labels=labels or (), **data)

    def perform_update(self, serializer: EpicWriteSerializer) -> Epic:
        changes, labels = item_changes(serializer)
        return services.epic_update(epic=serializer.instance, actor=self.request.user, labels=labels, **changes)

    def perform_destroy(self, instance: Epic) -> None:
        services.epic_delete(epic=instance, actor=self.request.user)

    def perform_transition(self, item: Epic, status: WorkflowStatus) -> Epic:
        return services.epic_update(epic=item, actor=self.request.user, status=status)


@extend_schema(tags=["features"])
class FeatureViewSet(MoveActionMixin, TransitionActionMixin, ScopedModelViewSet):
    """Features, each under an epic of its product. Any member reads; contributors and above write.

    Setting another epic (of the same product) moves the feature, and its stories' roll-up with
    it. A feature that still has stories cannot be deleted (400). Filter with `?epic=`,
    `?product=`, `?status=`, `?status_category=`, `?owner=` and `?label=`.
    """

    serializer_class = FeatureSerializer
    input_serializer_class = FeatureWriteSerializer
    filterset_class = FeatureFilter
    search_fields = ["title", "description"]
    ordering_fields = ITEM_ORDERING_FIELDS
    ordering = ["rank"]
    write_role = Role.CONTRIBUTOR

    def scoped_queryset(self) -> QuerySet[Feature]:
        return Feature.objects.visible_to(self.request.user).select_related(*ITEM_RELATIONS).prefetch_related("labels")

    @extend_schema(request=FeatureWriteSerializer, responses={201: FeatureSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=FeatureWriteSerializer, responses={200: FeatureSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=FeatureWriteSerializer, responses={200: FeatureSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a feature with no stories."""
        return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: FeatureWriteSerializer) -> Feature:
        data, labels = item_changes(serializer)
        epic = data.pop("epic")
        self.require_write(epic.product.workspace_id)
        return services.feature_create(epic=epic, actor=self.request.user, labels=labels or (), **data)

    def perform_update(self, serializer: FeatureWriteSerializer) -> Feature:
        changes, labels = item_changes(serializer)
        return services.feature_update(feature=serializer.instance, actor=self.request.user, labels=labels, **changes)

    def perform_destroy(self, instance: Feature) -> None:
        services.feature_delete(feature=instance, actor=self.request.user)

    def perform_transition(self, item: Feature, status: WorkflowStatus) -> Feature:
        return services.feature_update(feature=item, actor=self.request.user, status=status)


@extend_schema(tags=["tech-debt"])
class TechDebtItemViewSet(MoveActionMixin, ScopedModelViewSet):
    """Tech debt carried knowingly: its kind, impact, weekly cost of delay and remediation points.

    Any member reads; contributors and above write. `schedule` turns an item into the story that
    pays it off (once). Filter with `?product=`, `?kind=`, `?impact=`, `?epic=`, `?scheduled=`,
    `?status=`, `?status_category=`, `?owner=` and `?label=`.
    """

    serializer_class = TechDebtItemSerializer
    input_serializer_class = TechDebtItemWriteSerializer
    filterset_class = TechDebtItemFilter
    search_fields = ["title", "description"]
    ordering_fields = [*ITEM_ORDERING_FIELDS, "cost_of_delay", "remediation_points", "impact"]
    ordering = ["rank"]
    write_role = Role.CONTRIBUTOR

    def scoped_queryset(self) -> QuerySet[TechDebtItem]:
        return (
            TechDebtItem.objects.visible_to(self.request.user)
            .select_related(*ITEM_RELATIONS)
            .prefetch_related("labels")
        )

    @extend_schema(request=TechDebtItemWriteSerializer, responses={201: TechDebtItemSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=TechDebtItemWriteSerializer, responses={200: TechDebtItemSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=TechDebtItemWriteSerializer, responses={200: TechDebtItemSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a debt item; a story already scheduled to pay it off stays."""
        return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: TechDebtItemWriteSerializer) -> TechDebtItem:
        data, labels = item_changes(serializer)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.tech_debt_create(product=product, actor=self.request.user, labels=labels or (), **data)

    def perform_update(self, serializer: TechDebtItemWriteSerializer) -> TechDebtItem:
        changes, labels = item_changes(serializer)
        return services.tech_debt_update(item=serializer.instance, actor=self.request.user, labels=labels, **changes)

    def perform_destroy(self, instance: TechDebtItem) -> None:
        services.tech_debt_delete(item=instance, actor=self.request.user)

    @extend_schema(request=TechDebtScheduleSerializer, responses={201: TechDebtItemSerializer})
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: str | None = None) -> Response:
        """Create the story that pays the debt off (once), optionally planned into a sprint.

        Answers 201 with the item, whose `remediation_story` is the new story's id (also in the
        `Location` header). An item already scheduled answers 400.
        """
        item = self.get_object()
        serializer = TechDebtScheduleSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        story = services.tech_debt_schedule(
            item=item, actor=request.user, sprint=serializer.validated_data.get("sprint")
        )
        return self.respond(
            item,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:story-detail", kwargs={"pk": story.pk})},
        )
