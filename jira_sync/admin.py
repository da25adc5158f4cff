"""Jira sync in the admin, scoped to the staff user's workspaces (workspaces/admin_scoping.py).

Connections are managed by workspace admins through the services: the token is write-only ("replace
token", never rendered), the webhook secret shown once when made or rotated. Mappings are made in the
UI or the API (which ask Jira what the project offers); here their issue types and fields (checked
against the project again by mapping_update), field directions and status rows change, and deleting one
disconnects the project through mapping_delete (items kept, links archived). Links, the push outbox,
webhook events, runs with their item errors, and conflicts are records of the sync: shown, never edited
— a conflict is resolved by picking a side (an action).
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.html import format_html

from core.errors import ApplicationError
from workspaces.admin_scoping import (
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    WorkspaceScopedAdmin,
    WorkspaceScopedMixin,
    adopt,
    changed_values,
    formset_save_via,
    pretty_json,
)
from workspaces.models import Role

from .api.serializers import webhook_url
from .jira import JiraError
from .models import (
    FIELDS,
    Conflict,
    IssueLink,
    JiraConnection,
    JiraWebhookEvent,
    ProjectMapping,
    PushIntent,
    StatusMapping,
    SyncItemError,
    SyncRun,
)
from .services import connections as connection_services
from .services.mappings import (
    CHOICE_FIELDS,
    mapping_delete,
    mapping_set_directions,
    mapping_update,
    status_mapping_set,
    validate_directions,
)
from .services.merge import conflict_resolve

RELATED_ONLY = admin.RelatedOnlyFieldListFilter
AUDIT_FIELDS = ("created_at", "updated_at")
CONNECTION_EDITABLE = ("site_url", "deployment", "email", "conflict_policy", "is_enabled")


def _item_label(row: Any) -> str:
    item = row.item
    return f"{row.kind} {item.key} {item.title}" if item is not None else "—"


class ItemSelectMixin:
    """Rows that point at an epic, feature or story: their labels need the item and its product."""

    item_select = ("epic__product", "feature__product", "story__product")


# --- connections ------------------------------------------------------------------------------------


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


# --- mappings ---------------------------------------------------------------------------------------


class DirectionsField(forms.JSONField):
    def clean(self, value: Any) -> Any:
        value = super().clean(value) or {}
        if not isinstance(value, dict):
            raise ValidationError("Give an object: field → two_way / to_jira / from_jira / set_once.")
        try:
            return validate_directions(value)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict.get("directions", exc.messages)) from exc


class ProjectMappingForm(forms.ModelForm):
    directions = DirectionsField(
        required=False,
        help_text='For example {"description": "to_jira"}; fields left out are two-way (the assignee from Jira).',
    )

    class Meta:
        model = ProjectMapping
        fields = [*CHOICE_FIELDS, "directions"]
        help_texts = {
            "epic_type_id": "Jira issue type id of our epics; checked against the project when saved.",
            "story_points_field_id": "Custom field id (e.g. customfield_10016); blank: points not synced.",
        }


class StatusMappingInline(WorkspaceScopedMixin, admin.TabularInline):
    model = StatusMapping
    fields = ("jira_status_id", "jira_status_name", "jira_category", "workflow_status")
    readonly_fields = ("jira_status_id", "jira_status_name", "jira_category")
    product_prefixed_fields = ("workflow_status",)
    min_write_role = Role.ADMIN
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the statuses are the Jira project's: they come with the mapping

    def get_formset(self, request: HttpRequest, obj: ProjectMapping | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("workflow_status")
        if field is not None and obj is not None:
            field.queryset = field.queryset.filter(product_id=obj.product_id)
        return formset


@admin.register(ProjectMapping)
class ProjectMappingAdmin(WorkspaceScopedAdmin):
    """Made in the UI or the API (which read the project's types, statuses and fields from Jira)."""

    form = ProjectMappingForm
    min_write_role = Role.ADMIN
    list_display = ("product", "jira_project_key", "connection", "watermark", "imported_at", "last_full_sync_at")
    list_filter = (("connection", RELATED_ONLY), ("product", RELATED_ONLY))
    list_select_related = ("product", "connection")
    search_fields = ("jira_project_key", "=jira_project_id", "product__name", "product__key")
    fieldsets = (
        (None, {"fields": ("connection", "product", "jira_project_key", "jira_project_id")}),
        (
            "Issue types and fields",
            {
                "fields": (
                    ("epic_type_id", "epic_level"),
                    ("feature_type_id", "feature_level"),
                    ("story_type_id", "story_level"),
                    "story_points_field_id",
                    "epic_link_field_id",
                    "parent_link_field_id",
                    "epic_name_field_id",
                )
            },
        ),
        ("Directions", {"fields": ("directions", "effective_directions")}),
        ("Sync", {"fields": ("watermark", "imported_at", "last_full_sync_at", "lease_until", *AUDIT_FIELDS)}),
    )
    readonly_fields = (
        "connection",
        "product",
        "jira_project_key",
        "jira_project_id",
        "epic_level",
        "feature_level",
        "story_level",
        "effective_directions",
        "watermark",
        "imported_at",
        "last_full_sync_at",
        "lease_until",
        *AUDIT_FIELDS,
    )
    inlines = (StatusMappingInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a mapping needs what the Jira project offers: map it in the UI or the API

    @admin.display(description="In effect")
    def effective_directions(self, obj: ProjectMapping) -> str:
        return pretty_json({name: obj.direction(name) for name in FIELDS})

    def save_model(self, request: HttpRequest, obj: ProjectMapping, form: ModelForm, change: bool) -> None:
        # The form wrote its values onto `obj`: the services compare with the row as stored.
        stored = ProjectMapping.objects.get(pk=obj.pk)
        choices = changed_values(form, CHOICE_FIELDS)
        if choices:
            try:
                stored = mapping_update(mapping=stored, actor=request.user, **choices)
            except JiraError as exc:  # a refusal in words (the admin's change view shows it and rolls back)
                raise ValidationError(f"Jira could not tell what project {obj.jira_project_key} offers: {exc}") from exc
        if "directions" in form.changed_data:
            stored = mapping_set_directions(
                mapping=stored, actor=request.user, directions=form.cleaned_data["directions"]
            )
        adopt(obj, stored)

    # Deleting disconnects the project (mapping_delete): our items stay, links are archived for a reconnect,
    # pending pushes are dropped. Refused while a sync runs (an error message, nothing deleted).
    def delete_model(self, request: HttpRequest, obj: ProjectMapping) -> None:
        mapping_delete(mapping=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProjectMapping]) -> None:
        for mapping in queryset.order_by("pk"):
            mapping_delete(mapping=mapping, actor=request.user)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list[str], dict[str, int], set, list]:
        """What the confirmation page lists: a disconnect, not a cascade (its status rows are the mapping's own;
        links and runs are kept)."""
        lines = [
            f"{mapping}: the Jira project is disconnected and its status map removed; the product's epics, features "
            "and stories stay as they are, their links are kept archived, pending pushes are dropped"
            for mapping in objs
        ]
        return lines, {ProjectMapping._meta.verbose_name_plural: len(lines)}, set(), []

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        mapping = form.instance
        formset_save_via(
            formset,
            create=lambda f: None,  # no adds (has_add_permission)
            update=lambda f: status_mapping_set(
                mapping=mapping,
                jira_status_id=f.instance.jira_status_id,
                workflow_status=f.cleaned_data["workflow_status"],
            ),
        )


@admin.register(StatusMapping)
class StatusMappingAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Changed inside their mapping (where the choices are the mapped product's statuses)."""

    workspace_path = "mapping__product__workspace"
    list_display = ("jira_status_name", "jira_status_id", "jira_category", "workflow_status", "mapping")
    list_filter = ("jira_category", ("mapping", RELATED_ONLY))
    list_select_related = ("workflow_status", "mapping")
    search_fields = ("jira_status_name", "=jira_status_id", "mapping__jira_project_key")
    fields = ("mapping", "jira_status_id", "jira_status_name", "jira_category", "workflow_status")
    readonly_fields = fields


# --- links, outbox, webhook events ------------------------------------------------------------------------


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
        return _item_label(obj)

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
        return _item_label(obj)

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


# --- runs and conflicts ------------------------------------------------------------------------------------


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
        return _item_label(obj.link)

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
