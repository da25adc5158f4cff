"""Epics (with their progress), features and tech-debt items."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from workspaces.models import Product

from ...models import Epic, Feature, Sprint, TechDebtItem
from ...selectors.progress import Progress, epic_progress
from .base import (
    ITEM_OUTPUT_FIELDS,
    MAX_COST_OF_DELAY,
    MAX_POINTS,
    ItemWriteSerializer,
    StatusSummarySerializer,
    fixed_on_update,
)


class EpicProgressSerializer(serializers.Serializer):
    points_done = serializers.IntegerField(help_text="Points of the epic's stories in a done status")
    points_total = serializers.IntegerField(help_text="Points of all the epic's stories (under its features too)")
    percent = serializers.IntegerField(help_text="Percent of points done; by story count when nothing is estimated")


class EpicSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    status = StatusSummarySerializer(read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Epic
        fields = [*ITEM_OUTPUT_FIELDS, "target_date", "progress", "rank", "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(EpicProgressSerializer)
    def get_progress(self, epic: Epic) -> dict[str, int]:
        # A list puts every epic's progress of the page in the context (one query); a detail reads its own.
        known: dict[int, Progress] | None = self.context.get("epic_progress")
        if known is None:
            known = epic_progress([epic.pk])
        progress = known.get(epic.pk, Progress())
        return {"points_done": progress.points_done, "points_total": progress.points_total, "percent": progress.percent}


class EpicWriteSerializer(ItemWriteSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product, help_text="Required on create; fixed afterwards.")
    target_date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        fixed_on_update(self, attrs, "product", "An epic cannot move to another product.")
        return attrs


class FeatureSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    status = StatusSummarySerializer(read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Feature
        fields = [*ITEM_OUTPUT_FIELDS, "epic", "rank", "created_at", "updated_at"]
        read_only_fields = fields


class FeatureWriteSerializer(ItemWriteSerializer):
    epic = ScopedPrimaryKeyRelatedField(
        model=Epic, help_text="The epic it belongs to (its product is the feature's); another epic of it moves it."
    )


class TechDebtItemSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    status = StatusSummarySerializer(read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    kind = serializers.ChoiceField(choices=TechDebtItem.Kind.choices, read_only=True)
    impact = serializers.ChoiceField(choices=TechDebtItem.Impact.choices, read_only=True)
    cost_per_point = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Hours saved per week per point spent: the higher, the sooner"
    )

    class Meta:
        model = TechDebtItem
        fields = [
            *ITEM_OUTPUT_FIELDS,
            "kind",
            "impact",
            "cost_of_delay",
            "remediation_points",
            "cost_per_point",
            "epic",
            "remediation_story",
            "rank",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"remediation_story": {"help_text": "The story that pays the debt off, once scheduled"}}


class TechDebtItemWriteSerializer(ItemWriteSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product, help_text="Required on create; fixed afterwards.")
    kind = serializers.ChoiceField(choices=TechDebtItem.Kind.choices, required=False)
    impact = serializers.ChoiceField(choices=TechDebtItem.Impact.choices, required=False)
    cost_of_delay = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_COST_OF_DELAY, help_text="Engineering hours lost per week"
    )
    remediation_points = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_POINTS, help_text="What paying it off takes"
    )
    epic = ScopedPrimaryKeyRelatedField(model=Epic, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        fixed_on_update(self, attrs, "product", "A tech-debt item cannot move to another product.")
        return attrs


class TechDebtScheduleSerializer(StrictSerializer):
    sprint = ScopedPrimaryKeyRelatedField(
        model=Sprint, required=False, allow_null=True, help_text="Plan the new story into this open sprint"
    )
