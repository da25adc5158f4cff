"""Jira connections: managed by workspace admins through the services; the token is write-only and the
webhook secret shown once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from workspaces.admin_scoping import ReadOnlyTabularInline, WorkspaceScopedAdmin, adopt, changed_values
from workspaces.models import Role

from ..api.serializers import webhook_url
from ..models import JiraConnection, ProjectMapping
from ..services import connections as connection_services
from .base import AUDIT_FIELDS

CONNECTION_EDITABLE = ("site_url", "deployment", "email", "conflict_policy", "is_enabled")


class JiraConnectionForm(forms.ModelForm):
    site_url = forms.URLField(max_length=300, assume_scheme="https", help_text="https://your-site.atlassian.net")
    replace_token = forms.CharField(
        label="Replace token",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Cloud: the API token of the integration account; Data Center: a personal access token. "
        "Never shown; leave empty to keep the stored one.",
    )

    class Meta:
        model = JiraConnection
        fields = ["workspace", *CONNECTION_EDITABLE]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is None and not cleaned.get("replace_token"):
            self.add_error("replace_token", "Enter the API token (Cloud) or personal access token (Data Center).")
        return cleaned


class MappingSummaryInline(ReadOnlyTabularInline):
    model = ProjectMapping
    fields = ("product", "jira_project_key", "watermark", "imported_at", "last_full_sync_at")
    readonly_fields = fields
    verbose_name_plural = "Project mappings"


@admin.register(JiraConnection)
class JiraConnectionAdmin(WorkspaceScopedAdmin):
    form = JiraConnectionForm
    workspace_path = "workspace"
    min_write_role = Role.ADMIN
    list_display = ("site_url", "workspace", "deployment", "conflict_policy", "is_enabled", "last_test", "updated_at")
    list_filter = ("deployment", "conflict_policy", "is_enabled", "last_test_ok")
    list_select_related = ("workspace",)
    search_fields = ("site_url", "email", "workspace__name", "account_id")
    autocomplete_fields = ("workspace",)
    fieldsets = (
        (None, {"fields": ("workspace", "site_url", "deployment", "email", "replace_token", "has_token")}),
        ("Sync", {"fields": ("conflict_policy", "is_enabled", "webhook", "account_id", "time_zone")}),
        ("Last test", {"fields": ("last_test_at", "last_test_ok", "last_test_message")}),
        ("Record", {"fields": AUDIT_FIELDS}),
    )
    readonly_fields = (
        "has_token",
        "webhook",
        "account_id",
        "time_zone",
        "last_test_at",
        "last_test_ok",
        "last_test_message",
        *AUDIT_FIELDS,
    )
    inlines = (MappingSummaryInline,)
    actions = ("test_connections", "rotate_webhook_secrets")

    def get_readonly_fields(self, request: HttpRequest, obj: JiraConnection | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("workspace", *self.readonly_fields)

    @admin.display(description="Token", boolean=True)
    def has_token(self, obj: JiraConnection) -> bool:
        return bool(obj.token_encrypted)

    @admin.display(description="Webhook URL")
    def webhook(self, obj: JiraConnection) -> str:
        return webhook_url(obj) if obj.pk else "—"

    @admin.display(description="Last test", ordering="last_test_at")
    def last_test(self, obj: JiraConnection) -> str:
        if obj.last_test_at is None:
            return "never"
        return ("OK" if obj.last_test_ok else "failed") + f" — {obj.last_test_message[:80]}"

    def save_model(self, request: HttpRequest, obj: JiraConnection, form: ModelForm, change: bool) -> None:
        token = form.cleaned_data.get("replace_token") or None
        if change:
            updated = connection_services.connection_update(
                connection=obj, actor=request.user, token=token, **changed_values(form, CONNECTION_EDITABLE)
            )
            adopt(obj, updated)
            return
        data = form.cleaned_data
        created, secret = connection_services.connection_create(
            workspace=data["workspace"],
            actor=request.user,
            site_url=data["site_url"],
            deployment=data["deployment"],
            email=data.get("email", ""),
            token=token or "",
            conflict_policy=data["conflict_policy"],
        )
        if not data.get("is_enabled", True):
            created = connection_services.connection_update(connection=created, actor=request.user, is_enabled=False)
        adopt(obj, created)
        self.message_user(
            request,
            f"The webhook secret, shown this once — enter it in Jira's webhook with the URL {webhook_url(created)}: "
            f"{secret}",
            messages.WARNING,
        )

    @admin.action(description="Test the selected connections (in words)", permissions=["change"])
    def test_connections(self, request: HttpRequest, queryset: QuerySet[JiraConnection]) -> None:
        for connection in queryset.order_by("pk"):
            if not self.can_write(request, connection):
                self.message_user(request, f"You cannot test {connection}.", messages.ERROR)
                continue
            report = connection_services.connection_test(connection=connection)
            level = messages.SUCCESS if report.ok else messages.ERROR
            self.message_user(request, f"{connection}: {connection.last_test_message}", level)

    @admin.action(description="Rotate the webhook secret (shown once)", permissions=["change"])
    def rotate_webhook_secrets(self, request: HttpRequest, queryset: QuerySet[JiraConnection]) -> None:
        for connection in queryset.order_by("pk"):
            if not self.can_write(request, connection):
                self.message_user(request, f"You cannot change {connection}.", messages.ERROR)
                continue
            secret = connection_services.connection_rotate_webhook_secret(connection=connection, actor=request.user)
            self.message_user(
                request, f"{connection}: the new webhook secret, shown this once: {secret}", messages.WARNING
            )
