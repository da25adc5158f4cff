"""The acceptance criteria of a story: a checklist on its page, through the criterion services. A criterion's
editor carries the criterion's version, as a field's editor carries the item's: a save over a newer version is
refused with 409 and the criterion's current wording."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_page
from core.ui.objects import get_in_product_or_404
from workspaces.models import Role

from .. import services
from ..forms import CriterionEditForm, CriterionForm, item_version
from ..models import AcceptanceCriterion, Story
from .items import STORY, criteria_context, page_context


def _criteria_answer(request: ProductRequest, story: Story, status: int = 200, **context: Any) -> HttpResponse:
    if not request.htmx and status == 200:
        return HttpResponseRedirect(f"{STORY.page_url(request, story)}#criteria")
    if not request.htmx:
        full = {**page_context(request, STORY, story), **criteria_context(request, story, **context)}
        return render_page(request, STORY.template, full, status=status)
    return render_page(
        request, STORY.template, criteria_context(request, story, **context), partial="criteria", status=status
    )


def _criterion(request: ProductRequest, criterion_id: int) -> AcceptanceCriterion:
    return get_in_product_or_404(
        AcceptanceCriterion.objects.select_related("story"),
        product=request.product,
        pk=criterion_id,
        product_path="story__product",
    )


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def criterion_add(request: ProductRequest, story_id: int) -> HttpResponse:
    """A criterion at the end of the checklist; the field stays ready for the next one."""
    story = get_in_product_or_404(Story, product=request.product, pk=story_id)
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            services.criterion_add(story=story, text=form.cleaned_data["text"])
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if form.errors:
        return _criteria_answer(request, _story_page_item(request, story), 422, add_form=form, focus_add=True)
    return _criteria_answer(request, story, focus_add=True)


def _story_page_item(request: ProductRequest, story: Story) -> Story:
    """The story as its page shows it (a full page re-render after an error without JS)."""
    return story if request.htmx else STORY.get(request, story.pk)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def criterion_toggle(request: ProductRequest, criterion_id: int) -> HttpResponse:
    """Mark a criterion met (`is_met=1`) or not (`is_met=0`)."""
    criterion = _criterion(request, criterion_id)
    services.criterion_update(criterion=criterion, actor=request.user, is_met=request.POST.get("is_met") == "1")
    return _criteria_answer(request, criterion.story)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("GET", "HEAD", "POST")
def criterion_edit(request: ProductRequest, criterion_id: int) -> HttpResponse:
    """GET: the criterion's editor (in the checklist). POST: reword it."""
    criterion = _criterion(request, criterion_id)
    story = criterion.story
    if request.method == "GET":
        if not request.htmx:
            return HttpResponseRedirect(f"{STORY.page_url(request, story)}?criterion={criterion.pk}#criteria")
        editing = None if request.GET.get("cancel") else criterion.pk
        return render_page(
            request, STORY.template, criteria_context(request, story, editing=editing), partial="criteria"
        )
    form = CriterionEditForm(request.POST, criterion=criterion)
    if form.is_valid():
        try:
            with transaction.atomic():
                current = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
                if form.cleaned_data["version"] != item_version(current):
                    return _criterion_conflict(request, story, current, form)
                services.criterion_update(criterion=current, actor=request.user, text=form.cleaned_data["text"])
        except (ApplicationError, ValidationError) as exc:
            add_service_error(form, exc)
    if form.errors:
        story = _story_page_item(request, story)
        return _criteria_answer(request, story, 422, editing=criterion.pk, edit_form=form)
    return _criteria_answer(request, story)


def _criterion_conflict(
    request: ProductRequest, story: Story, current: AcceptanceCriterion, stale: CriterionEditForm
) -> HttpResponse:
    """409: the criterion was reworded (or checked) after this editor opened. The message quotes it as it
    reads now; the editor keeps what this person typed, based on the current version, so that saving again
    is a deliberate "replace it with mine"."""
    data = stale.data.copy()
    data["version"] = item_version(current)
    form = CriterionEditForm(data, criterion=current)
    form.is_valid()
    conflict = {"theirs": current.text, "met": current.is_met}
    story = _story_page_item(request, story)
    return _criteria_answer(request, story, 409, editing=current.pk, edit_form=form, criterion_conflict=conflict)


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def criterion_delete(request: ProductRequest, criterion_id: int) -> HttpResponse:
    criterion = _criterion(request, criterion_id)
    services.criterion_delete(criterion=criterion, actor=request.user)
    return _criteria_answer(request, criterion.story)
