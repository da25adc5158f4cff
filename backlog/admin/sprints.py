"""Sprints, with their stories and points."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.forms import ModelForm
from django.http import HttpRequest

from core.errors import ApplicationError
from workspaces.admin_scoping import WorkspaceScopedHistoryAdmin, adopt

from .. import services
from ..models import Sprint
from .base import AUDIT_FIELDS, RELATED_PRODUCT


@admin.register(Sprint)
class SprintAdmin(WorkspaceScopedHistoryAdmin):
    list_display = ("name", "product", "state", "start_date", "end_date", "capacity_points", "committed_points")
    list_filter = ("state", ("product", RELATED_PRODUCT))
    list_select_related = ("product",)
    search_fields = ("name", "goal", "product__key", "product__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("product",)
    fields = ("product", "name", "goal", "start_date", "end_date", "capacity_points", "state", *AUDIT_FIELDS)
    # The state moves only through sprint_start / sprint_close (the actions below): closing carries work over.
    readonly_fields = ("state", *AUDIT_FIELDS)
    actions = ("start_sprints", "close_sprints")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Sprint]:
        # A GROUP BY query drops Meta.ordering: ask for it again (pagination, autocomplete).
        return (
            super()
            .get_queryset(request)
            .annotate(committed=Sum("stories__points"))
            .order_by(*self.model._meta.ordering)
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Sprint | None = None) -> tuple[str, ...]:
        return tuple(self.readonly_fields) if obj is None else ("product", *self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Sprint, form: ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.sprint_create(
            product=data["product"],
            name=data["name"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            goal=data["goal"],
            capacity_points=data["capacity_points"],
        )
        adopt(obj, created)

    def _apply(self, request: HttpRequest, queryset: QuerySet[Sprint], verb: str, past: str, service: Any) -> None:
        done = 0
        for sprint in queryset:
            if not self.has_change_permission(request, sprint):
                self.message_user(request, f"You cannot {verb} {sprint.name}.", messages.ERROR)
                continue
            try:
                service(sprint)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{past} {done} sprint(s).", messages.SUCCESS)

    @admin.action(description="Start the selected planned sprints", permissions=["change"])
    def start_sprints(self, request: HttpRequest, queryset: QuerySet[Sprint]) -> None:
        self._apply(request, queryset, "start", "Started", lambda sprint: services.sprint_start(sprint=sprint))

    @admin.action(
        description="Close the selected sprints (unfinished stories go back to the backlog)", permissions=["change"]
    )
    def close_sprints(self, request: HttpRequest, queryset: QuerySet[Sprint]) -> None:
        self._apply(
            request,
            queryset,
            "close",
            "Closed",
            lambda sprint: services.sprint_close(sprint=sprint, actor=request.user),
        )

    @admin.display(description="Committed points", ordering="committed")
    def committed_points(self, obj: Sprint) -> int:
        return obj.committed or 0  # type: ignore[attr-defined]
