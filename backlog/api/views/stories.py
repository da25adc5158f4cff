"""Stories: thin viewset over backlog.services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet
from workspaces.models import Role

from ... import services
from ...models import Feature, Story, WorkflowStatus
from ..filters import StoryFilter
from ..serializers import (
    STORY_LIST_VALUES,
    SprintAssignmentSerializer,
    StorySerializer,
    StoryWriteSerializer,
    with_labels_and_criteria,
)
from .base import MoveActionMixin, TransitionActionMixin


@extend_schema(tags=["stories"])
class StoryViewSet(MoveActionMixin, TransitionActionMixin, ScopedModelViewSet):
    """User stories, with their labels and acceptance criteria. Any member reads; contributors and above write.

    Filter with `?product=`, `?status=`, `?status_category=`, `?assignee=`, `?owner=`, `?sprint=`,
    `?no_sprint=true` (the backlog), `?feature=`, `?epic=` (directly or through a feature),
    `?priority=` and `?label=`; search title and statement with `?search=`.
    """

    serializer_class = StorySerializer
    input_serializer_class = StoryWriteSerializer
    filterset_class = StoryFilter
    search_fields = ["title", "statement"]
    ordering_fields = ["rank", "created_at", "updated_at", "priority", "points", "number"]
    ordering = ["rank"]
    write_role = Role.CONTRIBUTOR
    # Several people edit a story: PUT/PATCH must say which version they change (428 without If-Match).
    if_match_required = True
    if_match_optional_actions = ("transition", "sprint")

    def scoped_queryset(self) -> QuerySet[Story]:
        # The epic through the feature, like labels and criteria on PostgreSQL, comes as a column of the
        # stories' query: not a join, which would stay in the paginator's COUNT, nor a row per feature.
        # Written as SQL: built from Subquery and Coalesce it cost ~0.5 ms per request.
        story, feature = Story._meta.db_table, Feature._meta.db_table
        epic_ref = RawSQL(
            f'COALESCE((SELECT f."epic_id" FROM "{feature}" f WHERE f."id" = "{story}"."feature_id"),'
            f' "{story}"."epic_id")',
            (),
            output_field=BigIntegerField(),
        )
        stories = (
            Story.objects.visible_to(self.request.user)
            .select_related("product", "status", "assignee", "owner")
            .annotate(epic_ref=epic_ref)
        )
        return with_labels_and_criteria(stories)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """On PostgreSQL the page is read as values (see STORY_LIST_VALUES), not model instances."""
        if connection.vendor != "postgresql":
            return super().list(request, *args, **kwargs)
        stories = self.filter_queryset(self.get_queryset())
        rows = stories.values(*STORY_LIST_VALUES)
        # Counted on the stories themselves: the joins values() adds would stay in the COUNT.
        rows.count = stories.count
        rows.count_source = stories
        page = self.paginate_queryset(rows)
        tz = timezone.get_current_timezone() if settings.USE_TZ else None
        return self.get_paginated_response([StorySerializer.represent_row(row, tz) for row in page])

    @extend_schema(request=StoryWriteSerializer, responses={201: StorySerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=StoryWriteSerializer, responses={200: StorySerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=StoryWriteSerializer, responses={200: StorySerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete the story with its acceptance criteria; a tech-debt item it paid off is unscheduled again."""
        return super().destroy(request, *args, **kwargs)

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

    def perform_transition(self, item: Story, status: WorkflowStatus) -> Story:
        return services.story_set_status(story=item, actor=self.request.user, status=status)

    @extend_schema(request=SprintAssignmentSerializer, responses={200: StorySerializer})
    @action(detail=True, methods=["post"])
    def sprint(self, request: Request, pk: str | None = None) -> Response:
        """Add the story to a sprint, or send it back to the backlog with null."""
        story = self.get_object()
        serializer = SprintAssignmentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            self.check_if_match(story, required=False)  # honoured when sent (412), not required
            services.stories_set_sprint(
                product=story.product,
                actor=request.user,
                story_ids=[story.pk],
                sprint=serializer.validated_data["sprint"],
            )
        return self.respond(story)
