"""Project mappings (issue types, fields and directions checked against the project by mapping_update;
deleting one disconnects the project) and their status rows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from workspaces.admin_scoping import (
    ReadOnlyAdminMixin,
    WorkspaceScopedAdmin,
    WorkspaceScopedMixin,
    adopt,
    changed_values,
    formset_save_via,
    pretty_json,
)
from workspaces.models import Role

from ..jira import JiraError
from ..models import FIELDS, ProjectMapping, StatusMapping
from ..services.mappings import (
    CHOICE_FIELDS,
    mapping_delete,
    mapping_set_directions,
    mapping_update,
    status_mapping_set,
    validate_directions,
)
from .base import AUDIT_FIELDS, RELATED_ONLY


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
