"""Epics, features and stories decorated for the templates: the inline-creation slot of each, the
children of open nodes, and the contexts of the tree and of the flat (filtered) story list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.urls import reverse

from core.ui.http import ProductRequest

from ...forms import BulkStoryForm, StoryCreateForm, StoryFilterForm, TitleForm
from ...models import Epic, Feature, Story
from ...selectors.items import filtered_stories
from ...selectors.tree import Children, children_of, epic_page
from .state import STORIES_PER_PAGE, TreeState


@dataclass
class Slot:
    """An inline "add" form of the tree: where it posts, which region its answer replaces, its form."""

    form_id: str
    summary: str
    create_url: str
    region_id: str
    form: Any
    open: bool = False
    created: Any = None

    @property
    def created_url(self) -> str:
        if self.created is None:
            return ""
        kind = {Epic: "epic", Feature: "feature", Story: "story"}[type(self.created)]
        return reverse(f"backlog:{kind}_detail", args=[self.created.product_id, self.created.pk])


def epic_slot(request: ProductRequest, form: Any = None, **extra: Any) -> Slot:
    return Slot(
        form_id="epic-form",
        summary="Add an epic",
        create_url=reverse("backlog:epic_create", args=[request.product.pk]),
        region_id="tree",
        form=form or TitleForm(prefix_id="epic-form"),
        **extra,
    )


def feature_slot(request: ProductRequest, epic: Epic, form: Any = None, **extra: Any) -> Slot:
    form_id = f"epic-{epic.pk}-feature-form"
    return Slot(
        form_id=form_id,
        summary="Add a feature",
        create_url=reverse("backlog:feature_create", args=[request.product.pk, epic.pk]),
        region_id=f"epic-{epic.pk}-children",
        form=form or TitleForm(prefix_id=form_id),
        **extra,
    )


def story_slot(request: ProductRequest, parent: Epic | Feature, form: Any = None, **extra: Any) -> Slot:
    is_feature = isinstance(parent, Feature)
    kind = "feature" if is_feature else "epic"
    form_id = f"{kind}-{parent.pk}-story-form"
    return Slot(
        form_id=form_id,
        summary="Add a story" if is_feature else "Add a story directly under this epic",
        create_url=reverse(f"backlog:{kind}_story_create", args=[request.product.pk, parent.pk]),
        region_id=f"{kind}-{parent.pk}-children",
        form=form or StoryCreateForm(prefix_id=form_id),
        **extra,
    )


def decorate_features(
    request: ProductRequest, features: list[Feature], state: TreeState, children: dict[int, Children]
) -> None:
    for feature in features:
        feature.token = f"f{feature.pk}"
        feature.is_open = feature.token in state.open
        feature.toggle_url = state.toggled(feature.token)
        feature.children = children.get(feature.pk)
        if feature.children is not None and request.can_write:
            feature.story_slot = story_slot(request, feature)


def decorate_epics(
    request: ProductRequest,
    epics: list[Epic],
    state: TreeState,
    epic_children: dict[int, Children],
    feature_children: dict[int, Children],
) -> None:
    for epic in epics:
        epic.token = f"e{epic.pk}"
        epic.is_open = epic.token in state.open
        epic.toggle_url = state.toggled(epic.token)
        epic.children = epic_children.get(epic.pk)
        if epic.children is not None:
            decorate_features(request, epic.children.features, state, feature_children)
            if request.can_write:
                epic.feature_slot = feature_slot(request, epic)
                epic.story_slot = story_slot(request, epic)


def open_children(
    request: ProductRequest, state: TreeState, epics: list[Epic]
) -> tuple[dict[int, Children], dict[int, Children]]:
    open_epics = [epic.pk for epic in epics if f"e{epic.pk}" in state.open]
    return children_of(product=request.product, epic_ids=open_epics, feature_ids=state.ids("f"))


def tree_context(request: ProductRequest, state: TreeState) -> dict[str, Any]:
    """The first screen: a page of epics with their roll-ups, and the children of the open ones."""
    page = epic_page(product=request.product, page_number=state.query.get("page"))
    epics = list(page.object_list)
    decorate_epics(request, epics, state, *open_children(request, state, epics))
    return {"page_obj": page, "epics": epics, "epic_slot": epic_slot(request) if request.can_write else None}


def list_context(request: ProductRequest, form: StoryFilterForm, page_number: str | None) -> dict[str, Any]:
    """The flat, filtered list of stories (paginated): two queries (count, page) and the labels."""
    stories = filtered_stories(product=request.product, filters=form.filters()).prefetch_related("labels")
    page = Paginator(stories, STORIES_PER_PAGE).get_page(page_number)
    return {"page_obj": page, "stories": list(page.object_list)}


def body_context(request: ProductRequest, state: TreeState) -> dict[str, Any]:
    """The tree, or the filtered list when a filter is set, with the filter and bulk forms."""
    form = StoryFilterForm(state.query, product=request.product)
    context: dict[str, Any] = {"filter_form": form, "filtering": form.is_filtering, "state": state}
    if form.is_filtering:
        context |= list_context(request, form, state.query.get("page"))
    else:
        context |= tree_context(request, state)
    if request.can_write:
        context["bulk_form"] = BulkStoryForm(product=request.product)
    return context
