"""The connection: its representation (token never returned; the webhook secret only when made or
rotated), writes, and the connection test."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from core.api.fields import ScopedPrimaryKeyRelatedField
from core.api.serializers import StrictSerializer
from workspaces.models import Workspace

from ...models import ConflictPolicy, JiraConnection
from .base import DEPLOYMENT_CHOICES, TOKEN_HELP, webhook_url


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
