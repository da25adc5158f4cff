"""Sync runs with their item errors, and asking for a sync or a dry run."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.serializers import StrictSerializer

from ...models import SyncItemError, SyncRun


class SyncItemErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncItemError
        fields = ["id", "jira_issue_id", "jira_key", "item_label", "message", "at"]
        read_only_fields = fields


RUN_FIELDS = [
    "id",
    "connection",
    "mapping",
    "kind",
    "status",
    "started_at",
    "finished_at",
    "pages",
    "seen",
    "total_estimate",
    "created",
    "updated",
    "archived",
    "pushed",
    "conflicts",
    "errors",
    "message",
]


class SyncRunSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=SyncRun.Kind.choices, read_only=True)
    status = serializers.ChoiceField(choices=SyncRun.Status.choices, read_only=True)

    class Meta:
        model = SyncRun
        fields = RUN_FIELDS
        read_only_fields = fields


class SyncRunDetailSerializer(SyncRunSerializer):
    item_errors = serializers.SerializerMethodField(
        help_text="The first 100 per-item errors, in Jira's words (all of them: /runs/{id}/errors/)"
    )
    plan = serializers.JSONField(read_only=True, allow_null=True, help_text="Dry runs: what a sync would do")

    class Meta(SyncRunSerializer.Meta):
        fields = [*RUN_FIELDS, "plan", "item_errors"]
        read_only_fields = fields

    @extend_schema_field(SyncItemErrorSerializer(many=True))
    def get_item_errors(self, run: SyncRun) -> list[dict[str, Any]]:
        return SyncItemErrorSerializer(run.item_errors.order_by("at", "pk")[:100], many=True).data


class RunQueuedSerializer(serializers.Serializer):
    run = serializers.IntegerField(help_text="The run's id: follow it at /api/v1/jira/runs/{run}/")
    status = serializers.ChoiceField(choices=SyncRun.Status.choices)
    kind = serializers.ChoiceField(choices=SyncRun.Kind.choices)


class SyncRequestSerializer(StrictSerializer):
    full = serializers.BooleanField(
        required=False, default=False, help_text="A full reconcile (archives what left the project) instead of a pull"
    )
