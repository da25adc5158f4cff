"""The scoped admins and inlines: every queryset, permission, lookup, autocomplete and history page narrowed
to the user's workspaces; and the read-only admins of rows that only services write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import quote, unquote
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models import Q, QuerySet
from django.forms import Field as FormField
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from core.errors import ApplicationError

from ..admin_export import EXPORT_ACTION, EXPORT_DESCRIPTION, export_csv
from ..models import Role
from .display import product_prefixed_label
from .roles import leads, workspace_ids, workspace_roles
from .saving import refusal_message


class WorkspaceScopedMixin:
    """For ModelAdmin and inlines alike: foreign-key and many-to-many choices come only from rows the user may write.

    `product_prefixed_fields` names relations whose rows repeat names across products (statuses, sprints,
    labels); their choices read "PAY · In review".
    """

    admin_site: admin.AdminSite
    min_write_role: str = Role.EDITOR
    # User fields whose choices are not narrowed to co-members (adding someone new to a workspace).
    unscoped_user_fields: Sequence[str] = ()
    product_prefixed_fields: Sequence[str] = ()

    def scope_choices(self, request: HttpRequest, db_field: models.Field, queryset: QuerySet) -> QuerySet:
        ids = workspace_ids(request, self.min_write_role)
        if ids is None:
            return queryset
        model = db_field.remote_field.model
        if model is get_user_model():
            if db_field.name in self.unscoped_user_fields:
                return queryset
            return queryset.filter(memberships__workspace_id__in=ids).distinct()
        if model is ContentType:
            return queryset
        related_admin = self.admin_site._registry.get(model)
        if isinstance(related_admin, WorkspaceScopedAdmin):
            return related_admin.scope_queryset(queryset, ids)
        # A relation to a model nobody scoped: fail closed rather than list other workspaces' rows.
        return queryset.none()

    def leadership_may_view(self, request: HttpRequest, obj: models.Model | None) -> bool:
        """For an inline, `obj` is the parent row: leadership in the parent's workspace shows its children."""
        if obj is None:
            return leads(request)
        parent_admin = self.admin_site._registry.get(type(obj))
        return isinstance(parent_admin, WorkspaceScopedAdmin) and parent_admin.leadership_may_view(request, obj)

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Leadership reads without per-model permissions; everyone else needs Django's view or change one.
        return super().has_view_permission(request, obj) or self.leadership_may_view(request, obj)  # type: ignore[misc]

    def _choices_queryset(self, db_field: models.Field, request: HttpRequest, kwargs: dict[str, Any]) -> QuerySet:
        queryset = kwargs.get("queryset")
        if queryset is None:
            queryset = self.get_field_queryset(kwargs.get("using"), db_field, request)  # type: ignore[attr-defined]
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(kwargs.get("using")).all()
        if db_field.name in self.product_prefixed_fields:
            queryset = queryset.select_related("product")
        return self.scope_choices(request, db_field, queryset)

    def _prefix_labels(self, db_field: models.Field, formfield: FormField | None) -> FormField | None:
        if formfield is not None and db_field.name in self.product_prefixed_fields:
            formfield.label_from_instance = product_prefixed_label
        return formfield

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any) -> FormField:
        kwargs["queryset"] = self._choices_queryset(db_field, request, kwargs)
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]
        return self._prefix_labels(db_field, formfield)

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> FormField | None:
        kwargs["queryset"] = self._choices_queryset(db_field, request, kwargs)
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]
        return self._prefix_labels(db_field, formfield)


