"""Decision records (frozen once accepted), their options and participants."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from workspaces.admin_scoping import (
    KeySearchMixin,
    WorkspaceScopedAdmin,
    WorkspaceScopedHistoryAdmin,
    adopt,
    changed_values,
    formset_save_via,
)

from .. import services
from ..models import DecisionOption, DecisionParticipant, DecisionRecord
from .forms import AUDIT_FIELDS, LINK_FIELDS, OPTION_FIELDS, RELATED_ONLY, DecisionRecordForm, Formsets
from .inlines import DecisionOptionInline, DecisionParticipantInline, DecisionSignOffInline
from .signoff_views import SignOffAuditMixin


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
