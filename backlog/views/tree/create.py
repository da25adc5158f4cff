"""Inline creation of epics, features and stories: the new row appears in place; errors re-render the
form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django_htmx.http import reswap, retarget

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from ... import services
from ...forms import StoryCreateForm, TitleForm
from ...models import Epic, Feature
from .moves import epic_children_context, feature_children_context
from .nodes import Slot, epic_slot, feature_slot, story_slot, tree_context
from .state import TEMPLATE, page_state, redirect_back


def _create(request: ProductRequest, form: Any, create: Any) -> Any:
    """Run `create()` when the form is valid; a service's refusal becomes a form error. The item or None."""
    if not form.is_valid():
        return None
    try:
        return create(form.cleaned_data)
    except (ApplicationError, ValidationError) as exc:
        add_service_error(form, exc)
        return None


def _form_errors(request: ProductRequest, slot: Slot) -> HttpResponse:
    response = render_form_errors(request, TEMPLATE, {"slot": slot}, partial="create-form")
    return reswap(retarget(response, f"#{slot.form_id}"), "outerHTML") if request.htmx else response


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def epic_create(request: ProductRequest) -> HttpResponse:
    """A new epic at the end of the backlog; the form stays open for the next one."""
    form = TitleForm(request.POST, prefix_id="epic-form")
    epic = _create(
        request, form, lambda data: services.epic_create(product=request.product, actor=request.user, **data)
    )
    if epic is None:
        return _form_errors(request, epic_slot(request, form, open=True))
    if not request.htmx:
        messages.success(request, f"Added {epic.key} {epic.title}.")
        return redirect_back(request)
    state = page_state(request)
    context = {**tree_context(request, state), "state": state}
    context["epic_slot"] = epic_slot(request, open=True, created=epic)
    return render_page(request, TEMPLATE, context, partial="tree")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def feature_create(request: ProductRequest, epic_id: int) -> HttpResponse:
    """A new feature under an epic; answers the epic's children with the form open for the next one."""
    epic = get_in_product_or_404(Epic.objects.select_related("product"), product=request.product, pk=epic_id)
    form = TitleForm(request.POST, prefix_id=f"epic-{epic.pk}-feature-form")
    feature = _create(request, form, lambda data: services.feature_create(epic=epic, actor=request.user, **data))
    if feature is None:
        return _form_errors(request, feature_slot(request, epic, form, open=True))
    if not request.htmx:
        messages.success(request, f"Added {feature.key} {feature.title} to {epic.key}.")
        return redirect_back(request, open_token=f"e{epic.pk}")
    context = epic_children_context(request, epic, page_state(request), feature_slot={"open": True, "created": feature})
    return render_page(request, TEMPLATE, context, partial="epic-children")


def _story_create(request: ProductRequest, parent: Epic | Feature) -> HttpResponse:
    is_feature = isinstance(parent, Feature)
    form = StoryCreateForm(request.POST, prefix_id=f"{'feature' if is_feature else 'epic'}-{parent.pk}-story-form")
    under = {"feature": parent} if is_feature else {"epic": parent}
    story = _create(
        request,
        form,
        lambda data: services.story_create(product=request.product, actor=request.user, **under, **data),
    )
    if story is None:
        return _form_errors(request, story_slot(request, parent, form, open=True))
    if not request.htmx:
        messages.success(request, f"Added {story.key} {story.title} to {parent.key}.")
        return redirect_back(request, open_token=f"{'f' if is_feature else 'e'}{parent.pk}")
    state = page_state(request)
    if is_feature:
        context = feature_children_context(request, parent, state, open=True, created=story)
        return render_page(request, TEMPLATE, context, partial="feature-children")
    context = epic_children_context(request, parent, state, story_slot={"open": True, "created": story})
    return render_page(request, TEMPLATE, context, partial="epic-children")


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def epic_story_create(request: ProductRequest, epic_id: int) -> HttpResponse:
    """A new story directly under an epic."""
    epic = get_in_product_or_404(Epic.objects.select_related("product"), product=request.product, pk=epic_id)
    return _story_create(request, epic)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def feature_story_create(request: ProductRequest, feature_id: int) -> HttpResponse:
    """A new story under a feature."""
    feature = get_in_product_or_404(Feature.objects.select_related("product"), product=request.product, pk=feature_id)
    return _story_create(request, feature)
