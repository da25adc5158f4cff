"""Backlog endpoints: thin viewsets over backlog.services."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet, etag_for
from workspaces.models import Role

from .. import services
from ..models import AcceptanceCriterion, Story
from .filters import StoryFilter
from .serializers import (
    MoveSerializer,
    SprintAssignmentSerializer,
    StorySerializer,
    StoryWriteSerializer,
    TransitionSerializer,
)


@extend_schema(tags=["stories"])
class StoryViewSet(ScopedModelViewSet):
    """User stories. Contributors and above write; moves rewrite one rank."""

    serializer_class = StorySerializer
    input_serializer_class = StoryWriteSerializer
    filterset_class = StoryFilter
    search_fields = ["title", "statement"]
    ordering_fields = ["rank", "created_at", "updated_at", "priority", "points", "number"]
    ordering = ["rank"]
    write_role = Role.CONTRIBUTOR

    def scoped_queryset(self) -> QuerySet[Story]:
        return (
            Story.objects.visible_to(self.request.user)
            .select_related("product", "status", "assignee", "owner", "feature")
            .prefetch_related(
                "labels", Prefetch("acceptance_criteria", AcceptanceCriterion.objects.order_by("position", "pk"))
            )
        )

    @extend_schema(request=StoryWriteSerializer, responses={201: StorySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=StoryWriteSerializer, responses={200: StorySerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=StoryWriteSerializer, responses={200: StorySerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: StoryWriteSerializer) -> Story:
        data = dict(serializer.validated_data)
        product = data.pop("product", None)
        if product is None:
            raise ValidationError({"product": ["This field is required."]})
        self.require_write(product.workspace_id)
        return services.story_create(product=product, actor=self.request.user, **data)

    def perform_update(self, serializer: StoryWriteSerializer) -> Story:
        changes = dict(serializer.validated_data)
        labels = changes.pop("labels", None)
        return services.story_update(story=serializer.instance, actor=self.request.user, labels=labels, **changes)

    def perform_destroy(self, instance: Story) -> None:
        services.story_delete(story=instance, actor=self.request.user)

    def _respond(self, story: Story) -> Response:
        data = self.output(story)
        return Response(data, headers={"ETag": etag_for(data)})

    @extend_schema(request=MoveSerializer, responses={200: StorySerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Rank the story just before or just after another story of the same product."""
        story = self.get_object()
        serializer = MoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        anchor_id = serializer.validated_data.get("before") or serializer.validated_data.get("after")
        field = "before" if "before" in serializer.validated_data else "after"
        anchor = Story.objects.visible_to(request.user).filter(pk=anchor_id, product_id=story.product_id).first()
        if anchor is None:
            raise ValidationError({field: ["No story with this id in the same product."]})
        services.item_move(item=story, **{field: anchor})
        return self._respond(story)

    @extend_schema(request=TransitionSerializer, responses={200: StorySerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Move the story to another status of its product's workflow."""
        story = self.get_object()
        serializer = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        story = services.story_set_status(story=story, actor=request.user, status=serializer.validated_data["status"])
        return self._respond(story)

    @extend_schema(request=SprintAssignmentSerializer, responses={200: StorySerializer})
    @action(detail=True, methods=["post"])
    def sprint(self, request: Request, pk: str | None = None) -> Response:
        """Add the story to a sprint, or send it back to the backlog with null."""
        story = self.get_object()
        serializer = SprintAssignmentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.stories_set_sprint(
            product=story.product, actor=request.user, story_ids=[story.pk], sprint=serializer.validated_data["sprint"]
        )
        return self._respond(story)
