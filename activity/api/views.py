"""Comments and notifications: thin viewsets over activity.services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet, ScopedReadOnlyViewSet
from workspaces.models import Role

from .. import services
from ..models import Comment, Notification
from .filters import CommentFilter, NotificationFilter
from .serializers import (
    CommentCreateSerializer,
    CommentSerializer,
    CommentUpdateSerializer,
    MarkReadResultSerializer,
    MarkReadSerializer,
    NotificationSerializer,
)


@extend_schema(tags=["comments"])
class CommentViewSet(ScopedModelViewSet):
    """Comments on epics, features, stories, tech debt, roadmap items, PRDs, decision records and requirements.

    List a target's thread with ?target_type=story&target_id=…. Any member comments (viewers too);
    @username mentions a member and notifies them. Authors edit their comments; authors and
    workspace admins delete them.
    """

    serializer_class = CommentSerializer
    input_serializer_class = CommentCreateSerializer
    filterset_class = CommentFilter
    search_fields = ["body"]
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["created_at"]
    workspace_path = "workspace_id"
    # Every member may write; who may edit or delete a given comment is the service's rule (author / admin).
    write_role = Role.VIEWER

    def scoped_queryset(self) -> QuerySet[Comment]:
        return (
            Comment.objects.visible_to(self.request.user)
            .select_related("author", "content_type")
            .prefetch_related("mentions")
        )

    def input(self, *args: Any, **kwargs: Any) -> Any:
        if getattr(self, "action", None) in ("update", "partial_update"):
            serializer = CommentUpdateSerializer(*args, context=self.get_serializer_context(), **kwargs)
            serializer.is_valid(raise_exception=True)
            return serializer
        return super().input(*args, **kwargs)

    def get_serializer_class(self) -> type:
        if getattr(self, "action", None) in ("update", "partial_update"):
            return CommentUpdateSerializer
        return super().get_serializer_class()

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    @extend_schema(request=CommentUpdateSerializer, responses={200: CommentSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().update(request, *args, **kwargs)

    @extend_schema(request=CommentUpdateSerializer, responses={200: CommentSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer: CommentCreateSerializer) -> Comment:
        target = serializer.validated_data["target"]
        self.require_write(target.target_workspace.pk)
        return services.comment_create(
            workspace=target.target_workspace,
            target=target,
            author=self.request.user,
            body=serializer.validated_data["body"],
        )

    def perform_update(self, serializer: CommentUpdateSerializer) -> Comment:
        comment = serializer.instance
        body = serializer.validated_data.get("body", comment.body)
        return services.comment_update(comment=comment, actor=self.request.user, body=body)

    def perform_destroy(self, instance: Comment) -> None:
        services.comment_delete(comment=instance, actor=self.request.user)


@extend_schema(tags=["notifications"])
class NotificationViewSet(ScopedReadOnlyViewSet):
    """The caller's own notifications, newest first (?unread=true for the unread ones)."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields = ["message"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    workspace_path = "workspace_id"

    def scoped_queryset(self) -> QuerySet[Notification]:
        user = self.request.user
        return (
            Notification.objects.visible_to(user).filter(recipient_id=user.pk).select_related("actor", "content_type")
        )

    @extend_schema(request=MarkReadSerializer, responses={200: MarkReadResultSerializer})
    @action(detail=False, methods=["post"], url_path="mark-read", url_name="mark-read")
    def mark_read(self, request: Request) -> Response:
        """Mark some of your notifications read (ids), or all of them (all: true)."""
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = serializer.validated_data.get("ids")
        marked = services.notifications_mark_read(recipient=request.user, notification_ids=ids)
        return Response({"marked": marked})
