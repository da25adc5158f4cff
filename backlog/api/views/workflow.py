"""Acceptance criteria, workflow statuses and labels: thin viewsets over backlog.services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.viewsets import (
    CreateMixin,
    RetrieveWithETagMixin,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
    ScopedViewSetMixin,
)
from workspaces.models import Role

from ... import services
from ...models import AcceptanceCriterion, Label, WorkflowStatus
from ..filters import AcceptanceCriterionFilter, LabelFilter, WorkflowStatusFilter
from ..serializers import (
    AcceptanceCriterionSerializer,
    AcceptanceCriterionWriteSerializer,
    LabelSerializer,
    LabelWriteSerializer,
    WorkflowStatusSerializer,
)


@extend_schema(tags=["acceptance-criteria"])
class AcceptanceCriterionViewSet(ScopedModelViewSet):
    """The acceptance criteria of stories, one resource for all stories (filter with `?story=`).

    Any member reads; contributors and above add a criterion (at the end of its story's list),
    reword it, mark it met or not (`PATCH {"is_met": true}`) and delete it. A story's detail
    also lists its criteria.
    """

    serializer_class = AcceptanceCriterionSerializer
    input_serializer_class = AcceptanceCriterionWriteSerializer
    filterset_class = AcceptanceCriterionFilter
    search_fields = ["text"]
    ordering_fields = ["position", "created_at", "updated_at"]
    ordering = ["story_id", "position"]
    workspace_path = "story.product.workspace_id"
    write_role = Role.CONTRIBUTOR

    def scoped_queryset(self) -> QuerySet[AcceptanceCriterion]:
        user = self.request.user
        if not user.is_authenticated:
            return AcceptanceCriterion.objects.none()
        return AcceptanceCriterion.objects.filter(story__product__workspace__memberships__user=user).select_related(
            "story__product"
        )

    @extend_schema(request=AcceptanceCriterionWriteSerializer, responses={201: AcceptanceCriterionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=AcceptanceCriterionWriteSerializer, responses={200: AcceptanceCriterionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=AcceptanceCriterionWriteSerializer, responses={200: AcceptanceCriterionSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: AcceptanceCriterionWriteSerializer) -> AcceptanceCriterion:
        story = serializer.validated_data["story"]
        self.require_write(story.product.workspace_id)
        return services.criterion_add(story=story, text=serializer.validated_data["text"])

    def perform_update(self, serializer: AcceptanceCriterionWriteSerializer) -> AcceptanceCriterion:
        return services.criterion_update(
            criterion=serializer.instance, actor=self.request.user, **dict(serializer.validated_data)
        )

    def perform_destroy(self, instance: AcceptanceCriterion) -> None:
        services.criterion_delete(criterion=instance, actor=self.request.user)


@extend_schema(tags=["workflow-statuses"])
class WorkflowStatusViewSet(ScopedReadOnlyViewSet):
    """The workflow statuses of products, in workflow order (filter with `?product=`), each in a category.

    Read-only here; stories and other items move between them with their `transition` action.
    """

    serializer_class = WorkflowStatusSerializer
    filterset_class = WorkflowStatusFilter
    search_fields = ["name"]
    ordering_fields = ["position", "name"]
    ordering = ["product_id", "position"]

    def scoped_queryset(self) -> QuerySet[WorkflowStatus]:
        return WorkflowStatus.objects.visible_to(self.request.user)


@extend_schema(tags=["labels"])
class LabelViewSet(
    RetrieveWithETagMixin, CreateMixin, ScopedViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """The labels of products (filter with `?product=`). Any member reads; editors create labels.

    Items also create missing labels when they are given label names.
    """

    serializer_class = LabelSerializer
    input_serializer_class = LabelWriteSerializer
    filterset_class = LabelFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    ordering = ["product_id", "name"]
    write_role = Role.EDITOR

    def scoped_queryset(self) -> QuerySet[Label]:
        return Label.objects.visible_to(self.request.user).select_related("product")

    @extend_schema(request=LabelWriteSerializer, responses={201: LabelSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: LabelWriteSerializer) -> Label:
        product = serializer.validated_data["product"]
        self.require_write(product.workspace_id)
        return services.label_create(product=product, actor=self.request.user, name=serializer.validated_data["name"])
