"""The read-only sync state of each linked item, conflicts, and resolving one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import UserSummarySerializer
from core.api.serializers import StrictSerializer

from ...models import Conflict, IssueLink, ItemKind
from .base import SYNC_STATES


class JiraItemSummarySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    id = serializers.IntegerField()
    key = serializers.CharField()
    title = serializers.CharField()


def item_summary(link: IssueLink) -> dict[str, Any] | None:
    item = link.item
    if item is None:
        return None
    return {"kind": link.kind, "id": item.pk, "key": item.key, "title": item.title}


class IssueLinkSerializer(serializers.ModelSerializer):
    jira_url = serializers.SerializerMethodField(help_text="The issue in Jira")
    item = serializers.SerializerMethodField(help_text="Our epic, feature or story (null: deleted here)")
    state = serializers.SerializerMethodField(
        help_text="synced; pending_push (a change here waits to go to Jira); push_failed; conflict (a person must "
        "pick a side); archived (deleted or moved out in Jira, or deleted here)"
    )
    open_conflicts = serializers.IntegerField(read_only=True, help_text="Open conflicts of this item")
    pending_push = serializers.BooleanField(read_only=True, help_text="A change here waits to be pushed")
    last_push_error = serializers.CharField(read_only=True, help_text="Jira's words on the last failed push")
    archived_reason = serializers.ChoiceField(choices=IssueLink.ArchiveReason.choices, read_only=True)

    class Meta:
        model = IssueLink
        fields = [
            "id",
            "connection",
            "mapping",
            "jira_issue_id",
            "jira_key",
            "jira_url",
            "item",
            "state",
            "open_conflicts",
            "pending_push",
            "last_push_error",
            "jira_updated",
            "synced_at",
            "archived_at",
            "archived_reason",
        ]
        read_only_fields = fields

    def get_jira_url(self, link: IssueLink) -> str:
        return f"{link.connection.site_url}/browse/{link.jira_key}"

    @extend_schema_field(JiraItemSummarySerializer(allow_null=True))
    def get_item(self, link: IssueLink) -> dict[str, Any] | None:
        return item_summary(link)

    @extend_schema_field(serializers.ChoiceField(choices=SYNC_STATES))
    def get_state(self, link: IssueLink) -> str:
        if link.archived_at:
            return "archived"
        if getattr(link, "open_conflicts", 0):
            return "conflict"
        if getattr(link, "last_push_error", ""):
            return "push_failed"
        if getattr(link, "pending_push", False):
            return "pending_push"
        return "synced"


class ConflictSerializer(serializers.ModelSerializer):
    jira_key = serializers.CharField(source="link.jira_key", read_only=True)
    jira_issue_id = serializers.CharField(source="link.jira_issue_id", read_only=True)
    item = serializers.SerializerMethodField(help_text="Our epic, feature or story (null: deleted here)")
    status = serializers.ChoiceField(choices=Conflict.Status.choices, read_only=True)
    resolution = serializers.ChoiceField(choices=Conflict.Side.choices, read_only=True, allow_blank=True)
    resolved_by = UserSummarySerializer(read_only=True, allow_null=True)
    base = serializers.JSONField(read_only=True, allow_null=True, help_text="The value both sides last agreed on")
    ours = serializers.JSONField(read_only=True, allow_null=True, help_text="The workspace's value")
    theirs = serializers.JSONField(read_only=True, allow_null=True, help_text="Jira's value")

    class Meta:
        model = Conflict
        fields = [
            "id",
            "link",
            "jira_key",
            "jira_issue_id",
            "item",
            "field",
            "base",
            "ours",
            "theirs",
            "status",
            "resolution",
            "resolved_by",
            "resolved_at",
            "detected_at",
        ]
        read_only_fields = fields

    @extend_schema_field(JiraItemSummarySerializer(allow_null=True))
    def get_item(self, conflict: Conflict) -> dict[str, Any] | None:
        return item_summary(conflict.link)


class ResolveSerializer(StrictSerializer):
    side = serializers.ChoiceField(
        choices=Conflict.Side.choices, help_text="jira: keep Jira's value here; workspace: push ours to Jira"
    )
