"""Sync runs with their item errors, and conflicts (resolved by picking a side, an action)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from core.errors import ApplicationError
from workspaces.admin_scoping import ReadOnlyAdminMixin, ReadOnlyTabularInline, WorkspaceScopedAdmin, pretty_json
from workspaces.models import Role

from ..models import Conflict, SyncItemError, SyncRun
from ..services.merge import conflict_resolve
from .base import RELATED_ONLY, item_label


class SyncItemErrorInline(ReadOnlyTabularInline):
    model = SyncItemError
    fields = ("at", "jira_key", "jira_issue_id", "item_label", "message")
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = "Item errors (in Jira's words)"


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    workspace_path = "connection__workspace"
    list_display = (
        "started_at",
        "kind",
        "status",
        "mapping",
        "pages",
        "created",
        "updated",
        "archived",
        "pushed",
        "conflicts",
        "errors",
        "finished_at",
    )
    list_filter = ("kind", "status", ("connection", RELATED_ONLY), ("mapping", RELATED_ONLY))
    list_select_related = ("mapping", "connection")
    search_fields = ("message",)
    date_hierarchy = "started_at"
    fields = (
        "connection",
        "mapping",
        "kind",
        "status",
        "started_at",
        "finished_at",
        ("pages", "seen", "total_estimate"),
        ("created", "updated", "archived", "pushed", "conflicts", "errors"),
        "message",
        "plan_json",
    )
    readonly_fields = (
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
        "plan_json",
    )
    inlines = (SyncItemErrorInline,)

    @admin.display(description="Dry-run plan")
    def plan_json(self, obj: SyncRun) -> str:
        return pretty_json(obj.plan) if obj.plan is not None else "—"


@admin.register(SyncItemError)
class SyncItemErrorAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    workspace_path = "run__connection__workspace"
    list_display = ("at", "jira_key", "item_label", "short_message", "run")
    list_filter = ("run__kind",)
    list_select_related = ("run",)
    search_fields = ("jira_key", "=jira_issue_id", "item_label", "message")
    date_hierarchy = "at"
    fields = ("run", "jira_issue_id", "jira_key", "item_label", "message", "at")
    readonly_fields = fields

    @admin.display(description="Message")
    def short_message(self, obj: SyncItemError) -> str:
        return obj.message[:120]


@admin.register(Conflict)
class ConflictAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Shown, never edited: an editor picks a side with an action (the base moves, a push is queued)."""

    workspace_path = "link__connection__workspace"
    min_write_role = Role.EDITOR
    list_display = ("detected_at", "jira_key", "item_label", "field", "status", "resolution", "resolved_by")
    list_filter = ("status", "resolution", "field")
    list_select_related = (
        "link",
        "resolved_by",
        "link__epic__product",
        "link__feature__product",
        "link__story__product",
    )
    search_fields = ("link__jira_key", "field", "link__story__title", "link__epic__title", "link__feature__title")
    date_hierarchy = "detected_at"
    fields = (
        "link",
        "field",
        "base_value",
        "ours_value",
        "theirs_value",
        "status",
        "resolution",
        "resolved_by",
        "resolved_at",
        "detected_at",
    )
    readonly_fields = fields
    actions = ("keep_jira", "keep_workspace")

    @admin.display(description="Jira key", ordering="link__jira_key")
    def jira_key(self, obj: Conflict) -> str:
        return obj.link.jira_key

    @admin.display(description="Item")
    def item_label(self, obj: Conflict) -> str:
        return item_label(obj.link)

    @staticmethod
    def _value(value: Any) -> str:
        return format_html("<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, default=str))

    @admin.display(description="Base (last agreed)")
    def base_value(self, obj: Conflict) -> str:
        return self._value(obj.base)

    @admin.display(description="Ours (workspace)")
    def ours_value(self, obj: Conflict) -> str:
        return self._value(obj.ours)

    @admin.display(description="Theirs (Jira)")
    def theirs_value(self, obj: Conflict) -> str:
        return self._value(obj.theirs)

    def has_resolve_permission(self, request: HttpRequest, obj: Conflict | None = None) -> bool:
        return WorkspaceScopedAdmin.has_change_permission(self, request, obj)

    def _resolve(self, request: HttpRequest, queryset: QuerySet[Conflict], side: str) -> None:
        resolved = 0
        for conflict in queryset.filter(status=Conflict.Status.OPEN).select_related("link__connection"):
            if not self.has_resolve_permission(request, conflict):
                self.message_user(request, f"You cannot resolve {conflict}.", messages.ERROR)
                continue
            try:
                conflict_resolve(conflict_id=conflict.pk, side=side, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{conflict}: {exc.message}", messages.ERROR)
            else:
                resolved += 1
        self.message_user(request, f"Resolved {resolved} conflict(s).", messages.SUCCESS)

    @admin.action(description="Resolve: keep Jira's value", permissions=["resolve"])
    def keep_jira(self, request: HttpRequest, queryset: QuerySet[Conflict]) -> None:
        self._resolve(request, queryset, Conflict.Side.JIRA)

    @admin.action(description="Resolve: keep the workspace's value (pushed to Jira)", permissions=["resolve"])
    def keep_workspace(self, request: HttpRequest, queryset: QuerySet[Conflict]) -> None:
        self._resolve(request, queryset, Conflict.Side.WORKSPACE)
