"""Backlog resources: output shapes, and input validators apart from them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import MemberField, ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from workspaces.models import Product

from ..models import AcceptanceCriterion, Epic, Feature, Priority, Sprint, Story, WorkflowStatus


class StatusSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowStatus
        fields = ["id", "name", "category"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceCriterion
        fields = ["id", "text", "is_met", "position"]


class StorySerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    epic = serializers.IntegerField(source="parent_epic_id", read_only=True, allow_null=True)
    status = StatusSummarySerializer(read_only=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    acceptance_criteria = CriterionSerializer(many=True, read_only=True)
    priority = serializers.ChoiceField(choices=Priority.choices, read_only=True)

    class Meta:
        model = Story
        fields = [
            "id",
            "key",
            "product",
            "title",
            "statement",
            "description",
            "points",
            "priority",
            "status",
            "assignee",
            "owner",
            "sprint",
            "feature",
            "epic",
            "labels",
            "acceptance_criteria",
            "rank",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StoryWriteSerializer(StrictSerializer):
    """What a client may set on a story; the service checks every rule (same product, members only, …)."""

    product = ScopedPrimaryKeyRelatedField(model=Product, help_text="Required on create; fixed afterwards.")
    title = serializers.CharField(max_length=255)
    statement = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    points = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    status = ScopedPrimaryKeyRelatedField(model=WorkflowStatus, required=False)
    assignee = MemberField(required=False, allow_null=True)
    owner = MemberField(required=False, allow_null=True)
    sprint = ScopedPrimaryKeyRelatedField(model=Sprint, required=False, allow_null=True)
    feature = ScopedPrimaryKeyRelatedField(model=Feature, required=False, allow_null=True)
    epic = ScopedPrimaryKeyRelatedField(
        model=Epic, required=False, allow_null=True, help_text="Only for a story directly under an epic."
    )
    labels = serializers.ListField(child=serializers.CharField(max_length=50), required=False)
    acceptance_criteria = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Create only; later edit criteria one by one."
    )

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the story a title.")
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "product" in attrs and attrs["product"].pk != self.instance.product_id:
                raise serializers.ValidationError({"product": ["A story cannot move to another product."]})
            attrs.pop("product", None)
            if "acceptance_criteria" in attrs:
                raise serializers.ValidationError(
                    {"acceptance_criteria": ["Edit criteria through /acceptance-criteria/ once the story exists."]}
                )
        return attrs


class MoveSerializer(StrictSerializer):
    before = serializers.IntegerField(required=False, help_text="Put the item just before this one")
    after = serializers.IntegerField(required=False, help_text="Put the item just after this one")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("before" in attrs) == ("after" in attrs):
            raise serializers.ValidationError({"before": ["Give exactly one of before or after."]})
        return attrs


class TransitionSerializer(StrictSerializer):
    status = ScopedPrimaryKeyRelatedField(model=WorkflowStatus)


class SprintAssignmentSerializer(StrictSerializer):
    sprint = ScopedPrimaryKeyRelatedField(model=Sprint, allow_null=True, help_text="null sends it back to the backlog")
