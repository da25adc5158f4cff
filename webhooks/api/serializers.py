"""Webhook resources: endpoints (the secret only in the create and rotate answers), deliveries with attempts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from core.errors import ApplicationError
from workspaces.models import Workspace

from .. import transport
from ..models import SUBSCRIBABLE_KINDS, EventKind, OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint

EVENT_CHOICES = [(kind, EventKind(kind).label) for kind in SUBSCRIBABLE_KINDS]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "workspace",
            "url",
            "description",
            "events",
            "is_active",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret, shown this once: keep it to verify X-TPM-Signature (rotate to get a new one).",
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(StrictSerializer):
    workspace = ScopedPrimaryKeyRelatedField(model=Workspace, help_text="Required on create; fixed afterwards.")
    url = serializers.CharField(max_length=transport.URL_MAX_LENGTH, help_text="http:// or https:// only")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES), allow_empty=False, help_text="Event kinds to receive"
    )
    is_active = serializers.BooleanField(required=False, help_text="Inactive endpoints receive nothing")

    def validate_url(self, value: str) -> str:
        try:
            return transport.validate_url(value)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "workspace" in attrs and attrs["workspace"].pk != self.instance.workspace_id:
                raise serializers.ValidationError({"workspace": ["An endpoint cannot move to another workspace."]})
            attrs.pop("workspace", None)
        return attrs


class WebhookEventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True, help_text="The `id` in the body receivers get")
    event = serializers.ChoiceField(source="kind", choices=EventKind.choices, read_only=True)
    data = serializers.JSONField(source="payload", read_only=True)

    class Meta:
        model = OutboxEvent
        fields = ["id", "event", "created_at", "data"]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "duration_ms", "error", "response_excerpt"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    uuid = serializers.UUIDField(read_only=True, help_text="Sent as X-TPM-Delivery")
    event = WebhookEventSerializer(read_only=True)
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "uuid",
            "endpoint",
            "event",
            "state",
            "attempt_count",
            "attempt_limit",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "completed_at",
            "created_at",
            "attempts",
        ]
        read_only_fields = fields


class RedeliverSerializer(StrictSerializer):
    delivery = serializers.IntegerField(help_text="A delivery of this endpoint that succeeded or failed")


class DeliveryStateFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=WebhookDelivery.State.choices, required=False)
    event = serializers.ChoiceField(choices=EventKind.choices, required=False)
