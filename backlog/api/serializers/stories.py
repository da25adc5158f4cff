"""Stories: the list's fast path (values and one query for labels and criteria), the representation,
and the write validator."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import CharField, JSONField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from rest_framework import serializers

from core.api.fields import MemberField, ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from workspaces.models import Product

from ...models import AcceptanceCriterion, Epic, Feature, Label, Priority, Sprint, Story, WorkflowStatus
from .base import MAX_POINTS, CriterionSerializer, FlatListField, StatusSummarySerializer, iso_datetime, user_summary


def with_labels_and_criteria(stories: QuerySet[Story]) -> QuerySet[Story]:
    """On PostgreSQL, label names and acceptance criteria as columns of the stories' own query (no query of
    their own); elsewhere attach_labels_and_criteria reads them per page.

    Written as SQL: built from ArraySubquery and JSONObject, the same two columns cost ~1.5 ms per request
    to construct and compile, a third of a story's detail.
    """
    if connection.vendor != "postgresql":
        return stories
    story, links = Story._meta.db_table, Story.labels.through._meta.db_table
    label, criterion = Label._meta.db_table, AcceptanceCriterion._meta.db_table
    return stories.annotate(
        api_labels=RawSQL(
            f'ARRAY(SELECT l."name" FROM "{links}" sl INNER JOIN "{label}" l ON l."id" = sl."label_id"'
            f' WHERE sl."story_id" = "{story}"."id" ORDER BY l."name", l."id")',
            (),
            output_field=ArrayField(CharField()),
        ),
        api_criteria=RawSQL(
            "COALESCE((SELECT jsonb_agg(jsonb_build_object("
            """'id', c."id", 'text', c."text", 'is_met', c."is_met", 'position', c."position")"""
            f' ORDER BY c."position", c."id") FROM "{criterion}" c WHERE c."story_id" = "{story}"."id"),'
            " '[]'::jsonb)",
            (),
            output_field=JSONField(),
        ),
    )


def attach_labels_and_criteria(stories: Sequence[Story]) -> None:
    """Label names (by name) and acceptance criteria (by position) of stories that lack them, one query each.

    What prefetch_related("labels", "acceptance_criteria") gave, without a model instance per label and
    criterion and a queryset per story, which were a third of a 100-story page's time.
    """
    ids = [story.pk for story in stories if not hasattr(story, "api_labels")]
    if not ids:
        return
    labels: dict[int, list[str]] = {pk: [] for pk in ids}
    criteria: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    links = Story.labels.through.objects.filter(story_id__in=ids).order_by("label__name", "label_id")
    for story_id, name in links.values_list("story_id", "label__name"):
        labels[story_id].append(name)
    rows = AcceptanceCriterion.objects.filter(story_id__in=ids).order_by("position", "pk")
    for story_id, pk, text, is_met, position in rows.values_list("story_id", "pk", "text", "is_met", "position"):
        criteria[story_id].append({"id": pk, "text": text, "is_met": is_met, "position": position})
    for story in stories:
        if story.pk in labels:
            story.api_labels = labels[story.pk]
            story.api_criteria = criteria[story.pk]


class StoryListSerializer(serializers.ListSerializer):
    def to_representation(self, data: Any) -> list[dict[str, Any]]:
        stories = list(data.all() if hasattr(data, "all") else data)
        attach_labels_and_criteria(stories)
        tz = timezone.get_current_timezone() if settings.USE_TZ else None
        return [self.child.represent(story, tz) for story in stories]


class StorySerializer(serializers.ModelSerializer):
    """The fields declare the output (and the schema); `represent` writes it without DRF's walk over them.

    That walk cost ~70 µs per story, most of a 100-story page; test_story_representation holds the two to
    the same output.
    """

    key = serializers.CharField(read_only=True)
    epic = serializers.IntegerField(source="parent_epic_id", read_only=True, allow_null=True)
    status = StatusSummarySerializer(read_only=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    labels = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    acceptance_criteria = CriterionSerializer(many=True, read_only=True)
    priority = serializers.ChoiceField(choices=Priority.choices, read_only=True)

    class Meta:
        model = Story
        fields = [
            "id",
            "key",
            "product",
            "title",
            "statement",
            "description",
            "points",
            "priority",
            "status",
            "assignee",
            "owner",
            "sprint",
            "feature",
            "epic",
            "labels",
            "acceptance_criteria",
            "rank",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = StoryListSerializer

    def to_representation(self, story: Story) -> dict[str, Any]:
        attach_labels_and_criteria([story])
        return self.represent(story, timezone.get_current_timezone() if settings.USE_TZ else None)

    @staticmethod
    def represent(story: Story, tz: tzinfo | None) -> dict[str, Any]:
        status = story.status
        return {
            "id": story.pk,
            "key": f"{story.product.key}-{story.number}",
            "product": story.product_id,
            "title": story.title,
            "statement": story.statement,
            "description": story.description,
            "points": story.points,
            "priority": story.priority,
            "status": {"id": status.pk, "name": status.name, "category": status.category},
            "assignee": user_summary(story.assignee),
            "owner": user_summary(story.owner),
            "sprint": story.sprint_id,
            "feature": story.feature_id,
            "epic": story.epic_ref if hasattr(story, "epic_ref") else story.parent_epic_id,
            "labels": story.api_labels,
            "acceptance_criteria": story.api_criteria,
            "rank": story.rank,
            "completed_at": iso_datetime(story.completed_at, tz),
            "created_at": iso_datetime(story.created_at, tz),
            "updated_at": iso_datetime(story.updated_at, tz),
        }

    @staticmethod
    def represent_row(row: dict[str, Any], tz: tzinfo | None) -> dict[str, Any]:
        """The same output from a row of `stories.values(*STORY_LIST_VALUES)` (PostgreSQL only)."""
        return {
            "id": row["id"],
            "key": f"{row['product__key']}-{row['number']}",
            "product": row["product_id"],
            "title": row["title"],
            "statement": row["statement"],
            "description": row["description"],
            "points": row["points"],
            "priority": row["priority"],
            "status": {"id": row["status_id"], "name": row["status__name"], "category": row["status__category"]},
            "assignee": _person_row(row, "assignee"),
            "owner": _person_row(row, "owner"),
            "sprint": row["sprint_id"],
            "feature": row["feature_id"],
            "epic": row["epic_ref"],
            "labels": row["api_labels"],
            "acceptance_criteria": row["api_criteria"],
            "rank": row["rank"],
            "completed_at": iso_datetime(row["completed_at"], tz),
            "created_at": iso_datetime(row["created_at"], tz),
            "updated_at": iso_datetime(row["updated_at"], tz),
        }


# What StorySerializer.represent_row reads: a page of 100 stories read as values rather than model
# instances (a story, its product, status and people: ~500 instances) takes 2-3 ms less.
STORY_LIST_VALUES = (
    *("id", "product_id", "product__key", "number", "title", "statement", "description", "points", "priority"),
    *("status_id", "status__name", "status__category", "sprint_id", "feature_id", "epic_ref", "rank"),
    *(f"{person}{field}" for person in ("assignee", "owner") for field in ("_id", "__username", "__first_name")),
    *("assignee__last_name", "owner__last_name"),
    *("api_labels", "api_criteria", "completed_at", "created_at", "updated_at"),
)


def _person_row(row: dict[str, Any], person: str) -> dict[str, Any] | None:
    if row[f"{person}_id"] is None:
        return None
    username = row[f"{person}__username"]
    name = f"{row[f'{person}__first_name']} {row[f'{person}__last_name']}".strip()
    return {"id": row[f"{person}_id"], "username": username, "name": name or username}


class StoryWriteSerializer(StrictSerializer):
    """What a client may set on a story; the service checks every rule (same product, members only, …)."""

    product = ScopedPrimaryKeyRelatedField(model=Product, help_text="Required on create; fixed afterwards.")
    title = serializers.CharField(max_length=255)
    statement = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    points = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=MAX_POINTS)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    status = ScopedPrimaryKeyRelatedField(model=WorkflowStatus, required=False)
    assignee = MemberField(required=False, allow_null=True)
    owner = MemberField(required=False, allow_null=True)
    sprint = ScopedPrimaryKeyRelatedField(model=Sprint, required=False, allow_null=True)
    feature = ScopedPrimaryKeyRelatedField(model=Feature, required=False, allow_null=True)
    epic = ScopedPrimaryKeyRelatedField(
        model=Epic, required=False, allow_null=True, help_text="Only for a story directly under an epic."
    )
    labels = FlatListField(child=serializers.CharField(max_length=50), required=False)
    acceptance_criteria = FlatListField(
        child=serializers.CharField(), required=False, help_text="Create only; later edit criteria one by one."
    )

    def validate_title(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Give the story a title.")
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is not None:
            if "product" in attrs and attrs["product"].pk != self.instance.product_id:
                raise serializers.ValidationError({"product": ["A story cannot move to another product."]})
            attrs.pop("product", None)
            if "acceptance_criteria" in attrs:
                raise serializers.ValidationError(
                    {"acceptance_criteria": ["Edit criteria through /acceptance-criteria/ once the story exists."]}
                )
        return attrs


class SprintAssignmentSerializer(StrictSerializer):
    sprint = ScopedPrimaryKeyRelatedField(model=Sprint, allow_null=True, help_text="null sends it back to the backlog")
