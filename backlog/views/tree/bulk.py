"""Changes to several stories at once: each through its service; refusals named one by one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse

from core.errors import ApplicationError
from core.ui.decorators import allow_methods, product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_page
from workspaces.models import Role

from ... import services
from ...forms import BulkStoryForm
from ...models import Story
from .moves import error_text
from .nodes import body_context
from .state import TEMPLATE, page_state, redirect_back


@product_view(minimum_role=Role.VIEWER, write_role=Role.CONTRIBUTOR)
@allow_methods("POST")
def story_bulk(request: ProductRequest) -> HttpResponse:
    """Set the status or the sprint of the selected stories; each refusal is reported with its story."""
    form = BulkStoryForm(request.POST, product=request.product)
    changed: list[Story] = []
    refused: list[tuple[Story, str]] = []
    if form.is_valid():
        stories = sorted(form.cleaned_data["story"], key=lambda story: story.rank)
        if form.cleaned_data["action"] == "status":
            status = form.cleaned_data["status"]
            for story in stories:
                try:
                    services.story_set_status(story=story, actor=request.user, status=status)
                    changed.append(story)
                except (ApplicationError, ValidationError) as exc:
                    refused.append((story, error_text(exc)))
        else:
            try:
                services.stories_set_sprint(
                    product=request.product,
                    actor=request.user,
                    story_ids=[story.pk for story in stories],
                    sprint=form.cleaned_data["sprint_obj"],
                )
                changed = stories
            except (ApplicationError, ValidationError) as exc:
                add_service_error(form, exc)
    valid = form.is_valid() and not form.errors
    if not request.htmx:
        if not valid:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        else:
            messages.success(request, bulk_summary(changed, refused))
            for story, reason in refused:
                messages.warning(request, f"{story.key} was not changed: {reason}")
        return redirect_back(request)
    state = page_state(request)
    context = body_context(request, state)
    if valid:
        context["bulk_result"] = {"summary": bulk_summary(changed, refused), "refused": refused}
    else:
        context["bulk_form"] = form
    return render_page(request, TEMPLATE, context, partial="body", status=200 if valid else 422)


def bulk_summary(changed: list[Story], refused: list[tuple[Story, str]]) -> str:
    text = f"Changed {len(changed)} stor{'y' if len(changed) == 1 else 'ies'}."
    if refused:
        text += f" {len(refused)} could not be changed."
    return text
