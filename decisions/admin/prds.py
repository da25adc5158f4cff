"""PRDs (every edit publishes a version through decisions.services), their sections and versions, and
requirements."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from core.admin_versions import VersionCheckedAdminMixin
from workspaces.admin_scoping import (
    KeySearchMixin,
    ReadOnlyAdminMixin,
    WorkspaceScopedAdmin,
    WorkspaceScopedHistoryAdmin,
    adopt,
    changed_values,
    formset_save_via,
    pretty_json,
    short_hash,
)

from .. import services
from ..models import PRD, PRDSection, PRDVersion, Requirement
from .forms import AUDIT_FIELDS, EDIT_NOTE, RELATED_ONLY, REQUIREMENT_TEXT_FIELDS, Formsets, PRDForm, RequirementForm
from .inlines import PRDSectionInline, PRDSignOffInline, PRDVersionInline, RequirementInline
from .signoff_views import SignOffAuditMixin


@admin.register(PRD)
class PRDAdmin(VersionCheckedAdminMixin, SignOffAuditMixin, WorkspaceScopedHistoryAdmin):
    form = PRDForm
    list_display = ("title", "product", "status", "owner", "requirement_count", "updated_at")
    list_filter = ("status", ("product", RELATED_ONLY), ("owner", RELATED_ONLY))
    list_select_related = ("product", "owner")
    search_fields = ("title", "product__key", "product__name")
    date_hierarchy = "updated_at"
    autocomplete_fields = ("product", "epics", "roadmap_items")
    fields = ("product", "title", "status", "owner", "epics", "roadmap_items", *AUDIT_FIELDS)
    readonly_fields = ("status", *AUDIT_FIELDS)
    inlines = (PRDSectionInline, RequirementInline, PRDVersionInline, PRDSignOffInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PRD]:
        # A GROUP BY query drops Meta.ordering: ask for it again (pagination, autocomplete).
        return (
            super()
            .get_queryset(request)
            .annotate(requirement_count=Count("requirements"))
            .order_by(*self.model._meta.ordering)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: PRD | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("product", *self.readonly_fields)

    def get_inlines(self, request: HttpRequest, obj: PRD | None) -> list[type]:
        # A new PRD gets the standard sections and version 1 from prd_create; the rest is edited afterwards.
        return super().get_inlines(request, obj) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: PRD, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.prd_create(
                product=data["product"],
                actor=request.user,
                title=data["title"],
                owner=data["owner"],
                epics=data["epics"],
                roadmap_items=data["roadmap_items"],
            )
            adopt(obj, created)
            return
        # The title is content (prd_update versions it, in save_related); the owner is not.
        if "owner" in form.changed_data:
            obj._history_user = request.user
            obj.save(update_fields=["owner", "updated_at"])

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Formsets, change: bool) -> None:
        form.save_m2m()  # epics and roadmap items: links, not versioned content
        if not change:
            return
        sections = next((fs for fs in formsets if fs.model is PRDSection), None)
        title_changed = "title" in form.changed_data
        if title_changed or (sections is not None and sections.has_changed()):
            services.prd_update(
                prd=form.instance,
                actor=request.user,
                title=form.cleaned_data["title"] if title_changed else None,
                sections=section_rows(sections) if sections is not None and sections.has_changed() else None,
                change_note=EDIT_NOTE,
            )
        for formset in formsets:
            if formset is sections:
                formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            elif formset.model is Requirement:
                self.save_requirements(request, form.instance, formset)
            else:
                self.save_formset(request, form, formset, change=change)

    def save_requirements(self, request: HttpRequest, prd: PRD, formset: BaseInlineFormSet) -> None:
        actor = request.user
        formset_save_via(
            formset,
            create=lambda f: services.requirement_create(
                prd=prd, actor=actor, title=f.cleaned_data["title"], priority=f.cleaned_data["priority"]
            ),
            update=lambda f: services.requirement_update(
                requirement=f.instance, actor=actor, **changed_values(f, REQUIREMENT_TEXT_FIELDS)
            ),
            delete=lambda requirement: services.requirement_delete(requirement=requirement, actor=actor),
        )

    @admin.display(description="Requirements", ordering="requirement_count")
    def requirement_count(self, obj: PRD) -> int:
        return obj.requirement_count  # type: ignore[attr-defined]


def section_rows(formset: BaseInlineFormSet) -> list[dict[str, str]]:
    """The PRD's sections as the formset now describes them, in their chosen order, for prd_update."""
    deleted = list(formset.deleted_forms)
    rows = []
    for index, form in enumerate(formset.forms):
        if form in deleted or (form.instance.pk is None and not form.has_changed()):
            continue
        data = form.cleaned_data
        rows.append(
            (
                data.get("position") or 0,
                index,
                {"kind": data["kind"], "title": data["title"], "body": data.get("body", "")},
            )
        )
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


