"""Sign-offs with their audit trail, and review flags."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import MemberField, UserSummarySerializer
from core.api.serializers import StrictSerializer

from ...models import DecisionRecord, ReviewFlag, SignOff, SignOffEvent, StakeholderRole


class SignOffEventSerializer(serializers.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = SignOffEvent
        fields = ["kind", "actor", "role", "comment", "content_hash", "at"]
        read_only_fields = fields


class DocumentSummarySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("prd", "PRD"), ("decision", "Decision record")])
    id = serializers.IntegerField()
    product = serializers.IntegerField()
    key = serializers.CharField(allow_null=True, help_text="ADR-n for decision records, null for PRDs")
    title = serializers.CharField()
    status = serializers.CharField()


class SignOffSerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField(help_text="The PRD or decision record signed off")
    version = serializers.IntegerField(
        source="prd_version.number", read_only=True, allow_null=True, help_text="The PRD version number, for PRDs"
    )
    approver = UserSummarySerializer(read_only=True)
    requested_by = UserSummarySerializer(read_only=True, allow_null=True)
    events = SignOffEventSerializer(many=True, read_only=True, help_text="The audit trail, oldest first")

    class Meta:
        model = SignOff
        fields = [
            "id",
            "document",
            "prd",
            "prd_version",
            "version",
            "decision",
            "approver",
            "role",
            "requested_by",
            "state",
            "content_hash",
            "comment",
            "decided_at",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(DocumentSummarySerializer)
    def get_document(self, signoff: SignOff) -> dict[str, Any]:
        document = signoff.document
        is_decision = isinstance(document, DecisionRecord)
        return {
            "type": "decision" if is_decision else "prd",
            "id": document.pk,
            "product": document.product_id,
            "key": document.key if is_decision else None,
            "title": document.title,
            "status": document.status,
        }


class SignOffRequestSerializer(StrictSerializer):
    approver = MemberField(help_text="A member of the document's workspace, of any role")
    role = serializers.ChoiceField(choices=StakeholderRole.choices, help_text="The capacity they sign in")


class ApproveSerializer(StrictSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class RejectSerializer(StrictSerializer):
    comment = serializers.CharField(help_text="Why, so the owner knows what to change")


# --- Review flags -----------------------------------------------------------------------------------


class FlagTargetSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(name, name) for name in ReviewFlag.TARGET_FIELDS])
    id = serializers.IntegerField()
    key = serializers.CharField(allow_null=True, help_text="The backlog key (PAY-12); null for roadmap items")
    title = serializers.CharField()


class ReviewFlagSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField(help_text="The item to look at again")
    raised_by = UserSummarySerializer(read_only=True, allow_null=True)
    cleared_by = UserSummarySerializer(read_only=True, allow_null=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReviewFlag
        fields = [
            "id",
            "product",
            "target",
            "epic",
            "feature",
            "story",
            "roadmap_item",
            "requirement",
            "decision",
            "reason",
            "raised_by",
            "is_open",
            "cleared_at",
            "cleared_by",
            "clear_note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FlagTargetSerializer)
    def get_target(self, flag: ReviewFlag) -> dict[str, Any]:
        for name in ReviewFlag.TARGET_FIELDS:
            if getattr(flag, f"{name}_id"):
                item = getattr(flag, name)
                break
        # Backlog keys read the product's key; the flag's product is the item's and is loaded already.
        key = None if name == "roadmap_item" else f"{flag.product.key}-{item.number}"
        return {"type": name, "id": item.pk, "key": key, "title": item.title}


class ReviewFlagClearSerializer(StrictSerializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
