"""Jira sync resources: connections (credentials write-only), mappings with their status rows, runs with
their item errors, conflicts, and the read-only sync state of each linked item.

Inputs name related rows by id through scoped fields: an id from a workspace the caller is not in is
"does not exist" (400). The services check the rest (same workspace, the project's issue types, …).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backlog.models import WorkflowStatus
from core.api.fields import ScopedPrimaryKeyRelatedField, UserSummarySerializer
from core.api.serializers import StrictSerializer
from workspaces.models import Product, Workspace

from ..jira.site import Deployment
from ..models import (
    DEFAULT_DIRECTIONS,
    FIELDS,
    Conflict,
    ConflictPolicy,
    Direction,
    IssueLink,
    ItemKind,
    JiraConnection,
    ProjectMapping,
    StatusMapping,
    SyncItemError,
    SyncRun,
)

DEPLOYMENT_CHOICES = [(Deployment.CLOUD.value, "Cloud"), (Deployment.DATA_CENTER.value, "Data Center")]
TOKEN_HELP = (
    "Cloud: the API token of the integration account; Data Center: a personal access token. "
    "Write-only: never returned. Leave it out on update to keep the stored one."
)
SYNC_STATES = [
    ("synced", "Synced"),
    ("pending_push", "Change waiting to be pushed"),
    ("push_failed", "Push failed"),
    ("conflict", "Conflict"),
    ("archived", "Archived"),
]
FIELD_IDS = (
    "epic_type_id",
    "feature_type_id",
    "story_type_id",
    "story_points_field_id",
    "epic_link_field_id",
    "parent_link_field_id",
    "epic_name_field_id",
)


def webhook_url(connection: JiraConnection) -> str:
    path = reverse("jira_webhooks:receive", kwargs={"connection_key": connection.webhook_key})
    return f"{settings.SITE_URL}{path}"


# --- connections ------------------------------------------------------------------------------------


class JiraConnectionSerializer(serializers.ModelSerializer):
    deployment = serializers.ChoiceField(choices=DEPLOYMENT_CHOICES, read_only=True)
    has_token = serializers.SerializerMethodField(help_text="Whether a token is stored (it is never shown)")
    webhook_url = serializers.SerializerMethodField(
        help_text="Register this URL in Jira's webhook settings, with the secret shown on create or rotate"
    )

    class Meta:
        model = JiraConnection
        fields = [
            "id",
            "workspace",
            "site_url",
            "deployment",
            "email",
            "has_token",
            "conflict_policy",
            "is_enabled",
            "webhook_url",
            "account_id",
            "time_zone",
            "last_test_at",
            "last_test_ok",
            "last_test_message",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_token(self, connection: JiraConnection) -> bool:
        return bool(connection.token_encrypted)

    def get_webhook_url(self, connection: JiraConnection) -> str:
        return webhook_url(connection)


class JiraConnectionWithSecretSerializer(JiraConnectionSerializer):
    webhook_secret = serializers.CharField(
        read_only=True,
        help_text="The secret Jira signs webhooks with (X-Hub-Signature), shown this once: rotate to get a new one.",
    )

    class Meta(JiraConnectionSerializer.Meta):
        fields = [*JiraConnectionSerializer.Meta.fields, "webhook_secret"]
        read_only_fields = fields


class JiraConnectionWriteSerializer(StrictSerializer):
    workspace = ScopedPrimaryKeyRelatedField(model=Workspace, help_text="Required on create; fixed afterwards.")
    site_url = serializers.URLField(max_length=300, help_text="https://your-site.atlassian.net or your server")
    deployment = serializers.ChoiceField(choices=DEPLOYMENT_CHOICES)
    email = serializers.EmailField(required=False, allow_blank=True, help_text="Cloud: the integration account")
    token = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=2000, trim_whitespace=True, help_text=TOKEN_HELP
    )
    conflict_policy = serializers.ChoiceField(choices=ConflictPolicy.choices, required=False)
    is_enabled = serializers.BooleanField(required=False, help_text="Disabled connections do not sync")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None:
            for name in ("workspace", "site_url", "deployment"):
                if name not in attrs and not self.partial:
                    raise serializers.ValidationError({name: ["This field is required."]})
            if not attrs.get("token"):
                raise serializers.ValidationError(
                    {"token": ["Enter the API token (Cloud) or personal access token (Data Center)."]}
                )
        else:
            if "workspace" in attrs and attrs["workspace"].pk != self.instance.workspace_id:
                raise serializers.ValidationError({"workspace": ["A connection cannot move to another workspace."]})
            attrs.pop("workspace", None)
        return attrs


class ConnectionTestRequestSerializer(StrictSerializer):
    project_key = serializers.RegexField(
        r"^[A-Za-z][A-Za-z0-9_]{0,31}$",
        required=False,
        allow_blank=True,
        help_text="Also check that the integration account sees this project",
    )


class ConnectionTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    message = serializers.CharField(help_text="What is wrong, in words; or who we are connected as")
    problems = serializers.ListField(child=serializers.CharField())
    deployment = serializers.CharField(allow_null=True, help_text="As Jira reports it: Cloud, DataCenter or Server")
    server_title = serializers.CharField(allow_blank=True)
    version = serializers.CharField(allow_blank=True)
    account = serializers.CharField(allow_blank=True, help_text="Display name of the integration account")
    project_name = serializers.CharField(allow_blank=True)
    tested_at = serializers.DateTimeField(allow_null=True)


# --- mappings ---------------------------------------------------------------------------------------


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


# --- runs ---------------------------------------------------------------------------------------------


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


# --- items: links and conflicts -------------------------------------------------------------------------


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
