"""Drag and drop (and the keyboard's move buttons): one rank written, the moved level re-rendered; a
refusal is said in words in place."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import MoveForm
from core.ui.http import ProductRequest, render_page
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from ... import services
from ...models import Epic, Feature, Story
from ...selectors.tree import children_of
from .nodes import decorate_epics, decorate_features, tree_context
from .state import TEMPLATE, TreeState, page_state, redirect_back


def error_text(exc: ApplicationError | ValidationError) -> str:
    return exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)


def _move(request: ProductRequest, model: type[Epic | Feature | Story], same_level: Any) -> tuple[Any, str | None]:
    """Validate a move payload and rank the item next to its anchor; (item, refusal or None).

    `same_level(item, anchor)` says whether both sit under the same parent: ranking is product-wide, but
    a drop only ever happens within one list of the tree.
    """
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
    item = get_in_product_or_404(model, product=request.product, pk=form.cleaned_data["item"])
    anchor = form.anchor()
    if anchor is None:
        return item, None
    neighbour = get_in_product_or_404(model, product=request.product, pk=anchor[1])
    if not same_level(item, neighbour):
        return item, f"{neighbour.key} is in another list; drop {item.key} among its own siblings."
    try:
        services.item_move(item=item, **{anchor[0]: neighbour})
    except ApplicationError as exc:
        return item, exc.message
    return item, None


def _moved(request: ProductRequest, refusal: str | None, partial: str, context: dict[str, Any]) -> HttpResponse:
    if not request.htmx:
        if refusal:
            messages.error(request, refusal)
        return redirect_back(request)
    context["move_error"] = refusal
    return render_page(request, TEMPLATE, context, partial=partial, status=409 if refusal else 200)


def _bad_move(request: ProductRequest, exc: ValidationError) -> HttpResponse:
    if not request.htmx:
        messages.error(request, error_text(exc))
        return redirect_back(request)
    return HttpResponse(error_text(exc), status=422, content_type="text/plain")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def epic_move(request: ProductRequest) -> HttpResponse:
    """Rank an epic among the epics; answers the page's list of epics, read again."""
    try:
        _, refusal = _move(request, Epic, lambda item, anchor: True)
    except ValidationError as exc:
        return _bad_move(request, exc)
    state = page_state(request)
    return _moved(request, refusal, "epic-list", {**tree_context(request, state), "state": state})


def epic_children_context(request: ProductRequest, epic: Epic, state: TreeState, **slot: Any) -> dict[str, Any]:
    """One epic's children region (features, direct stories, the add forms); `slot` extras go to the form
    that was just used (`feature_slot` / `story_slot` = {"open": True, "created": item})."""
    epic_children, feature_children = children_of(
        product=request.product, epic_ids=[epic.pk], feature_ids=state.ids("f")
    )
    decorate_epics(request, [epic], state, epic_children, feature_children)
    for name, extra in slot.items():
        for key, value in extra.items():
            setattr(getattr(epic, name), key, value)
    return {"epic": epic, "state": state}


def feature_children_context(
    request: ProductRequest, feature: Feature, state: TreeState, **extra: Any
) -> dict[str, Any]:
    _, feature_children = children_of(product=request.product, epic_ids=(), feature_ids=[feature.pk])
    decorate_features(request, [feature], state, feature_children)
    for key, value in extra.items():
        setattr(feature.story_slot, key, value)
    return {"feature": feature, "state": state}


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def feature_move(request: ProductRequest) -> HttpResponse:
    """Rank a feature among the features of its epic; answers that epic's list of features."""
    try:
        feature, refusal = _move(request, Feature, lambda item, anchor: item.epic_id == anchor.epic_id)
    except ValidationError as exc:
        return _bad_move(request, exc)
    epic = Epic.objects.get(pk=feature.epic_id)
    return _moved(request, refusal, "feature-list", epic_children_context(request, epic, page_state(request)))


def story_parent(story: Story) -> str:
    return f"f{story.feature_id}" if story.feature_id else f"e{story.epic_id}"


def story_list_context(request: ProductRequest, parent: str, state: TreeState) -> dict[str, Any]:
    """The stories under one parent (`e12` or `f40`), as its list in the tree shows them."""
    pk = int(parent[1:])
    if parent[0] == "e":
        children = children_of(product=request.product, epic_ids=[pk])[0][pk]
    else:
        children = children_of(product=request.product, epic_ids=(), feature_ids=[pk])[1][pk]
    return {"parent_token": parent, "children": children, "state": state}


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def story_move(request: ProductRequest) -> HttpResponse:
    """Rank a story among its siblings (the stories of its feature, or directly under its epic)."""
    try:
        story, refusal = _move(request, Story, lambda item, anchor: story_parent(item) == story_parent(anchor))
    except ValidationError as exc:
        return _bad_move(request, exc)
    return _moved(request, refusal, "story-list", story_list_context(request, story_parent(story), page_state(request)))