@admin.register(PRDSection)
class PRDSectionAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Shown here; edited on the PRD's page, where the whole text is saved as a new version."""

    workspace_path = "prd__product__workspace"
    list_display = ("title", "prd", "kind", "position", "updated_at")
    list_filter = ("kind", ("prd__product", RELATED_ONLY))
    list_select_related = ("prd",)
    search_fields = ("title", "body", "prd__title")
    fields = ("prd", "kind", "title", "position", "body", *AUDIT_FIELDS)
    readonly_fields = fields


@admin.register(PRDVersion)
class PRDVersionAdmin(ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Immutable: every saved state of a PRD, as it was."""

    workspace_path = "prd__product__workspace"
    list_display = ("prd", "number", "hash", "change_note", "created_by", "created_at")
    list_filter = (("prd__product", RELATED_ONLY), ("created_by", RELATED_ONLY))
    list_select_related = ("prd", "created_by")
    search_fields = ("prd__title", "change_note", "=content_hash")
    date_hierarchy = "created_at"
    fields = ("prd", "number", "content_hash", "change_note", "created_by", "created_at", "content_display")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PRDVersion]:
        # The content can be large: the list does not need it, the one page that shows it loads it.
        return super().get_queryset(request).defer("content")

    @admin.display(description="Content hash")
    def hash(self, obj: PRDVersion) -> str:
        return short_hash(obj.content_hash)

    @admin.display(description="Content")
    def content_display(self, obj: PRDVersion) -> str:
        return pretty_json(obj.content)


@admin.register(Requirement)
class RequirementAdmin(VersionCheckedAdminMixin, KeySearchMixin, WorkspaceScopedHistoryAdmin):
    """Numbered per product (REQ-n) and versioned with its PRD: every write goes through the requirement services."""

    form = RequirementForm
    key_prefix = "REQ"
    list_display = ("key", "title", "prd", "product", "priority", "position", "updated_at")
    list_filter = ("priority", ("product", RELATED_ONLY), ("prd", RELATED_ONLY))
    list_select_related = ("prd", "product")
    search_fields = ("title", "description", "prd__title")
    date_hierarchy = "updated_at"
    autocomplete_fields = ("prd", "features", "stories")
    fields = (
        "key",
        "prd",
        "product",
        "title",
        "description",
        "priority",
        "position",
        "features",
        "stories",
        "number",
        *AUDIT_FIELDS,
    )
    readonly_fields = ("key", "product", "position", "number", *AUDIT_FIELDS)

    def get_readonly_fields(self, request: HttpRequest, obj: Requirement | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("prd", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Requirement, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            created = services.requirement_create(
                prd=data["prd"],
                actor=request.user,
                title=data["title"],
                description=data["description"],
                priority=data["priority"],
                features=data["features"],
                stories=data["stories"],
            )
            adopt(obj, created)
            return
        text = changed_values(form, REQUIREMENT_TEXT_FIELDS)
        if text:
            adopt(obj, services.requirement_update(requirement=obj, actor=request.user, **text))
        for name in ("features", "stories"):
            if name in form.changed_data:
                before = set(getattr(obj, name).all())
                after = set(data[name])
                services.requirement_unlink(requirement=obj, **{name: before - after})
                services.requirement_link(requirement=obj, **{name: after - before})

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Formsets, change: bool) -> None:
        pass  # features and stories were linked by the services; there are no inlines

    def delete_model(self, request: HttpRequest, obj: Requirement) -> None:
        services.requirement_delete(requirement=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Requirement]) -> None:
        for requirement in queryset:
            services.requirement_delete(requirement=requirement, actor=request.user)

    @admin.display(description="Key", ordering="number")
    def key(self, obj: Requirement) -> str:
        return obj.key if obj.pk else "—"
