"""Comments and notifications: written by services (mentions, notification fan-out); the admin reads and removes."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from workspaces.admin_scoping import WorkspaceScopedAdmin

from .models import Comment, Notification

RELATED_ONLY = admin.RelatedOnlyFieldListFilter


class NoWritesMixin:
    """Shown and deletable (moderation, clean-up), never added or edited: services own their side effects."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Comment | Notification | None = None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(NoWritesMixin, WorkspaceScopedAdmin):
    workspace_path = "workspace"
    list_display = ("short_body", "author", "workspace", "content_type", "object_id", "created_at")
    list_filter = (("workspace", RELATED_ONLY), ("content_type", RELATED_ONLY), ("author", RELATED_ONLY))
    list_select_related = ("author", "workspace", "content_type")
    search_fields = ("body", "author__username", "author__last_name")
    date_hierarchy = "created_at"
    fields = ("workspace", "content_type", "object_id", "author", "body", "mentions", "created_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="Comment")
    def short_body(self, obj: Comment) -> str:
        return obj.body if len(obj.body) <= 80 else f"{obj.body[:79]}…"


@admin.register(Notification)
class NotificationAdmin(NoWritesMixin, WorkspaceScopedAdmin):
    workspace_path = "workspace"
    list_display = ("recipient", "kind", "message", "workspace", "actor", "created_at", "is_read", "emailed_at")
    list_filter = (
        "kind",
        ("read_at", admin.EmptyFieldListFilter),
        ("emailed_at", admin.EmptyFieldListFilter),
        ("workspace", RELATED_ONLY),
        ("recipient", RELATED_ONLY),
    )
    list_select_related = ("recipient", "actor", "workspace")
    search_fields = ("message", "recipient__username", "recipient__email")
    date_hierarchy = "created_at"
    fields = (
        "workspace",
        "recipient",
        "actor",
        "kind",
        "message",
        "content_type",
        "object_id",
        "created_at",
        "read_at",
        "emailed_at",
    )
    readonly_fields = fields

    @admin.display(description="Read", boolean=True)
    def is_read(self, obj: Notification) -> bool:
        return obj.is_read
