"""The inlines of PRD and decision record pages: sections, requirements, versions, options, participants,
sign-offs and their events."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from workspaces.admin_scoping import ReadOnlyTabularInline, WorkspaceScopedMixin, short_hash

from ..models import (
    DecisionOption,
    DecisionParticipant,
    DecisionRecord,
    PRDSection,
    PRDVersion,
    Requirement,
    SignOff,
    SignOffEvent,
)


class PRDSectionInline(WorkspaceScopedMixin, admin.StackedInline):
    """Saved all together through prd_update, which publishes a version when the text changed."""

    model = PRDSection
    extra = 0
    fields = (("kind", "position"), "title", "body")


class RequirementInline(WorkspaceScopedMixin, admin.TabularInline):
    """Added, changed and removed through the requirement services (REQ keys, versions, review flags)."""

    model = Requirement
    fk_name = "prd"
    extra = 0
    show_change_link = True
    fields = ("key", "title", "priority", "position")
    readonly_fields = ("key", "position")

    @admin.display(description="Key")
    def key(self, obj: Requirement) -> str:
        return obj.key if obj.pk else ""


class PRDVersionInline(ReadOnlyTabularInline):
    model = PRDVersion
    fields = ("number", "hash", "change_note", "created_by", "created_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PRDVersion]:
        return super().get_queryset(request).select_related("created_by").defer("content")

    @admin.display(description="Content hash")
    def hash(self, obj: PRDVersion) -> str:
        return short_hash(obj.content_hash)


class SignOffInline(ReadOnlyTabularInline):
    model = SignOff
    fields = ("approver", "role", "state", "version", "hash", "requested_by", "decided_at", "comment")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SignOff]:
        return super().get_queryset(request).select_related("approver", "requested_by", "prd_version")

    @admin.display(description="Version")
    def version(self, obj: SignOff) -> str:
        return f"v{obj.prd_version.number}" if obj.prd_version_id else "—"

    @admin.display(description="Content hash")
    def hash(self, obj: SignOff) -> str:
        return short_hash(obj.content_hash)


class PRDSignOffInline(SignOffInline):
    fk_name = "prd"


class DecisionSignOffInline(SignOffInline):
    fk_name = "decision"
    fields = ("approver", "role", "state", "hash", "requested_by", "decided_at", "comment")
    readonly_fields = fields


class DecisionOptionInline(WorkspaceScopedMixin, admin.StackedInline):
    """Through the option services: refused once the record is frozen, and a change restarts review."""

    model = DecisionOption
    extra = 0
    fields = (("title", "position"), "description", ("pros", "cons"), ("cost", "risk"))
    readonly_fields = ("position",)

    def _record_open(self, obj: DecisionRecord | None) -> bool:
        return obj is None or not obj.is_frozen

    def has_add_permission(self, request: HttpRequest, obj: DecisionRecord | None = None) -> bool:
        return self._record_open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: DecisionRecord | None = None) -> bool:
        return self._record_open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: DecisionRecord | None = None) -> bool:
        return self._record_open(obj) and super().has_delete_permission(request, obj)


class DecisionParticipantInline(WorkspaceScopedMixin, admin.TabularInline):
    model = DecisionParticipant
    extra = 0
    fields = ("user", "part")


class SignOffEventInline(ReadOnlyTabularInline):
    model = SignOffEvent
    show_change_link = False
    fields = ("at", "kind", "actor", "role", "hash", "comment")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[SignOffEvent]:
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="Content hash")
    def hash(self, obj: SignOffEvent) -> str:
        return short_hash(obj.content_hash)
