"""The pages of one story, epic or feature: every field edited in place, one at a time.

A field's editor carries the item's `updated_at` as it was when the editor opened (`version`). A save
over a newer version is refused with 409 and the current value (who changed it, and what you typed),
the browser equivalent of the API's `If-Match`: two people editing the same field never overwrite
each other silently. The story page's checklist of acceptance criteria is answered by backlog.views.criteria.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from core.admin_versions import history_changes
from core.errors import ApplicationError
from core.markdown import render_markdown
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from workspaces.models import Role

from .. import services
from ..forms import EDITABLE_FIELDS, CriterionEditForm, CriterionForm, ItemFieldForm, item_version, typed_in_words
from ..models import AcceptanceCriterion, Epic, Feature, Story
from ..selectors.items import criteria_of, epic_for_page, feature_for_page, last_changed_by, story_for_page
from ..selectors.tree import annotate_epics, children_of, feature_rollup
from .tree import TreeState, decorate_epics, decorate_features

FIELD_TEMPLATE = "backlog/item_field.html"

FIELD_LABELS = {
    "title": "Title",
    "statement": "Statement",
    "description": "Description",
    "points": "Points",
    "priority": "Priority",
    "status": "Status",
    "assignee": "Assignee",
    "owner": "Owner",
    "labels": "Labels",
    "sprint": "Sprint",
    "parent": "Parent",
    "target_date": "Target date",
    "epic": "Epic",
}


def _update_story(*, item: Story, actor: Any, labels: list[str] | None, changes: dict[str, Any]) -> Story:
    if set(changes) == {"status"}:
        # A status change is a transition, as on the board and through the API.
        return services.story_set_status(story=item, actor=actor, status=changes["status"])
    return services.story_update(story=item, actor=actor, labels=labels, **changes)


def _update_epic(*, item: Epic, actor: Any, labels: list[str] | None, changes: dict[str, Any]) -> Epic:
    return services.epic_update(epic=item, actor=actor, labels=labels, **changes)


def _update_feature(*, item: Feature, actor: Any, labels: list[str] | None, changes: dict[str, Any]) -> Feature:
    return services.feature_update(feature=item, actor=actor, labels=labels, **changes)


@dataclass(frozen=True)
class Kind:
    """How the pages of one kind of item read, update and name it."""

    name: str
    model: type[Story | Epic | Feature]
    load: Callable[..., Any]
    update: Callable[..., Any]
    template: str

    def get(self, request: ProductRequest, pk: int) -> Any:
        try:
            return self.load(product=request.product, **{f"{self.name}_id": pk})
        except self.model.DoesNotExist as exc:
            raise Http404(f"No such {self.name}.") from exc

    def edit_url(self, request: ProductRequest, item: Any) -> str:
        return reverse(f"backlog:{self.name}_edit", args=[request.product.pk, item.pk])

    def page_url(self, request: ProductRequest, item: Any) -> str:
        return reverse(f"backlog:{self.name}_detail", args=[request.product.pk, item.pk])


STORY = Kind("story", Story, story_for_page, _update_story, "backlog/story_detail.html")
EPIC = Kind("epic", Epic, epic_for_page, _update_epic, "backlog/epic_detail.html")
FEATURE = Kind("feature", Feature, feature_for_page, _update_feature, "backlog/feature_detail.html")


def field_context(
    request: ProductRequest, kind: Kind, item: Any, name: str, form: ItemFieldForm | None = None, **extra: Any
) -> dict[str, Any]:
    """What `backlog/item_field.html` needs (as `f`) to show one field, or its editor when `form` is given."""
    context = {
        "kind": kind.name,
        "item": item,
        "name": name,
        "label": FIELD_LABELS[name],
        "edit_url": kind.edit_url(request, item),
        "page_url": kind.page_url(request, item),
        "form": form,
        **extra,
    }
    return {"f": context}


def page_context(request: ProductRequest, kind: Kind, item: Any, editing: str | None = None, **extra: Any) -> dict:
    """The whole page of an item; `editing` opens one field's editor (the no-JS path of "Edit")."""
    fields = {}
    for name in EDITABLE_FIELDS[kind.name]:
        form = extra.pop("form", None) if name == editing else None
        if name == editing and form is None and request.can_write:
            form = ItemFieldForm(kind=kind.name, name=name, product=request.product, item=item)
        fields[name] = field_context(request, kind, item, name, form, **(extra if name == editing else {}))["f"]
    return {"item": item, kind.name: item, "fields": fields}


