"""What the backlog serializers share: bounds that keep numbers inside their columns, shared fields, and
the validators of moves, transitions and item writes."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from rest_framework import serializers

from core.api.fields import MemberField, ScopedPrimaryKeyRelatedField
from core.api.serializers import StrictSerializer

from ...models import AcceptanceCriterion, WorkflowStatus

# Bounds that keep every number a client sends inside its column (and a story's 100 points).
MAX_POINTS = 100
MAX_CAPACITY_POINTS = 10_000
MAX_COST_OF_DELAY = 100_000
MAX_ID = 2**63 - 1
MAX_IDS_PER_CALL = 500
ITEM_OUTPUT_FIELDS = ["id", "key", "product", "title", "description", "status", "owner", "labels"]


def fixed_on_update(serializer: serializers.Serializer, attrs: dict[str, Any], field: str, message: str) -> None:
    """A relation set on create only: sent back unchanged on update it is ignored, changed it is refused."""
    if serializer.instance is None or field not in attrs:
        return
    value = attrs.pop(field)
    if getattr(value, "pk", value) != getattr(serializer.instance, f"{field}_id"):
        raise serializers.ValidationError({field: [message]})


class FlatListField(serializers.ListField):
    """A list whose item errors come as one flat list ("At index 2: …"), the shape every API field error has."""

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError(
                [
                    f"At index {index}: {message}"
                    for index, errors in exc.detail.items()
                    for message in (errors if isinstance(errors, list) else [errors])
                ]
            ) from exc


class StatusSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowStatus
        fields = ["id", "name", "category"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcceptanceCriterion
        fields = ["id", "text", "is_met", "position"]


class ItemWriteSerializer(StrictSerializer):
    """What every backlog item shares on input: title, description, status, owner, labels."""

    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    status = ScopedPrimaryKeyRelatedField(
        model=WorkflowStatus,
        required=False,
        help_text="A status of the item's product; the first 'to do' one if left out.",
    )
    owner = MemberField(required=False, allow_null=True)
    labels = FlatListField(
        child=serializers.CharField(max_length=50),
        required=False,
        max_length=50,
        help_text="Label names; missing labels are created. On update the list replaces the item's labels.",
    )


class MoveSerializer(StrictSerializer):
    before = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Put the item just before this one"
    )
    after = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Put the item just after this one"
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("before" in attrs) == ("after" in attrs):
            raise serializers.ValidationError({"before": ["Give exactly one of before or after."]})
        return attrs


class TransitionSerializer(StrictSerializer):
    status = ScopedPrimaryKeyRelatedField(model=WorkflowStatus, help_text="A status of the item's product")


def iso_datetime(value: datetime | None, tz: tzinfo | None) -> str | None:
    """What DRF's DateTimeField answers: ISO 8601 in the current time zone, UTC written Z."""
    if value is None:
        return None
    text = (value.astimezone(tz) if tz is not None else value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def user_summary(user: Any) -> dict[str, Any] | None:
    """UserSummarySerializer's output."""
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.get_full_name() or user.username}