class WorkspaceScopedAdmin(WorkspaceScopedMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows belong to a workspace through `workspace_path`.

    `workspace_path` is a lookup ending at the Workspace ("product__workspace"), "pk" for the Workspace
    itself, or a tuple of lookups when a row hangs off one of several parents (any of them may match).
    """

    workspace_path: str | tuple[str, ...] = "product__workspace"

    # --- scoping ---------------------------------------------------------------------------------

    def workspace_paths(self) -> tuple[str, ...]:
        return (self.workspace_path,) if isinstance(self.workspace_path, str) else tuple(self.workspace_path)

    def scope_queryset(self, queryset: QuerySet, ids: Sequence[int]) -> QuerySet:
        condition = Q()
        for path in self.workspace_paths():
            condition |= Q(**{f"{path}__in": list(ids)})
        return queryset.filter(condition)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        ids = workspace_ids(request)
        if ids is None:
            return queryset
        if not admin.ModelAdmin.has_view_permission(self, request):  # type: ignore[arg-type]
            # Reading by the leadership role alone (no Django permission): only the workspaces they lead.
            ids = [pk for pk in ids if leads(request, pk)]
        return self.scope_queryset(queryset, ids)

    def workspace_id_of(self, obj: models.Model) -> int | None:
        """Follow `workspace_path` on an instance (first path that reaches a workspace wins)."""
        for path in self.workspace_paths():
            *hops, last = path.split("__")
            target: Any = obj
            for hop in hops:
                target = getattr(target, hop, None)
                if target is None:
                    break
            else:
                value = target.pk if last == "pk" else getattr(target, f"{last}_id", None)
                if value is not None:
                    return value
        return None

    def is_visible(self, request: HttpRequest, object_id: Any) -> bool:
        if workspace_ids(request) is None:
            return True
        try:
            return self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, ValidationError):
            return False

    # --- permissions -----------------------------------------------------------------------------

    def role_writes(self, role: str | None) -> bool:
        # Leadership never writes through the admin, whatever an admin's min_write_role says.
        return role is not None and role != Role.LEADERSHIP and Role.at_least(role, self.min_write_role)

    def can_write(self, request: HttpRequest, obj: models.Model | None) -> bool:
        """Whether the user's role allows writing `obj` (or, without obj, anything at all in this admin)."""
        roles = workspace_roles(request)
        if roles is None:
            return True
        if obj is None:
            return any(self.role_writes(role) for role in roles.values())
        return self.role_writes(roles.get(self.workspace_id_of(obj)))  # type: ignore[arg-type]

    def leadership_may_view(self, request: HttpRequest, obj: models.Model | None) -> bool:
        if obj is None:
            return leads(request)
        workspace_id = self.workspace_id_of(obj)
        return workspace_id is not None and leads(request, workspace_id)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or leads(request)

    def is_locked(self, obj: models.Model) -> bool:
        """True when this row may no longer change through the admin (its state belongs to services)."""
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self.can_write(request, None)

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        if obj is not None and self.is_locked(obj):
            return False
        return super().has_change_permission(request, obj) and self.can_write(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Also called for every row a delete would cascade to, so a bulk delete stays inside writable workspaces.
        if obj is not None and self.is_locked(obj):
            return False
        return super().has_delete_permission(request, obj) and self.can_write(request, obj)

    # --- actions -------------------------------------------------------------------------------

    def get_actions(self, request: HttpRequest) -> dict[str, tuple[Callable[..., Any], str, str]]:
        actions = super().get_actions(request)
        if self.actions is not None and IS_POPUP_VAR not in request.GET and self.has_view_permission(request):
            # Whoever may read the list may take it away as CSV (the rows the changelist shows them).
            actions[EXPORT_ACTION] = (export_csv, EXPORT_ACTION, EXPORT_DESCRIPTION)
        return actions

    def get_inlines(self, request: HttpRequest, obj: models.Model | None) -> list[type]:
        inlines = list(super().get_inlines(request, obj))
        if obj is None:
            # A row being added has no children to show yet.
            inlines = [inline for inline in inlines if not issubclass(inline, ReadOnlyTabularInline)]
        return inlines

    # --- service errors --------------------------------------------------------------------------

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # Django runs the POST in a transaction, so whatever the service refused is rolled back by now.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, refusal_message(exc), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Django deletes (and logs the deletion) in a transaction, so a refused delete_model leaves no trace.
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, refusal_message(exc), messages.ERROR)
        opts = self.opts
        return HttpResponseRedirect(
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change",
                args=[quote(unquote(object_id))],
                current_app=self.admin_site.name,
            )
        )

    def response_action(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        # Django runs actions outside a transaction and logs a bulk delete before deleting: one transaction
        # here makes an action all or nothing when a service refuses (the log entries roll back with it).
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().response_action(request, queryset)
        except (ApplicationError, ValidationError) as exc:
            self.message_user(request, refusal_message(exc), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


class WorkspaceScopedHistoryAdmin(WorkspaceScopedAdmin, SimpleHistoryAdmin):
    """For models with `history = HistoricalRecords()`: history pages scoped like the rows, and no revert.

    Reverting would write every column of an old row back, including the ones services own
    (status, number, and rank, which is not in the history at all), so history is view-only here.
    """

    object_history_list_template = "admin/history_list.html"

    def get_history_queryset(
        self, request: HttpRequest, history_manager: Any, pk_name: str, object_id: Any
    ) -> QuerySet:
        queryset = super().get_history_queryset(request, history_manager, pk_name, object_id)
        return queryset if self.is_visible(request, object_id) else queryset.none()

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.is_visible(request, unquote(object_id)):
            raise Http404("No such object.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.is_visible(request, unquote(object_id)):
            raise Http404("No such object.")
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("Reverting from history is not available; edit the current row instead.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_history_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def revert_disabled(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return True


class ReadOnlyAdminMixin:
    """Rows written only by services or append-only by design: the admin shows them and changes nothing."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyTabularInline(WorkspaceScopedMixin, ReadOnlyAdminMixin, admin.TabularInline):
    """A read-only list of children with a link to each one's own page."""

    extra = 0
    can_delete = False
    show_change_link = True
