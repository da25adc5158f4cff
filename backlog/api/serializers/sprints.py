"""Sprints: the representation, writes, closing one, planning stories into one."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from core.api.serializers import StrictSerializer
from workspaces.models import Product

from ...models import Sprint
from .base import MAX_CAPACITY_POINTS, MAX_ID, MAX_IDS_PER_CALL, FlatListField, fixed_on_update


class SprintSerializer(serializers.ModelSerializer):
    state = serializers.ChoiceField(choices=Sprint.State.choices, read_only=True)
    committed_points = serializers.IntegerField(read_only=True, help_text="Points of the stories in the sprint")
    done_points = serializers.IntegerField(read_only=True, help_text="Points of its stories in a done status")

    class Meta:
        model = Sprint
        fields = [
            "id",
            "product",
            "name",
            "goal",
            "start_date",
            "end_date",
            "capacity_points",
            "state",
            "committed_points",
            "done_points",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SprintWriteSerializer(StrictSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product, help_text="Required on create; fixed afterwards.")
    name = serializers.CharField(max_length=80)
    goal = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="On or after the start date")
    capacity_points = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_CAPACITY_POINTS, help_text="Points the team expects to finish"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        fixed_on_update(self, attrs, "product", "A sprint cannot move to another product.")
        return attrs


class SprintCloseSerializer(StrictSerializer):
    carry_over_to = ScopedPrimaryKeyRelatedField(
        model=Sprint,
        required=False,
        allow_null=True,
        help_text="An open sprint of the same product for the unfinished stories; left out or null: the backlog",
    )


class SprintStoriesSerializer(StrictSerializer):
    stories = FlatListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=MAX_IDS_PER_CALL,
        help_text=f"Story ids (up to {MAX_IDS_PER_CALL})",
    )

    def validate_stories(self, value: list[int]) -> list[int]:
        return list(dict.fromkeys(value))
