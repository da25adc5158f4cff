"""Acceptance criteria, workflow statuses and labels."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from core.api.serializers import StrictSerializer
from workspaces.models import Product

from ...models import AcceptanceCriterion, Label, StatusCategory, Story, WorkflowStatus
from .base import fixed_on_update


class AcceptanceCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceCriterion
        fields = ["id", "story", "text", "is_met", "position", "created_at", "updated_at"]
        read_only_fields = fields


class AcceptanceCriterionWriteSerializer(StrictSerializer):
    story = ScopedPrimaryKeyRelatedField(model=Story, help_text="Required on create; fixed afterwards.")
    text = serializers.CharField()
    is_met = serializers.BooleanField(required=False, help_text="On update only: mark the criterion met or not")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and "is_met" in attrs:
            raise serializers.ValidationError({"is_met": ["Add the criterion first, then mark it met."]})
        fixed_on_update(self, attrs, "story", "A criterion stays on its story.")
        return attrs


class WorkflowStatusSerializer(serializers.ModelSerializer):
    category = serializers.ChoiceField(choices=StatusCategory.choices, read_only=True)

    class Meta:
        model = WorkflowStatus
        fields = ["id", "product", "name", "category", "position"]
        read_only_fields = fields


class LabelSerializer(serializers.ModelSerializer):
    class Meta:
        model = Label
        fields = ["id", "product", "name", "created_at"]
        read_only_fields = fields


class LabelWriteSerializer(StrictSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product)
    name = serializers.CharField(max_length=50)
