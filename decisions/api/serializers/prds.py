"""PRDs, their immutable versions, requirements and coverage: output shapes, and input validators apart from them."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from backlog.models import Epic, Feature, Story
from core.api.fields import MemberField, ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from roadmap.models import RoadmapItem
from workspaces.models import Product

from ...models import PRD, PRDSection, PRDVersion, Requirement, SectionKind


def _not_blank(value: str, what: str) -> str:
    if not value.strip():
        raise serializers.ValidationError(f"Give the {what} a title.")
    return value.strip()


# --- PRDs -----------------------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PRDSection
        fields = ["kind", "title", "body"]
        read_only_fields = fields


class PRDSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        source="current_version", read_only=True, allow_null=True, help_text="Number of the latest version"
    )
    content_hash = serializers.CharField(
        source="current_hash",
        read_only=True,
        allow_null=True,
        help_text="SHA-256 of the latest version's content: what a sign-off binds",
    )
    sections = SectionSerializer(many=True, read_only=True)
    epics = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    roadmap_items = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = PRD
        fields = [
            "id",
            "product",
            "title",
            "status",
            "owner",
            "version",
            "content_hash",
            "sections",
            "epics",
            "roadmap_items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PRDPublishedSerializer(PRDSerializer):
    published = serializers.BooleanField(
        read_only=True, help_text="false when the content was already the latest version's: no version was made"
    )

    class Meta(PRDSerializer.Meta):
        fields = [*PRDSerializer.Meta.fields, "published"]
        read_only_fields = fields


class SectionInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=SectionKind.choices, default=SectionKind.OTHER)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, default="")


class PRDCreateSerializer(StrictSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product)
    title = serializers.CharField(max_length=200)
    owner = MemberField(required=False, allow_null=True, help_text="Defaults to the caller")
    sections = SectionInputSerializer(
        many=True, required=False, help_text="In order; without it the PRD gets the standard sections"
    )
    epics = ScopedPrimaryKeyRelatedField(model=Epic, many=True, required=False)
    roadmap_items = ScopedPrimaryKeyRelatedField(model=RoadmapItem, many=True, required=False)

    def validate_title(self, value: str) -> str:
        return _not_blank(value, "PRD")


class PRDUpdateSerializer(StrictSerializer):
    """A PATCH renames the PRD (a new version); its text changes through /publish/."""

    title = serializers.CharField(max_length=200)
    change_note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")

    def validate_title(self, value: str) -> str:
        return _not_blank(value, "PRD")


class PRDPublishSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    sections = SectionInputSerializer(many=True, required=False, help_text="The whole list, in order")
    change_note = serializers.CharField(max_length=255, help_text="What changed and why, for the version history")

    def validate_title(self, value: str) -> str:
        return _not_blank(value, "PRD")


# --- Versions ---------------------------------------------------------------------------------------


class VersionSectionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()


class VersionRequirementSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    priority = serializers.CharField()


class VersionContentSerializer(serializers.Serializer):
    title = serializers.CharField()
    sections = VersionSectionSerializer(many=True)
    requirements = VersionRequirementSerializer(many=True)


class PRDVersionSummarySerializer(serializers.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = PRDVersion
        fields = ["id", "prd", "number", "content_hash", "change_note", "created_by", "created_at"]
        read_only_fields = fields


class PRDVersionSerializer(PRDVersionSummarySerializer):
    content = VersionContentSerializer(read_only=True)

    class Meta(PRDVersionSummarySerializer.Meta):
        fields = [*PRDVersionSummarySerializer.Meta.fields, "content"]
        read_only_fields = fields


class VersionDiffQuerySerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so the fields cannot be class attributes.
        return {
            "from": serializers.IntegerField(min_value=1, help_text="The older version's number"),
            "to": serializers.IntegerField(min_value=1, help_text="The newer version's number"),
        }


class TitleChangeSerializer(serializers.Serializer):
    before = serializers.CharField()
    after = serializers.CharField()


class SectionChangeSerializer(serializers.Serializer):
    before = VersionSectionSerializer()
    after = VersionSectionSerializer()


class SectionsDiffSerializer(serializers.Serializer):
    added = VersionSectionSerializer(many=True)
    removed = VersionSectionSerializer(many=True)
    changed = SectionChangeSerializer(many=True)


class RequirementChangeSerializer(serializers.Serializer):
    before = VersionRequirementSerializer()
    after = VersionRequirementSerializer()


class RequirementsDiffSerializer(serializers.Serializer):
    added = VersionRequirementSerializer(many=True)
    removed = VersionRequirementSerializer(many=True)
    changed = RequirementChangeSerializer(many=True)


class VersionDiffSerializer(serializers.Serializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "prd": serializers.IntegerField(),
            "from": serializers.IntegerField(),
            "to": serializers.IntegerField(),
            "title": TitleChangeSerializer(allow_null=True, help_text="null when the title did not change"),
            "sections": SectionsDiffSerializer(help_text="Sections matched by title"),
            "requirements": RequirementsDiffSerializer(help_text="Requirements matched by key"),
        }


# --- Requirements -----------------------------------------------------------------------------------


class RequirementSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True, help_text="REQ-n, unique in the product and never reused")
    features = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    stories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Requirement
        fields = [
            "id",
            "key",
            "prd",
            "product",
            "title",
            "description",
            "priority",
            "position",
            "features",
            "stories",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RequirementUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    priority = serializers.ChoiceField(choices=Requirement.Priority.choices, required=False)

    def validate_title(self, value: str) -> str:
        return _not_blank(value, "requirement")


class RequirementCreateSerializer(RequirementUpdateSerializer):
    prd = ScopedPrimaryKeyRelatedField(model=PRD)
    features = ScopedPrimaryKeyRelatedField(model=Feature, many=True, required=False)
    stories = ScopedPrimaryKeyRelatedField(model=Story, many=True, required=False)


class RequirementLinkSerializer(StrictSerializer):
    features = ScopedPrimaryKeyRelatedField(model=Feature, many=True, required=False)
    stories = ScopedPrimaryKeyRelatedField(model=Story, many=True, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("features") and not attrs.get("stories"):
            raise serializers.ValidationError({"features": ["Give at least one feature or story."]})
        return attrs


# --- Coverage ---------------------------------------------------------------------------------------


class CoverageQuerySerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    prd = serializers.IntegerField(min_value=1, required=False, help_text="Only this PRD's requirements")


class CoverageRequirementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()
    prd = serializers.IntegerField(source="prd_id")


class CoverageStorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()


class CoverageSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    prd = serializers.IntegerField(allow_null=True)
    requirements_total = serializers.IntegerField()
    stories_total = serializers.IntegerField()
    percent_requirements_covered = serializers.IntegerField(
        help_text="Share of requirements that some feature or story delivers (100 when there are none)"
    )
    unbuilt_requirements = CoverageRequirementSerializer(many=True, help_text="Requirements nothing delivers")
    untraced_stories = CoverageStorySerializer(
        many=True, help_text="Stories of the product no requirement asked for (directly or through their feature)"
    )