def _item_page(request: ProductRequest, kind: Kind, pk: int, extra: Callable[..., dict[str, Any]]) -> HttpResponse:
    item = kind.get(request, pk)
    editing = request.GET.get("edit") if request.can_write else None
    if editing not in EDITABLE_FIELDS[kind.name]:
        editing = None
    context = {**page_context(request, kind, item, editing), **extra(request, item)}
    return render_page(request, kind.template, context)


def _field_edit(request: ProductRequest, kind: Kind, pk: int) -> HttpResponse:
    """GET: one field's editor (`?field=`), or its value again (`&cancel=1`). POST: save that field."""
    item = kind.get(request, pk)
    name = request.GET.get("field") or request.POST.get("field", "")
    if name not in EDITABLE_FIELDS[kind.name]:
        raise Http404("No such field.")
    if request.method == "GET":
        if not request.htmx:
            suffix = "" if request.GET.get("cancel") else f"?edit={name}"
            return HttpResponseRedirect(f"{kind.page_url(request, item)}{suffix}#field-{name}")
        if request.GET.get("cancel") or not request.can_write:
            return render_page(request, FIELD_TEMPLATE, field_context(request, kind, item, name))
        form = ItemFieldForm(kind=kind.name, name=name, product=request.product, item=item)
        return render_page(request, FIELD_TEMPLATE, field_context(request, kind, item, name, form, focus=True))

    form = ItemFieldForm(request.POST, kind=kind.name, name=name, product=request.product, item=item)
    if form.is_valid():
        with transaction.atomic():
            current = kind.model.objects.select_for_update(of=("self",)).get(pk=item.pk)
            if form.cleaned_data["version"] != item_version(current):
                return _conflict(request, kind, pk, name, form)
            changes, labels = form.changes()
            try:
                kind.update(item=item, actor=request.user, labels=labels, changes=changes)
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
        if not form.errors:
            if not request.htmx:
                messages.success(request, f"Saved the {FIELD_LABELS[name].lower()}.")
                return HttpResponseRedirect(f"{kind.page_url(request, item)}#field-{name}")
            item = kind.get(request, pk)
            return render_page(request, FIELD_TEMPLATE, field_context(request, kind, item, name, saved=True))
    if request.htmx:
        return render_form_errors(request, FIELD_TEMPLATE, field_context(request, kind, item, name, form, focus=True))
    context = {**page_context(request, kind, item, name, form=form), **PAGE_EXTRAS[kind.name](request, item)}
    return render_form_errors(request, kind.template, context)


def _conflict(request: ProductRequest, kind: Kind, pk: int, name: str, stale: ItemFieldForm) -> HttpResponse:
    """409: someone saved the item after this editor opened. Show the current value in a fresh editor,
    who changed it and which fields to what (from the history), and what this person typed (nothing they
    wrote is lost)."""
    item = kind.get(request, pk)
    try:
        opened_at = parse_datetime(stale.cleaned_data["version"])
    except ValueError:
        opened_at = None
    who, saved = history_changes(item, since=opened_at)
    who = who or last_changed_by(item)
    form = ItemFieldForm(kind=kind.name, name=name, product=request.product, item=item)
    conflict = {
        "who": (who.get_full_name() or who.get_username()) if who else "someone else",
        "mine": typed_in_words(stale, name),
        "saved": saved,
    }
    if request.htmx:
        context = field_context(request, kind, item, name, form, conflict=conflict, focus=True)
        return render_page(request, FIELD_TEMPLATE, context, status=409)
    context = {
        **page_context(request, kind, item, name, form=form, conflict=conflict),
        **PAGE_EXTRAS[kind.name](request, item),
    }
    return render_page(request, kind.template, context, status=409)


