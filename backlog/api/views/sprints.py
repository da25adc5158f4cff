"""Sprints: thin viewset over backlog.services, with committed and done points in one query for a page."""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet
from workspaces.models import Role

from ... import services
from ...models import Sprint, StatusCategory, Story
from ..filters import SprintFilter
from ..serializers import SprintCloseSerializer, SprintSerializer, SprintStoriesSerializer, SprintWriteSerializer
from .base import RespondMixin


def sprint_points(*, done_only: bool) -> Coalesce:
    """The points of a sprint's stories (in a done status only, or all), as a correlated subquery."""
    stories = Story.objects.filter(sprint_id=OuterRef("pk"))
    if done_only:
        stories = stories.filter(status__category=StatusCategory.DONE)
    total = stories.order_by().values("sprint_id").annotate(total=Sum("points")).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)


def id_list(ids: list[int]) -> str:
    return ", ".join(str(pk) for pk in ids)


@extend_schema(tags=["sprints"])
class SprintViewSet(RespondMixin, ScopedModelViewSet):
    """Sprints of a product: dates, goal, capacity, state, and the points committed and done.

    Any member reads; editors create, edit, start, close and delete (planned sprints only: their
    stories go back to the backlog). Contributors and above add stories to a sprint and take them
    out. At most one sprint per product is active. Filter with `?product=` and `?state=`.
    """

    serializer_class = SprintSerializer
    input_serializer_class = SprintWriteSerializer
    filterset_class = SprintFilter
    search_fields = ["name", "goal"]
    ordering_fields = ["start_date", "end_date", "name", "created_at"]
    ordering = ["start_date"]
    write_role = Role.EDITOR
    action_roles = {"add_stories": Role.CONTRIBUTOR, "remove_stories": Role.CONTRIBUTOR}
    # The points follow the stories: planning or finishing one does not make an If-Match on the sprint stale.
    etag_exclude = ("committed_points", "done_points")

    def scoped_queryset(self) -> QuerySet[Sprint]:
        return (
            Sprint.objects.visible_to(self.request.user)
            .select_related("product")
            .annotate(committed_points=sprint_points(done_only=False), done_points=sprint_points(done_only=True))
        )

    @extend_schema(request=SprintWriteSerializer, responses={201: SprintSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=SprintWriteSerializer, responses={200: SprintSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=SprintWriteSerializer, responses={200: SprintSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Delete a planned sprint; its stories go back to the backlog. Active and closed sprints stay (400)."""
        return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: SprintWriteSerializer) -> Sprint:
        data = dict(serializer.validated_data)
        product = data.pop("product")
        self.require_write(product.workspace_id)
        return services.sprint_create(product=product, actor=self.request.user, **data)

    def perform_update(self, serializer: SprintWriteSerializer) -> Sprint:
        return services.sprint_update(
            sprint=serializer.instance, actor=self.request.user, **dict(serializer.validated_data)
        )

    def perform_destroy(self, instance: Sprint) -> None:
        services.sprint_delete(sprint=instance, actor=self.request.user)

    @extend_schema(request=None, responses={200: SprintSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Start a planned sprint; another active sprint of the product must be closed first (400)."""
        sprint = services.sprint_start(sprint=self.get_object(), actor=request.user)
        return self.respond(sprint)

    @extend_schema(request=SprintCloseSerializer, responses={200: SprintSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the active sprint; its unfinished stories go to `carry_over_to`, or back to the backlog."""
        sprint = self.get_object()
        serializer = SprintCloseSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        sprint = services.sprint_close(
            sprint=sprint, carry_over_to=serializer.validated_data.get("carry_over_to"), actor=request.user
        )
        return self.respond(sprint)

    @extend_schema(request=SprintStoriesSerializer, responses={200: SprintSerializer})
    @action(detail=True, methods=["post"], url_path="add-stories")
    def add_stories(self, request: Request, pk: str | None = None) -> Response:
        """Plan stories of the sprint's product into this (open) sprint, wherever they were."""
        sprint = self.get_object()
        ids = self._story_ids(request)
        found = set(
            Story.objects.visible_to(request.user)
            .filter(product_id=sprint.product_id, pk__in=ids)
            .values_list("pk", flat=True)
        )
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ValidationError({"stories": [f"These are not stories of {sprint.product.name}: {id_list(missing)}."]})
        services.stories_set_sprint(product=sprint.product, actor=request.user, story_ids=ids, sprint=sprint)
        return self.respond(sprint)

    @extend_schema(request=SprintStoriesSerializer, responses={200: SprintSerializer})
    @action(detail=True, methods=["post"], url_path="remove-stories")
    def remove_stories(self, request: Request, pk: str | None = None) -> Response:
        """Send stories of this sprint back to the backlog."""
        sprint = self.get_object()
        ids = self._story_ids(request)
        found = set(Story.objects.filter(sprint_id=sprint.pk, pk__in=ids).values_list("pk", flat=True))
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ValidationError({"stories": [f"These stories are not in {sprint.name}: {id_list(missing)}."]})
        services.stories_set_sprint(product=sprint.product, actor=request.user, story_ids=ids, sprint=None)
        return self.respond(sprint)

    def _story_ids(self, request: Request) -> list[int]:
        serializer = SprintStoriesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["stories"]
