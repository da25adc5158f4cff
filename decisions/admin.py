"""PRDs, decision records and sign-offs in the admin.

Every change to signed content goes through decisions.services, as it does in the app: a PRD edit
publishes a new immutable version, and an edit to a document under review makes its sign-offs stale
and asks again. Accepted decision records are frozen (links and people may still change). Sign-offs,
their events and PRD versions are only shown here; review flags are cleared with an action.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils import timezone

from core.admin_versions import VersionCheckedAdminMixin, VersionCheckedForm, shown
from core.errors import ApplicationError
from workspaces.admin_scoping import (
    KeySearchMixin,
    ReadOnlyAdminMixin,
    ReadOnlyTabularInline,
    SameProductLinksForm,
    WorkspaceScopedAdmin,
    WorkspaceScopedHistoryAdmin,
    WorkspaceScopedMixin,
    adopt,
    changed_values,
    formset_save_via,
    pretty_json,
    short_hash,
)

from . import services
from .admin_signoffs import AddressedToMeFilter, SignOffAnswerMixin, SignOffAuditMixin
from .models import (
    PRD,
    DecisionOption,
    DecisionParticipant,
    DecisionRecord,
    PRDSection,
    PRDVersion,
    Requirement,
    ReviewFlag,
    SignOff,
    SignOffEvent,
)

AUDIT_FIELDS = ("created_at", "updated_at")
RELATED_ONLY = admin.RelatedOnlyFieldListFilter
REQUIREMENT_TEXT_FIELDS = ("title", "description", "priority")
OPTION_FIELDS = ("title", "description", "pros", "cons", "cost", "risk")
LINK_FIELDS = ("epics", "roadmap_items", "prds")
EDIT_NOTE = "Edited in the admin"
Formsets = list[BaseInlineFormSet]


class PRDForm(VersionCheckedForm, SameProductLinksForm):
    """A save over a newer version of the PRD (title, sections, requirements) or of its owner is refused."""

    same_product_fields = ("epics", "roadmap_items")

    def edit_version(self, instance: PRD) -> str:
        number = instance.versions.order_by("-number").values_list("number", flat=True).first()
        return f"{instance.updated_at.isoformat()}|v{number or 0}"

    def changes_since(self, fresh: PRD, loaded: str) -> tuple[Any, list[str]]:
        who, lines = super().changes_since(fresh, loaded)
        loaded_number = loaded.partition("|v")[2]
        latest = fresh.versions.select_related("created_by").order_by("-number").first()
        older = fresh.versions.filter(number=int(loaded_number)).first() if loaded_number.isdigit() else None
        if latest is None or older is None or older.pk == latest.pk:
            return who, lines
        diff = services.prd_version_diff(older, latest)
        sections = [row["after"]["title"] for row in diff["sections"]["changed"]]
        sections += [row["title"] for row in diff["sections"]["added"] + diff["sections"]["removed"]]
        requirements = [row["after"]["key"] for row in diff["requirements"]["changed"]]
        requirements += [row["key"] for row in diff["requirements"]["added"] + diff["requirements"]["removed"]]
        parts = []
        if diff["title"]:
            parts.append(f"the title to {shown(diff['title']['after'])}")
        if sections:
            parts.append(f"the sections {', '.join(shown(title) for title in sections)}")
        if requirements:
            parts.append(f"the requirements {', '.join(requirements)}")
        detail = f", changing {' and '.join(parts)}" if parts else ""
        lines = [line for line in lines if not line.startswith("Title:")]  # said with the version
        return latest.created_by or who, [*lines, f"version {latest.number}{detail}"]


class DecisionRecordForm(SameProductLinksForm):
    same_product_fields = LINK_FIELDS


class RequirementForm(VersionCheckedForm, SameProductLinksForm):
    same_product_fields = ("features", "stories")

    def links_product_id(self) -> int | None:
        prd = self.cleaned_data.get("prd") or (self.instance.prd if self.instance.prd_id else None)
        return prd.product_id if prd is not None else None


# --- inlines ------------------------------------------------------------------------------------


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


# --- PRDs ---------------------------------------------------------------------------------------


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


# --- decision records -----------------------------------------------------------------------------


@admin.register(DecisionRecord)
class DecisionRecordAdmin(SignOffAuditMixin, KeySearchMixin, WorkspaceScopedHistoryAdmin):
    """Created, edited, linked and decided through decisions.services; review and acceptance stay in the app."""

    form = DecisionRecordForm
    key_prefix = "ADR"
    list_display = ("key", "title", "product", "status", "chosen_option", "owner", "decided_at", "updated_at")
    list_filter = ("status", ("product", RELATED_ONLY), ("owner", RELATED_ONLY))
    list_select_related = ("product", "owner", "chosen_option")
    search_fields = ("title", "context", "outcome", "product__key", "product__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("product", "epics", "roadmap_items", "prds")
    fieldsets = (
        (None, {"fields": ("key", "product", "title", "status", "owner")}),
        (
            "Decision",
            {"fields": ("context", "decision_drivers", "chosen_option", "outcome", "consequences", "confirmation")},
        ),
        ("Links", {"fields": (*LINK_FIELDS, "supersedes", "amends")}),
        ("Record", {"fields": ("number", "decided_at", *AUDIT_FIELDS)}),
    )
    readonly_fields = ("key", "number", "status", "supersedes", "amends", "decided_at", *AUDIT_FIELDS)
    inlines = (DecisionOptionInline, DecisionParticipantInline, DecisionSignOffInline)

    def get_readonly_fields(self, request: HttpRequest, obj: DecisionRecord | None = None) -> tuple[str, ...]:
        if obj is None:
            return tuple(self.readonly_fields)
        if obj.is_frozen:
            # Accepted content stays as signed: a change is a new record that supersedes or amends it.
            return ("product", *DecisionRecord.CONTENT_FIELDS, "chosen_option", *self.readonly_fields)
        return ("product", *self.readonly_fields)

    def get_form(
        self, request: HttpRequest, obj: DecisionRecord | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm]:
        form = super().get_form(request, obj, change=change, **kwargs)
        chosen = form.base_fields.get("chosen_option")
        if chosen is not None:
            # Only this record's own options can be chosen.
            chosen.queryset = obj.options.all() if obj is not None else DecisionOption.objects.none()
        return form

    def save_model(self, request: HttpRequest, obj: DecisionRecord, form: ModelForm, change: bool) -> None:
        data, actor = form.cleaned_data, request.user
        if not change:
            created = services.decision_create(
                product=data["product"],
                actor=actor,
                title=data["title"],
                context=data["context"],
                decision_drivers=data["decision_drivers"],
                outcome=data["outcome"],
                consequences=data["consequences"],
                confirmation=data["confirmation"],
                owner=data["owner"],
                epics=data["epics"],
                roadmap_items=data["roadmap_items"],
                prds=data["prds"],
            )
            adopt(obj, created)
            return
        content = changed_values(form, DecisionRecord.CONTENT_FIELDS)
        if content:
            services.decision_update(record=obj, actor=actor, **content)
        if "chosen_option" in form.changed_data:
            services.decision_choose_option(record=obj, actor=actor, option=data["chosen_option"])
        if any(name in form.changed_data for name in LINK_FIELDS):
            services.decision_set_links(
                record=obj, epics=data["epics"], roadmap_items=data["roadmap_items"], prds=data["prds"]
            )
        if "owner" in form.changed_data:
            record = DecisionRecord.objects.get(pk=obj.pk)
            record.owner = data["owner"]
            record._history_user = actor
            record.save(update_fields=["owner", "updated_at"])
        # The services saved their own copies; show the record as they left it.
        adopt(obj, DecisionRecord.objects.get(pk=obj.pk))

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Formsets, change: bool) -> None:
        # Links were set by the services (same product checked); options go through theirs too.
        record, actor = form.instance, request.user
        for formset in formsets:
            if formset.model is DecisionOption:
                formset_save_via(
                    formset,
                    create=lambda f: services.decision_option_add(
                        record=record, actor=actor, **{name: f.cleaned_data[name] for name in OPTION_FIELDS}
                    ),
                    update=lambda f: services.decision_option_update(
                        option=f.instance, actor=actor, **changed_values(f, OPTION_FIELDS)
                    ),
                    delete=lambda option: services.decision_option_remove(option=option, actor=actor),
                )
            else:
                self.save_formset(request, form, formset, change=change)

    @admin.display(description="Key", ordering="number")
    def key(self, obj: DecisionRecord) -> str:
        return obj.key if obj.pk else "—"


@admin.register(DecisionOption)
class DecisionOptionAdmin(WorkspaceScopedAdmin):
    workspace_path = "record__product__workspace"
    list_display = ("title", "record", "cost", "risk", "position", "updated_at")
    list_filter = ("cost", "risk", ("record__product", RELATED_ONLY))
    list_select_related = ("record",)
    search_fields = ("title", "description", "record__title")
    autocomplete_fields = ("record",)
    fields = ("record", "title", "position", "description", "pros", "cons", "cost", "risk", *AUDIT_FIELDS)
    readonly_fields = ("position", *AUDIT_FIELDS)

    def is_locked(self, obj: DecisionOption) -> bool:
        return obj.record.is_frozen

    def get_readonly_fields(self, request: HttpRequest, obj: DecisionOption | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("record", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: DecisionOption, form: ModelForm, change: bool) -> None:
        if change:
            option = services.decision_option_update(
                option=obj, actor=request.user, **changed_values(form, OPTION_FIELDS)
            )
        else:
            option = services.decision_option_add(
                record=form.cleaned_data["record"],
                actor=request.user,
                **{name: form.cleaned_data[name] for name in OPTION_FIELDS},
            )
        adopt(obj, option)

    def delete_model(self, request: HttpRequest, obj: DecisionOption) -> None:
        services.decision_option_remove(option=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DecisionOption]) -> None:
        for option in queryset:
            services.decision_option_remove(option=option, actor=request.user)


@admin.register(DecisionParticipant)
class DecisionParticipantAdmin(WorkspaceScopedAdmin):
    """Who decides, is consulted or informed: not part of the signed content, so plain rows."""

    workspace_path = "record__product__workspace"
    list_display = ("user", "part", "record", "created_at")
    list_filter = ("part", ("record__product", RELATED_ONLY))
    list_select_related = ("user", "record")
    search_fields = ("user__username", "user__first_name", "user__last_name", "record__title")
    autocomplete_fields = ("record",)
    fields = ("record", "user", "part", *AUDIT_FIELDS)
    readonly_fields = AUDIT_FIELDS


# --- sign-offs and review flags ---------------------------------------------------------------------


@admin.register(SignOff)
class SignOffAdmin(SignOffAnswerMixin, ReadOnlyAdminMixin, WorkspaceScopedAdmin):
    """Requests, approvals and rejections happen through decisions.services, which also writes the events.

    Never edited here; the person asked answers on the change page (admin_signoffs.SignOffAnswerMixin).
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