# --- Story ------------------------------------------------------------------------------------------


def story_extras(request: ProductRequest, story: Story) -> dict[str, Any]:
    editing = request.GET.get("criterion")
    return criteria_context(
        request, story, criteria=story.criteria, editing=int(editing) if editing and editing.isdigit() else None
    )


def criteria_context(
    request: ProductRequest,
    story: Story,
    *,
    criteria: list[AcceptanceCriterion] | None = None,
    editing: int | None = None,
    add_form: CriterionForm | None = None,
    edit_form: CriterionEditForm | None = None,
    focus_add: bool = False,
    criterion_conflict: dict[str, str] | None = None,
) -> dict[str, Any]:
    criteria = criteria_of(story) if criteria is None else criteria
    if editing and edit_form is None:
        current = next((c for c in criteria if c.pk == editing), None)
        edit_form = CriterionEditForm(criterion=current) if current else None
    return {
        "story": story,
        "criteria": criteria,
        "criteria_met": sum(1 for c in criteria if c.is_met),
        "editing_criterion": editing,
        "criterion_form": add_form or CriterionForm(),
        "criterion_edit_form": edit_form,
        "focus_add": focus_add,
        "criterion_conflict": criterion_conflict,
    }


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD")
def story_detail(request: ProductRequest, story_id: int) -> HttpResponse:
    """A story: every field editable in place, the acceptance criteria, open review flags, comments."""
    return _item_page(request, STORY, story_id, story_extras)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD", "POST")
def story_edit(request: ProductRequest, story_id: int) -> HttpResponse:
    return _field_edit(request, STORY, story_id)


# --- Epic and feature -----------------------------------------------------------------------------


def epic_extras(request: ProductRequest, epic: Epic) -> dict[str, Any]:
    """The epic's roll-up and its children region (features with progress, direct stories, add forms)."""
    state = TreeState(request.path, request.GET)
    annotate_epics([epic])
    epic_children, feature_children = children_of(
        product=request.product, epic_ids=[epic.pk], feature_ids=state.ids("f")
    )
    decorate_epics(request, [epic], state, epic_children, feature_children)
    return {"state": state, "epic": epic}


def feature_extras(request: ProductRequest, feature: Feature) -> dict[str, Any]:
    state = TreeState(request.path, request.GET)
    feature.rollup = feature_rollup(feature)
    _, feature_children = children_of(product=request.product, epic_ids=(), feature_ids=[feature.pk])
    decorate_features(request, [feature], state, feature_children)
    return {"state": state, "feature": feature}


PAGE_EXTRAS: dict[str, Callable[[ProductRequest, Any], dict[str, Any]]] = {
    "story": story_extras,
    "epic": epic_extras,
    "feature": feature_extras,
}


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD")
def epic_detail(request: ProductRequest, epic_id: int) -> HttpResponse:
    """An epic: its fields, progress, and its features and stories (added here too)."""
    return _item_page(request, EPIC, epic_id, epic_extras)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD", "POST")
def epic_edit(request: ProductRequest, epic_id: int) -> HttpResponse:
    return _field_edit(request, EPIC, epic_id)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD")
def feature_detail(request: ProductRequest, feature_id: int) -> HttpResponse:
    """A feature: its fields, progress and stories (added here too)."""
    return _item_page(request, FEATURE, feature_id, feature_extras)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD", "POST")
def feature_edit(request: ProductRequest, feature_id: int) -> HttpResponse:
    return _field_edit(request, FEATURE, feature_id)


# --- Markdown preview -------------------------------------------------------------------------------


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def markdown_preview(request: ProductRequest) -> HttpResponse:
    """The sanitized HTML of the Markdown being edited (`description` or `text`), as the page will show it."""
    text = request.POST.get("description", request.POST.get("text", ""))
    html = render_markdown(text[:100_000]) or '<p class="muted">Nothing to preview.</p>'
    response = HttpResponse(f'<div class="markdown markdown-preview" id="preview-body">{html}</div>')
    response["Vary"] = "HX-Request"
    return response
