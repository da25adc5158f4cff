"""Project mappings, their field directions and status rows; writes are checked against Jira by the views."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backlog.models import WorkflowStatus
from core.api.fields import ScopedPrimaryKeyRelatedField
from core.api.serializers import StrictSerializer
from workspaces.models import Product

from ...models import DEFAULT_DIRECTIONS, FIELDS, Direction, ProjectMapping, StatusMapping
from .base import FIELD_IDS


class DirectionsSerializer(serializers.Serializer):
    """How each field travels: two_way, to_jira, from_jira or set_once. The assignee defaults to from_jira;
    towards Jira it goes by e-mail (a person Jira does not show under that e-mail is an item error)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: serializers.ChoiceField(choices=Direction.choices, required=False, help_text=f"Direction of {name}")
            for name in FIELDS
        }

    def to_representation(self, instance: Any) -> dict[str, str]:
        return {name: (instance or {}).get(name) or DEFAULT_DIRECTIONS[name] for name in FIELDS}

    def to_internal_value(self, data: Any) -> dict[str, str]:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(FIELDS))
            if unknown:
                raise serializers.ValidationError({name: ["Not a field the sync carries."] for name in unknown})
        return dict(super().to_internal_value(data))


class StatusMappingSerializer(serializers.ModelSerializer):
    jira_category = serializers.ChoiceField(choices=StatusMapping.Category.choices, read_only=True)

    class Meta:
        model = StatusMapping
        fields = ["id", "jira_status_id", "jira_status_name", "jira_category", "workflow_status"]
        read_only_fields = fields


class StatusMappingWriteSerializer(StrictSerializer):
    jira_status_id = serializers.CharField(max_length=32, help_text="A status of the Jira project")
    workflow_status = ScopedPrimaryKeyRelatedField(model=WorkflowStatus, help_text="Ours, of the mapped product")


class ProjectMappingSerializer(serializers.ModelSerializer):
    directions = DirectionsSerializer(read_only=True)
    status_mappings = StatusMappingSerializer(many=True, read_only=True)

    class Meta:
        model = ProjectMapping
        fields = [
            "id",
            "connection",
            "product",
            "jira_project_key",
            "jira_project_id",
            *FIELD_IDS,
            "directions",
            "status_mappings",
            "watermark",
            "imported_at",
            "last_full_sync_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectMappingWriteSerializer(StrictSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product, help_text="Required on create; fixed afterwards.")
    jira_project_key = serializers.RegexField(
        r"^[A-Za-z][A-Za-z0-9_]{0,31}$", help_text="Required on create; fixed afterwards."
    )
    epic_type_id = serializers.CharField(max_length=32, required=False, help_text="Jira issue type of our epics")
    feature_type_id = serializers.CharField(
        max_length=32, required=False, allow_blank=True, help_text="Jira issue type of our features (blank: none)"
    )
    story_type_id = serializers.CharField(max_length=32, required=False, help_text="Jira issue type of our stories")
    story_points_field_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="The project's story-points field"
    )
    epic_link_field_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="Data Center: Epic Link (found by its schema)"
    )
    parent_link_field_id = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="Data Center: Parent Link (found by its schema)"
    )
    epic_name_field_id = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="Data Center: Epic Name, filled from the title when an epic is created (found by its schema)",
    )
    directions = DirectionsSerializer(required=False)
    status_mappings = StatusMappingWriteSerializer(
        many=True, required=False, help_text="Jira status → ours; statuses left out keep their mapping"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            for name in ("product", "jira_project_key"):
                if name not in attrs:
                    raise serializers.ValidationError({name: ["This field is required."]})
            product_id = attrs["product"].pk
        else:
            if "product" in attrs and attrs.pop("product").pk != self.instance.product_id:
                raise serializers.ValidationError({"product": ["A mapping cannot move to another product."]})
            key = attrs.pop("jira_project_key", None)
            if key is not None and key.upper() != self.instance.jira_project_key.upper():
                raise serializers.ValidationError(
                    {"jira_project_key": ["The project is fixed: map another product to another project."]}
                )
            product_id = self.instance.product_id
        rows = attrs.get("status_mappings") or []
        if len({row["jira_status_id"] for row in rows}) != len(rows):
            raise serializers.ValidationError({"status_mappings": ["Each Jira status may appear once."]})
        for index, row in enumerate(rows):
            if row["workflow_status"].product_id != product_id:
                raise serializers.ValidationError(
                    {"status_mappings": {index: {"workflow_status": ["Choose a status of the mapped product."]}}}
                )
        return attrs
