"""Sign-offs (shown; answered by the person asked), their events, and review flags (cleared by an action)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from core.errors import ApplicationError
from workspaces.admin_scoping import ReadOnlyAdminMixin, WorkspaceScopedAdmin, short_hash

from .. import services
from ..models import ReviewFlag, SignOff, SignOffEvent
from .forms import AUDIT_FIELDS, EDIT_NOTE, RELATED_ONLY
from .inlines import SignOffEventInline
from .signoff_views import AddressedToMeFilter, SignOffAnswerMixin


@admin.register(SignOff)
class SignOffAdmin(SignOffAnswerMixin, ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Requests, approvals and rejections happen through decisions.services, which also writes the events.

    Never edited here; the person asked answers on the change page (signoff_views.SignOffAnswerMixin).
    """

    workspace_path = ("prd__product__workspace", "decision__product__workspace")
    list_display = (
        "approver",
        "document",
        "role",
        "state",
        "waiting",
        "hash",
        "requested_by",
        "decided_at",
        "created_at",
    )
    list_filter = (
        AddressedToMeFilter,
        "state",
        "role",
        ("approver", RELATED_ONLY),
        ("prd__product", RELATED_ONLY),
        ("decision__product", RELATED_ONLY),
    )
    list_select_related = ("approver", "requested_by", "prd", "decision")
    search_fields = ("approver__username", "approver__last_name", "prd__title", "decision__title", "=content_hash")
    date_hierarchy = "created_at"
    fields = (
        "prd",
        "prd_version",
        "decision",
        "approver",
        "role",
        "state",
        "content_hash",
        "comment",
        "requested_by",
        "decided_at",
        "emailed_at",
        *AUDIT_FIELDS,
    )
    readonly_fields = fields
    inlines = (SignOffEventInline,)
    actions = ("approve_mine",)

    @admin.display(description="Document")
    def document(self, obj: SignOff) -> str:
        return str(obj.document)

    @admin.display(description="Waiting", ordering="created_at")
    def waiting(self, obj: SignOff) -> str:
        """How long a pending sign-off has waited for its answer, in days."""
        if obj.state != SignOff.State.PENDING:
            return "—"
        days = (timezone.now() - obj.created_at).days
        return "since today" if days == 0 else f"{days} day{'s' if days != 1 else ''}"

    @admin.display(description="Content hash")
    def hash(self, obj: SignOff) -> str:
        return short_hash(obj.content_hash)


@admin.register(SignOffEvent)
class SignOffEventAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """The audit trail: append-only."""

    workspace_path = ("signoff__prd__product__workspace", "signoff__decision__product__workspace")
    list_display = ("at", "kind", "signoff", "actor", "role", "hash")
    list_filter = ("kind", "role", ("actor", RELATED_ONLY))
    list_select_related = ("signoff__approver", "signoff__prd", "signoff__decision", "actor")
    search_fields = (
        "actor__username",
        "signoff__prd__title",
        "signoff__decision__title",
        "comment",
        "=content_hash",
    )
    date_hierarchy = "at"
    fields = ("signoff", "kind", "actor", "role", "comment", "content_hash", "at")
    readonly_fields = fields

    @admin.display(description="Content hash")
    def hash(self, obj: SignOffEvent) -> str:
        return short_hash(obj.content_hash)


class OpenFlagFilter(admin.SimpleListFilter):
    title = "open"
    parameter_name = "open"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Open"), ("no", "Cleared")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[ReviewFlag]) -> QuerySet[ReviewFlag]:
        if self.value() == "yes":
            return queryset.filter(cleared_at__isnull=True)
        if self.value() == "no":
            return queryset.filter(cleared_at__isnull=False)
        return queryset


@admin.register(ReviewFlag)
class ReviewFlagAdmin(WorkspaceScopedAdmin):
    """Raised and cleared by services when a requirement or decision changes; shown here, never edited."""

    list_display = (
        "target_display",
        "product",
        "reason",
        "requirement",
        "decision",
        "raised_by",
        "is_open",
        "created_at",
    )
    list_filter = (OpenFlagFilter, ("product", RELATED_ONLY))
    # The row's own __str__ (used by the changelist's checkbox label) names the item by its key.
    list_select_related = (
        "product",
        "epic__product",
        "feature__product",
        "story__product",
        "roadmap_item",
        "requirement",
        "decision",
        "raised_by",
    )
    search_fields = ("reason", "epic__title", "feature__title", "story__title", "roadmap_item__title")
    date_hierarchy = "created_at"
    fields = (
        "product",
        "epic",
        "feature",
        "story",
        "roadmap_item",
        "requirement",
        "decision",
        "reason",
        "raised_by",
        "cleared_at",
        "cleared_by",
        "clear_note",
        *AUDIT_FIELDS,
    )
    readonly_fields = fields
    actions = ("clear_flags",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ReviewFlag | None = None) -> bool:
        return False

    def has_clear_permission(self, request: HttpRequest, obj: ReviewFlag | None = None) -> bool:
        # Clearing is the one write on a flag: it needs the model's change permission and a writing role.
        return WorkspaceScopedAdmin.has_change_permission(self, request, obj)

    @admin.action(description="Clear the selected flags (reviewed, nothing to change)", permissions=["clear"])
    def clear_flags(self, request: HttpRequest, queryset: QuerySet[ReviewFlag]) -> None:
        cleared = 0
        for flag in queryset.filter(cleared_at__isnull=True):
            if not self.has_clear_permission(request, flag):
                self.message_user(request, f"You cannot clear “{flag.reason}”.", messages.ERROR)
                continue
            try:
                services.review_flag_clear(flag=flag, actor=request.user, note=EDIT_NOTE)
            except (ApplicationError, ValidationError) as exc:
                self.message_user(request, str(getattr(exc, "message", exc)), messages.ERROR)
            else:
                cleared += 1
        if cleared:
            self.message_user(request, f"Cleared {cleared} flag(s).", messages.SUCCESS)

    @admin.display(description="Item")
    def target_display(self, obj: ReviewFlag) -> str:
        if obj.roadmap_item_id:
            return obj.roadmap_item.title
        item = obj.epic or obj.feature or obj.story
        # Same product as the flag, so its key needs no extra query.
        return f"{obj.product.key}-{item.number} {item.title}" if item else "—"

    @admin.display(description="Open", boolean=True)
    def is_open(self, obj: ReviewFlag) -> bool:
        return obj.is_open
