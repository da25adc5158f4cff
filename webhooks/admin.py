"""Webhooks in the admin: endpoints are managed by workspace admins through the services; the outbox,
deliveries and attempts are read-only records of what was sent."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from core.errors import ApplicationError
from workspaces.admin_scoping import (
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    WorkspaceScopedAdmin,
    adopt,
    changed_values,
    pretty_json,
)
from workspaces.models import Role

from . import services, transport
from .models import SUBSCRIBABLE_KINDS, EventKind, OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint

RELATED_ONLY = admin.RelatedOnlyFieldListFilter


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(kind, EventKind(kind).label) for kind in SUBSCRIBABLE_KINDS], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["workspace", "url", "description", "events", "is_active"]

    def clean_url(self) -> str:
        try:
            return transport.validate_url(self.cleaned_data["url"])
        except ApplicationError as exc:
            raise ValidationError(exc.message) from exc


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(WorkspaceScopedAdmin):
    form = WebhookEndpointForm
    workspace_path = "workspace"
    min_write_role = Role.ADMIN
    list_display = ("url", "workspace", "is_active", "event_list", "created_by", "created_at")
    list_filter = ("is_active", ("workspace", RELATED_ONLY))
    list_select_related = ("workspace", "created_by")
    search_fields = ("url", "description", "workspace__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("workspace",)
    fields = ("workspace", "url", "description", "events", "is_active", "created_by", "created_at", "updated_at")
    readonly_fields = ("created_by", "created_at", "updated_at")
    actions = ("ping",)

    def get_readonly_fields(self, request: HttpRequest, obj: WebhookEndpoint | None = None) -> tuple[str, ...]:
        if obj is None:
            return tuple(self.readonly_fields)
        return ("workspace", *self.readonly_fields)

    @admin.display(description="Events")
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events or [])

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: ModelForm, change: bool) -> None:
        if change:
            services.endpoint_update(
                endpoint=obj, actor=request.user, **changed_values(form, services.ENDPOINT_EDITABLE_FIELDS)
            )
            return
        created, secret = services.endpoint_create(
            workspace=obj.workspace,
            actor=request.user,
            url=obj.url,
            events=obj.events,
            description=obj.description,
            is_active=obj.is_active,
        )
        adopt(obj, created)
        self.message_user(
            request, f"The signing secret, shown this once — keep it to verify deliveries: {secret}", messages.WARNING
        )

    def delete_model(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        services.endpoint_delete(endpoint=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        for endpoint in queryset.order_by("pk"):
            services.endpoint_delete(endpoint=endpoint, actor=request.user)

    @admin.action(description="Send a ping to the selected endpoints", permissions=["change"])
    def ping(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        endpoints = [endpoint for endpoint in queryset.order_by("pk") if self.can_write(request, endpoint)]
        for endpoint in endpoints:
            services.endpoint_ping(endpoint=endpoint, actor=request.user)
        self.message_user(request, f"Queued a ping to {len(endpoints)} endpoint(s).", messages.SUCCESS)


class WebhookAttemptInline(ReadOnlyTabularInline):
    model = WebhookAttempt
    fields = ("number", "at", "status_code", "duration_ms", "error", "response_excerpt")
    readonly_fields = fields
    show_change_link = False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    workspace_path = "endpoint__workspace"
    list_display = (
        "event_kind",
        "endpoint",
        "state",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("state", "event__kind", ("endpoint", RELATED_ONLY))
    list_select_related = ("endpoint", "event")
    search_fields = ("endpoint__url", "uuid", "event__uuid")
    date_hierarchy = "created_at"
    fields = (
        "uuid",
        "endpoint",
        "event",
        "state",
        "attempt_count",
        "attempt_limit",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "completed_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (WebhookAttemptInline,)

    @admin.display(description="Event", ordering="event__kind")
    def event_kind(self, obj: WebhookDelivery) -> str:
        return obj.event.kind


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    workspace_path = "workspace"
    list_display = ("kind", "workspace", "created_at", "dispatched_at")
    list_filter = ("kind", ("dispatched_at", admin.EmptyFieldListFilter), ("workspace", RELATED_ONLY))
    list_select_related = ("workspace",)
    search_fields = ("uuid",)
    date_hierarchy = "created_at"
    fields = ("uuid", "workspace", "kind", "payload_json", "created_at", "dispatched_at")
    readonly_fields = fields

    @admin.display(description="Payload")
    def payload_json(self, obj: OutboxEvent) -> str:
        return pretty_json(obj.payload)
