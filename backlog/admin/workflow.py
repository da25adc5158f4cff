"""Workflow statuses and labels."""

from __future__ import annotations

from django.contrib import admin

from workspaces.admin_scoping import WorkspaceScopedAdmin

from ..models import Label, WorkflowStatus
from .base import AUDIT_FIELDS, RELATED_PRODUCT


@admin.register(WorkflowStatus)
class WorkflowStatusAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "product", "category", "position")
    list_filter = ("category", ("product", RELATED_PRODUCT))
    list_select_related = ("product",)
    search_fields = ("name", "product__key", "product__name")
    autocomplete_fields = ("product",)
    fields = ("product", "name", "category", "position", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS


@admin.register(Label)
class LabelAdmin(WorkspaceScopedAdmin):
    list_display = ("name", "product", "created_at")
    list_filter = (("product", RELATED_PRODUCT),)
    list_select_related = ("product",)
    search_fields = ("name", "product__key", "product__name")
    autocomplete_fields = ("product",)
    fields = ("product", "name", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS
