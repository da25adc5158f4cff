"""Decision records (MADR) and their options: output shapes, and input validators apart from them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backlog.models import Epic
from core.api.fields import MemberField, ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from roadmap.models import RoadmapItem
from workspaces.models import Product

from ...models import PRD, DecisionOption, DecisionParticipant, DecisionRecord, Level, content_hash
from ...services import decision_content

TEXT_HELP = {
    "context": "Context and problem statement (Markdown)",
    "decision_drivers": "One driver per line",
    "outcome": "Why the chosen option (Markdown)",
    "consequences": "Good and bad consequences (Markdown)",
    "confirmation": "How we will confirm the decision holds",
}


class OptionSerializer(serializers.ModelSerializer):
    decision = serializers.IntegerField(source="record_id", read_only=True)
    chosen = serializers.SerializerMethodField(help_text="Whether this is the record's chosen option")

    class Meta:
        model = DecisionOption
        fields = [
            "id",
            "decision",
            "title",
            "description",
            "pros",
            "cons",
            "cost",
            "risk",
            "position",
            "chosen",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_chosen(self, option: DecisionOption) -> bool:
        return option.record.chosen_option_id == option.pk


def _participants(record: DecisionRecord, part: str) -> list[int]:
    return sorted(p.user_id for p in record.participants.all() if p.part == part)


class DecisionSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text="ADR-n, unique in the product")
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    options = OptionSerializer(many=True, read_only=True)
    deciders = serializers.SerializerMethodField(help_text="User ids of the decision-makers")
    consulted = serializers.SerializerMethodField(help_text="User ids of the people consulted")
    informed = serializers.SerializerMethodField(help_text="User ids of the people kept informed")
    epics = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    roadmap_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    prds = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    superseded_by = serializers.SerializerMethodField(help_text="The record that supersedes (or will) this one")
    amended_by = serializers.SerializerMethodField(help_text="Records that amend this one")
    content_hash = serializers.SerializerMethodField(help_text="SHA-256 of the signed content: what a sign-off binds")

    class Meta:
        model = DecisionRecord
        fields = [
            "id",
            "key",
            "product",
            "title",
            "status",
            "context",
            "decision_drivers",
            "outcome",
            "consequences",
            "confirmation",
            "owner",
            "options",
            "chosen_option",
            "deciders",
            "consulted",
            "informed",
            "epics",
            "roadmap_items",
            "prds",
            "supersedes",
            "amends",
            "superseded_by",
            "amended_by",
            "content_hash",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_deciders(self, record: DecisionRecord) -> list[int]:
        return _participants(record, DecisionParticipant.Part.DECIDER)

    def get_consulted(self, record: DecisionRecord) -> list[int]:
        return _participants(record, DecisionParticipant.Part.CONSULTED)

    def get_informed(self, record: DecisionRecord) -> list[int]:
        return _participants(record, DecisionParticipant.Part.INFORMED)

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_superseded_by(self, record: DecisionRecord) -> int | None:
        successor = getattr(record, "superseded_by", None)
        return successor.pk if successor else None

    def get_amended_by(self, record: DecisionRecord) -> list[int]:
        return sorted(amendment.pk for amendment in record.amendments.all())

    def get_content_hash(self, record: DecisionRecord) -> str:
        return content_hash(decision_content(record))


class OptionInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    pros = serializers.CharField(required=False, allow_blank=True, help_text="One per line")
    cons = serializers.CharField(required=False, allow_blank=True, help_text="One per line")
    cost = serializers.ChoiceField(choices=Level.choices, required=False)
    risk = serializers.ChoiceField(choices=Level.choices, required=False)

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the option a title.")
        return value.strip()


class OptionCreateSerializer(OptionInputSerializer):
    decision = ScopedPrimaryKeyRelatedField(model=DecisionRecord)


class DecisionUpdateSerializer(StrictSerializer):
    """The record's text. Options, participants and links have their own endpoints."""

    title = serializers.CharField(max_length=200)
    context = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=TEXT_HELP["context"]
    )
    decision_drivers = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=TEXT_HELP["decision_drivers"]
    )
    outcome = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=TEXT_HELP["outcome"]
    )
    consequences = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=TEXT_HELP["consequences"]
    )
    confirmation = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=TEXT_HELP["confirmation"]
    )

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the decision a title.")
        return value.strip()


class DecisionCreateSerializer(DecisionUpdateSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product)
    owner = MemberField(required=False, allow_null=True, help_text="Defaults to the caller")
    options = OptionInputSerializer(many=True, required=False)
    epics = ScopedPrimaryKeyRelatedField(model=Epic, many=True, required=False)
    roadmap_items = ScopedPrimaryKeyRelatedField(model=RoadmapItem, many=True, required=False)
    prds = ScopedPrimaryKeyRelatedField(model=PRD, many=True, required=False)
    deciders = MemberField(many=True, required=False)
    consulted = MemberField(many=True, required=False)
    informed = MemberField(many=True, required=False)


class ParticipantsSerializer(StrictSerializer):
    deciders = MemberField(many=True, required=False, help_text="Replaces the decision-makers")
    consulted = MemberField(many=True, required=False, help_text="Replaces the people consulted")
    informed = MemberField(many=True, required=False, help_text="Replaces the people informed")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError({"deciders": ["Give at least one of deciders, consulted or informed."]})
        return attrs


class LinksSerializer(StrictSerializer):
    epics = ScopedPrimaryKeyRelatedField(model=Epic, many=True, required=False, help_text="Replaces the epics")
    roadmap_items = ScopedPrimaryKeyRelatedField(
        model=RoadmapItem, many=True, required=False, help_text="Replaces the roadmap items"
    )
    prds = ScopedPrimaryKeyRelatedField(model=PRD, many=True, required=False, help_text="Replaces the PRDs")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError({"epics": ["Give at least one of epics, roadmap_items or prds."]})
        return attrs


class ChooseSerializer(StrictSerializer):
    option = serializers.IntegerField(allow_null=True, help_text="One of the record's options; null for none")


class SuccessorSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False, help_text="Defaults to the original's title")

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the new record a title, or leave it out.")
        return value.strip()
