"""Records of the sync, shown and never edited: issue links, the push outbox, received webhook events."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from workspaces.admin_scoping import ReadOnlyAdminMixin, ReadOnlyTabularInline, WorkspaceScopedAdmin, pretty_json

from ..models import Conflict, IssueLink, JiraWebhookEvent, PushIntent
from .base import RELATED_ONLY, ItemSelectMixin, item_label


class ConflictInline(ReadOnlyTabularInline):
    model = Conflict
    fields = ("field", "status", "resolution", "detected_at", "resolved_at")
    readonly_fields = fields


class ArchivedFilter(admin.SimpleListFilter):
    title = "archived"
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Archived"), ("no", "Live")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(archived_at__isnull=self.value() == "no")
        return queryset


@admin.register(IssueLink)
class IssueLinkAdmin(ItemSelectMixin, ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Which Jira issue each item is (identity: the issue id; the key is only shown)."""

    workspace_path = "connection__workspace"
    list_display = ("jira_key", "jira_issue_id", "item_label", "mapping", "synced_at", "jira_updated", "archived_at")
    list_filter = (ArchivedFilter, "archived_reason", ("mapping", RELATED_ONLY))
    search_fields = ("jira_key", "=jira_issue_id", "epic__title", "feature__title", "story__title")
    date_hierarchy = "synced_at"
    fields = (
        "connection",
        "mapping",
        "jira_issue_id",
        "jira_key",
        "epic",
        "feature",
        "story",
        "base_json",
        "jira_updated",
        "synced_at",
        "archived_at",
        "archived_reason",
        "remote_link_id",
    )
    readonly_fields = fields
    inlines = (ConflictInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[IssueLink]:
        return super().get_queryset(request).select_related("mapping", *self.item_select)

    @admin.display(description="Item")
    def item_label(self, obj: IssueLink) -> str:
        return item_label(obj)

    @admin.display(description="Merge base (as of the last sync)")
    def base_json(self, obj: IssueLink) -> str:
        return pretty_json(obj.base)


class PendingFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("pending", "Pending"), ("failed", "Given up"), ("done", "Done")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[PushIntent]) -> QuerySet[PushIntent]:
        if self.value() == "pending":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "failed":
            return queryset.filter(done_at__isnull=False).exclude(last_error="")
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False, last_error="")
        return queryset


@admin.register(PushIntent)
class PushIntentAdmin(ItemSelectMixin, ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """The push outbox: written with each change here, drained by push_item / push_sweep."""

    workspace_path = "connection__workspace"
    list_display = ("item_label", "field_list", "attempts", "next_attempt_at", "done_at", "short_error", "created_at")
    list_filter = (PendingFilter, "create_uncertain")
    search_fields = ("epic__title", "feature__title", "story__title", "last_error")
    date_hierarchy = "created_at"
    fields = (
        "connection",
        "epic",
        "feature",
        "story",
        "fields",
        "version",
        "attempts",
        "next_attempt_at",
        "create_uncertain",
        "done_at",
        "last_error",
        "created_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PushIntent]:
        return super().get_queryset(request).select_related(*self.item_select)

    @admin.display(description="Item")
    def item_label(self, obj: PushIntent) -> str:
        return item_label(obj)

    @admin.display(description="Fields")
    def field_list(self, obj: PushIntent) -> str:
        return ", ".join(obj.fields or [])

    @admin.display(description="Last error")
    def short_error(self, obj: PushIntent) -> str:
        return obj.last_error[:100]


class ProcessedFilter(admin.SimpleListFilter):
    title = "processed"
    parameter_name = "processed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Processed"), ("no", "Waiting"), ("error", "With an error")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(processed_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(processed_at__isnull=True)
        if self.value() == "error":
            return queryset.exclude(error="")
        return queryset


@admin.register(JiraWebhookEvent)
class JiraWebhookEventAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Webhook deliveries from Jira, stored before processing (signature already checked)."""

    workspace_path = "connection__workspace"
    list_display = ("received_at", "event", "issue_id", "outcome", "processed_at", "short_error", "connection")
    list_filter = (ProcessedFilter, "event", "outcome")
    list_select_related = ("connection",)
    search_fields = ("=issue_id", "=identifier", "event", "error")
    date_hierarchy = "received_at"
    fields = (
        "connection",
        "identifier",
        "event",
        "issue_id",
        "user_account_id",
        "received_at",
        "processed_at",
        "outcome",
        "error",
        "payload_json",
    )
    readonly_fields = fields

    @admin.display(description="Payload (as received)")
    def payload_json(self, obj: JiraWebhookEvent) -> str:
        return pretty_json(obj.payload)

    @admin.display(description="Error")
    def short_error(self, obj: JiraWebhookEvent) -> str:
        return obj.error[:100]
