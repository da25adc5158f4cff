from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from workspaces.admin_scoping import WorkspaceScopedAdmin, WorkspaceScopedMixin, adopt, formset_save_via

from .models import Membership, Product, Role, Workspace
from .services import member_add, member_remove, member_set_role, workspace_create


def save_membership(*, form: ModelForm, workspace: Workspace) -> Membership:
    """One membership row from an admin form, through the services that guard the roles."""
    membership: Membership = form.instance
    if membership.pk is None:
        return member_add(workspace=workspace, user=membership.user, role=membership.role, title=membership.title)
    if "role" in form.changed_data:
        membership = member_set_role(membership=membership, role=form.cleaned_data["role"])
    if "title" in form.changed_data:
        membership.title = form.cleaned_data["title"]
        membership.save(update_fields=["title", "updated_at"])
    return membership


class MembershipInline(WorkspaceScopedMixin, admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "title", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    unscoped_user_fields = ("user",)
    min_write_role = Role.ADMIN

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user")


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScopedAdmin):
    workspace_path = "pk"
    min_write_role = Role.ADMIN
    list_display = ("name", "slug", "member_count", "product_count", "created_at")
    search_fields = ("name", "slug")
    date_hierarchy = "created_at"
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")
    inlines = (MembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Workspace]:
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships", distinct=True), product_count=Count("products", distinct=True))
            .order_by(*self.model._meta.ordering)  # a GROUP BY query drops Meta.ordering
        )

    @admin.display(description="Members", ordering="member_count")
    def member_count(self, obj: Workspace) -> int:
        return obj.member_count  # type: ignore[attr-defined]

    @admin.display(description="Products", ordering="product_count")
    def product_count(self, obj: Workspace) -> int:
        return obj.product_count  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new workspace needs no existing membership: its creator becomes its admin.
        return admin.ModelAdmin.has_add_permission(self, request)

    def save_model(self, request: HttpRequest, obj: Workspace, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = workspace_create(name=obj.name, slug=obj.slug, creator=request.user)
        adopt(obj, created)

    def save_formset(self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        workspace: Workspace = formset.instance

        def save(membership_form: ModelForm) -> Membership:
            return save_membership(form=membership_form, workspace=workspace)

        def remove(membership: Membership) -> None:
            member_remove(membership=membership, actor=request.user)

        formset_save_via(formset, create=save, update=save, delete=remove)


@admin.register(Membership)
class MembershipAdmin(WorkspaceScopedAdmin):
    workspace_path = "workspace"
    min_write_role = Role.ADMIN
    list_display = ("user", "workspace", "role", "title", "created_at")
    list_filter = ("role", ("workspace", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("user", "workspace")
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name", "workspace__name", "title")
    autocomplete_fields = ("workspace", "user")
    unscoped_user_fields = ("user",)
    fields = ("workspace", "user", "role", "title", "created_at", "updated_at")
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Membership | None = None) -> tuple[str, ...]:
        if obj is None:
            return tuple(self.readonly_fields)
        # Moving a membership to another person or workspace is a removal and an addition, not an edit.
        return ("workspace", "user", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Membership, form: ModelForm, change: bool) -> None:
        membership = save_membership(form=form, workspace=obj.workspace)
        if not change:
            adopt(obj, membership)

    # Deletes go through member_remove, which keeps the last admin; a refusal rolls the delete back and
    # shows as an error message (WorkspaceScopedAdmin.delete_view / response_action).
    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        member_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.order_by("pk"):
            member_remove(membership=membership, actor=request.user)


@admin.register(Product)
class ProductAdmin(WorkspaceScopedAdmin):
    workspace_path = "workspace"
    list_display = ("name", "key", "workspace", "last_item_number", "created_at")
    list_filter = (("workspace", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("workspace",)
    search_fields = ("name", "key", "workspace__name")
    autocomplete_fields = ("workspace",)
    fields = (
        "workspace",
        "name",
        "key",
        "description",
        "last_item_number",
        "last_requirement_number",
        "last_decision_number",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "last_item_number",
        "last_requirement_number",
        "last_decision_number",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> tuple[str, ...]:
        if obj is None:
            return tuple(self.readonly_fields)
        # Item keys (PAY-12) are built from the product key and its workspace; changing them breaks every key.
        return ("workspace", "key", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Product, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # The backlog builds on products, so its service (which adds the default workflow statuses) is imported here
        # rather than at the top: workspaces stays importable without the backlog.
        from backlog.services import product_create

        created = product_create(workspace=obj.workspace, name=obj.name, key=obj.key, description=obj.description)
        adopt(obj, created)
