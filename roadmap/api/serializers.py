"""Roadmap resources: output shapes, and input validators apart from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backlog.models import Epic
from backlog.selectors.progress import Progress
from core.api.fields import MemberField, ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from workspaces.models import Product

from ..confidence import ConfidenceSignal, confidence_signals
from ..models import Baseline, Confidence, Dependency, Goal, Lane, Milestone, Roadmap, RoadmapItem
from ..selectors import roadmap_item_progress


def item_evidence(items: Sequence[RoadmapItem]) -> tuple[dict[int, Progress], dict[int, ConfidenceSignal]]:
    """Progress and computed confidence of these items, by id: five queries, whatever their number."""
    progress = roadmap_item_progress(items)
    return progress, confidence_signals(items, progress=progress)


def _fixed(serializer: serializers.Serializer, attrs: dict[str, Any], field: str, current: int, message: str) -> None:
    """On update, `field` may be sent back unchanged (a PUT of what was read) but not changed."""
    if serializer.instance is None:
        return
    if field in attrs and attrs[field].pk != current:
        raise serializers.ValidationError({field: [message]})
    attrs.pop(field, None)


def _required_on_create(serializer: serializers.Serializer, attrs: dict[str, Any], field: str) -> None:
    if serializer.instance is None and field not in attrs:
        raise serializers.ValidationError({field: ["This field is required."]})


# --- Roadmaps -------------------------------------------------------------------------------------


class RoadmapSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Roadmap
        fields = ["id", "product", "name", "kind", "description", "owner", "created_at", "updated_at"]
        read_only_fields = fields


class RoadmapWriteSerializer(StrictSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product, required=False, help_text="Required on create; fixed.")
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Roadmap.Kind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    owner = MemberField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _required_on_create(self, attrs, "product")
        if self.instance is not None:
            _fixed(self, attrs, "product", self.instance.product_id, "A roadmap cannot move to another product.")
        return attrs


# --- Roadmap items -------------------------------------------------------------------------------


class ProgressSerializer(serializers.Serializer):
    points_done = serializers.IntegerField()
    points_total = serializers.IntegerField()
    stories_done = serializers.IntegerField()
    stories_total = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="Points done of points total; by story count when none is estimated")


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="low_estimates, no_stories, dependency_open, dependency_late, prd_unsigned, decision_open, overdue"
    )
    message = serializers.CharField()


class ComputedConfidenceSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=Confidence.choices)
    score = serializers.IntegerField(help_text="Sum of the reasons' weights: 1 or more is at risk, 3 or more off track")
    reasons = ReasonSerializer(many=True)


class RoadmapItemSerializer(serializers.ModelSerializer):
    """An item with the roll-up of its epics' stories and the confidence the evidence suggests."""

    # A list puts `progress` and `signals` (by item id) in the context for its whole page at once;
    # an item without them (detail, create, update, move) is computed on its own.

    product = serializers.IntegerField(source="roadmap.product_id", read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    epics = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    confidence = serializers.ChoiceField(choices=Confidence.choices, read_only=True, help_text="As stated by a person")
    progress = serializers.SerializerMethodField()
    computed_confidence = serializers.SerializerMethodField()

    class Meta:
        model = RoadmapItem
        fields = [
            "id",
            "roadmap",
            "product",
            "title",
            "description",
            "lane",
            "status",
            "start_date",
            "end_date",
            "confidence",
            "computed_confidence",
            "progress",
            "owner",
            "milestone",
            "epics",
            "goals",
            "rank",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def _evidence(self, item: RoadmapItem) -> tuple[Progress, ConfidenceSignal]:
        progress, signals = self.context.get("progress"), self.context.get("signals")
        if progress is None or signals is None or item.pk not in signals:
            progress, signals = item_evidence([item])
        return progress[item.pk], signals[item.pk]

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, item: RoadmapItem) -> dict[str, int]:
        progress, _ = self._evidence(item)
        return {
            "points_done": progress.points_done,
            "points_total": progress.points_total,
            "stories_done": progress.stories_done,
            "stories_total": progress.stories_total,
            "percent": progress.percent,
        }

    @extend_schema_field(ComputedConfidenceSerializer)
    def get_computed_confidence(self, item: RoadmapItem) -> dict[str, Any]:
        _, signal = self._evidence(item)
        return {
            "level": signal.level,
            "score": signal.score,
            "reasons": [{"code": reason.code, "message": reason.message} for reason in signal.reasons],
        }


class RoadmapItemWriteSerializer(StrictSerializer):
    """What a client may set on an item; the service checks the rest (dates in order, links in the product)."""

    roadmap = ScopedPrimaryKeyRelatedField(model=Roadmap, required=False, help_text="Required on create; fixed.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, help_text="Markdown")
    lane = serializers.ChoiceField(choices=Lane.choices, required=False)
    status = serializers.ChoiceField(choices=RoadmapItem.Status.choices, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True, help_text="On or after start_date")
    confidence = serializers.ChoiceField(choices=Confidence.choices, required=False, help_text="As you state it")
    owner = MemberField(required=False, allow_null=True)
    milestone = ScopedPrimaryKeyRelatedField(model=Milestone, required=False, allow_null=True)
    epics = ScopedPrimaryKeyRelatedField(
        model=Epic, many=True, required=False, help_text="Epics of the same product whose stories it rolls up"
    )
    goals = ScopedPrimaryKeyRelatedField(model=Goal, many=True, required=False, help_text="Goals of the same product")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _required_on_create(self, attrs, "roadmap")
        if self.instance is not None:
            _fixed(self, attrs, "roadmap", self.instance.roadmap_id, "An item cannot move to another roadmap.")
        return attrs


class RoadmapItemMoveSerializer(StrictSerializer):
    lane = serializers.ChoiceField(choices=Lane.choices, required=False, help_text="The lane it moves to")
    before = serializers.IntegerField(required=False, help_text="Put the item just before this item of its roadmap")
    after = serializers.IntegerField(required=False, help_text="Put the item just after this item of its roadmap")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "before" in attrs and "after" in attrs:
            raise serializers.ValidationError({"before": ["Give before or after, not both."]})
        if not attrs:
            raise serializers.ValidationError({"lane": ["Give a lane, before or after (or a lane with one of them)."]})
        return attrs


# --- Dependencies --------------------------------------------------------------------------------


class ItemSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = RoadmapItem
        fields = ["id", "title", "roadmap", "lane", "status", "end_date"]
        read_only_fields = fields


class DependencySerializer(serializers.ModelSerializer):
    blocker = ItemSummarySerializer(read_only=True, help_text="The item that must finish first")
    blocked = ItemSummarySerializer(read_only=True, help_text="The item that waits for it")

    class Meta:
        model = Dependency
        fields = ["id", "blocker", "blocked", "note", "created_at"]
        read_only_fields = fields


class DependencyWriteSerializer(StrictSerializer):
    blocker = ScopedPrimaryKeyRelatedField(model=RoadmapItem, help_text="The item that must finish first")
    blocked = ScopedPrimaryKeyRelatedField(model=RoadmapItem, help_text="The item that depends on it")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- Milestones and goals ------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "product", "name", "kind", "date", "description", "is_reached", "created_at", "updated_at"]
        read_only_fields = fields


class MilestoneWriteSerializer(StrictSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product, required=False, help_text="Required on create; fixed.")
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Milestone.Kind.choices, required=False)
    date = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    is_reached = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _required_on_create(self, attrs, "product")
        if self.instance is not None:
            _fixed(self, attrs, "product", self.instance.product_id, "A milestone cannot move to another product.")
        return attrs


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "product", "title", "description", "metric", "target", "due_date", "created_at", "updated_at"]
        read_only_fields = fields


