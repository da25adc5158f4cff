"""Comments and notifications: output shapes, and input validators apart from them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import UserSummarySerializer
from core.api.serializers import StrictSerializer

from ..models import Comment, Notification
from .targets import TARGET_TYPE_CHOICES, visible_target

COMMENT_MAX_LENGTH = 20_000


class CommentSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(source="content_type.model", read_only=True, help_text="e.g. story, prd")
    target_id = serializers.IntegerField(source="object_id", read_only=True)
    author = UserSummarySerializer(read_only=True, allow_null=True)
    mentions = UserSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "workspace",
            "target_type",
            "target_id",
            "author",
            "body",
            "mentions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CommentCreateSerializer(StrictSerializer):
    target_type = serializers.ChoiceField(choices=TARGET_TYPE_CHOICES)
    target_id = serializers.IntegerField(min_value=1)
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, help_text="Markdown; @username mentions a member")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context["request"]
        target = visible_target(user=request.user, target_type=attrs["target_type"], target_id=attrs["target_id"])
        if target is None:
            # The same answer whether the row is missing or in another workspace.
            raise serializers.ValidationError({"target_id": [f"No {attrs['target_type']} with this id."]})
        attrs["target"] = target
        return attrs


class CommentUpdateSerializer(StrictSerializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH, help_text="Markdown; @username mentions a member")


class NotificationSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(
        source="content_type.model", read_only=True, allow_null=True, help_text="e.g. story, signoff"
    )
    target_id = serializers.IntegerField(source="object_id", read_only=True, allow_null=True)
    actor = UserSummarySerializer(read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=Notification.Kind.choices, read_only=True)
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "workspace",
            "kind",
            "message",
            "actor",
            "target_type",
            "target_id",
            "is_read",
            "read_at",
            "created_at",
        ]
        read_only_fields = fields


class MarkReadSerializer(StrictSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="Your notifications to mark read; ids that are not yours are ignored",
    )
    all = serializers.BooleanField(required=False, help_text="true: mark all your unread notifications read")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("ids" in attrs) == bool(attrs.get("all")):
            raise serializers.ValidationError({"ids": ["Give either ids or all: true."]})
        return attrs


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notifications are now read")