class GoalWriteSerializer(StrictSerializer):
    product = ScopedPrimaryKeyRelatedField(model=Product, required=False, help_text="Required on create; fixed.")
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    metric = serializers.CharField(max_length=200, required=False, allow_blank=True)
    target = serializers.CharField(max_length=100, required=False, allow_blank=True)
    due_date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _required_on_create(self, attrs, "product")
        if self.instance is not None:
            _fixed(self, attrs, "product", self.instance.product_id, "A goal cannot move to another product.")
        return attrs


# --- Baselines -----------------------------------------------------------------------------------


class SnapshotItemSerializer(serializers.Serializer):
    """An item as the baseline froze it (or, in a diff's `added`, as it is now)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    lane = serializers.ChoiceField(choices=Lane.choices)
    status = serializers.ChoiceField(choices=RoadmapItem.Status.choices)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    milestone_id = serializers.IntegerField(allow_null=True)


class BaselineSummarySerializer(serializers.ModelSerializer):
    product = serializers.IntegerField(source="roadmap.product_id", read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Baseline
        fields = ["id", "roadmap", "product", "name", "created_by", "created_at"]
        read_only_fields = fields


class BaselineSerializer(BaselineSummarySerializer):
    snapshot = SnapshotItemSerializer(many=True, read_only=True, help_text="The roadmap's items, in rank order")

    class Meta(BaselineSummarySerializer.Meta):
        fields = [*BaselineSummarySerializer.Meta.fields, "snapshot"]
        read_only_fields = fields


class BaselineWriteSerializer(StrictSerializer):
    roadmap = ScopedPrimaryKeyRelatedField(model=Roadmap, help_text="The roadmap to freeze as it is now")
    name = serializers.CharField(max_length=120, help_text="For example 'Q3 planning review'")


# A diff's changes carry only their bucket's fields, before and after.


class ItemDatesSerializer(serializers.Serializer):
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


class LaneValueSerializer(serializers.Serializer):
    lane = serializers.ChoiceField(choices=Lane.choices)


class ConfidenceValueSerializer(serializers.Serializer):
    confidence = serializers.ChoiceField(choices=Confidence.choices)


class TitleValueSerializer(serializers.Serializer):
    title = serializers.CharField()


class StatusValueSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RoadmapItem.Status.choices)


class MilestoneValueSerializer(serializers.Serializer):
    milestone_id = serializers.IntegerField(allow_null=True)


def _change(name: str, values: type[serializers.Serializer], doc: str) -> type[serializers.Serializer]:
    return type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": doc,
            "item_id": serializers.IntegerField(),
            "title": serializers.CharField(help_text="The item's title now"),
            "before": values(help_text="At the baseline"),
            "after": values(help_text="Now"),
        },
    )


RedatedChangeSerializer = _change("RedatedChangeSerializer", ItemDatesSerializer, "Start or end date changed.")
RelanedChangeSerializer = _change("RelanedChangeSerializer", LaneValueSerializer, "Moved to another lane.")
ConfidenceChangeSerializer = _change(
    "ConfidenceChangeSerializer", ConfidenceValueSerializer, "Stated confidence changed."
)
RetitledChangeSerializer = _change("RetitledChangeSerializer", TitleValueSerializer, "Renamed.")
StatusChangeSerializer = _change("StatusChangeSerializer", StatusValueSerializer, "Status changed.")
MilestoneChangeSerializer = _change(
    "MilestoneChangeSerializer", MilestoneValueSerializer, "Moved to another milestone, or on or off one."
)


class BaselineDiffSerializer(serializers.Serializer):
    """What moved on the roadmap since the baseline; an item changed in several ways is in each bucket."""

    added = SnapshotItemSerializer(many=True, help_text="Items created since, as they are now")
    removed = SnapshotItemSerializer(many=True, help_text="Items deleted since, as they were")
    redated = RedatedChangeSerializer(many=True)
    relaned = RelanedChangeSerializer(many=True)
    confidence_changed = ConfidenceChangeSerializer(many=True)
    retitled = RetitledChangeSerializer(many=True)
    status_changed = StatusChangeSerializer(many=True)
    milestone_changed = MilestoneChangeSerializer(many=True)
    is_empty = serializers.BooleanField(help_text="True when nothing changed")
