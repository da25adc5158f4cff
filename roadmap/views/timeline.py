"""The timeline (`?roadmap=<id>&scale=months|quarters`) and the product's milestones, edited on it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_safe

from core.ui.decorators import product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from core.ui.objects import get_in_product_or_404

from .. import services
from ..board import pick_roadmap, product_roadmaps
from ..forms import BaselineForm, MilestoneEditForm, MilestoneForm, milestone_version
from ..models import Confidence, Lane, Milestone, Roadmap
from ..timeline import SCALES, timeline_for
from .common import REFUSALS, page_url, post_only

TEMPLATE = "roadmap/timeline.html"
CONFLICT = 409


def _state(request: ProductRequest, params: QueryDict) -> tuple[list[Roadmap], Roadmap | None, str]:
    """The roadmap and scale the page shows, from the query string (GET) or the form's hidden fields (POST)."""
    roadmaps = product_roadmaps(request.product)
    scale = params.get("scale")
    return roadmaps, pick_roadmap(roadmaps, params.get("roadmap")), scale if scale in SCALES else "months"


def _state_query(roadmap: Roadmap | None, scale: str) -> str:
    return f"?roadmap={roadmap.pk}&scale={scale}" if roadmap is not None else f"?scale={scale}"


def _state_inputs(roadmap: Roadmap | None, scale: str) -> str:
    """Hidden fields that bring a write back to the same view of the timeline."""
    inputs = format_html('<input type="hidden" name="scale" value="{}">', scale)
    if roadmap is not None:
        inputs += format_html('<input type="hidden" name="roadmap" value="{}">', roadmap.pk)
    return inputs


def timeline_context(
    request: ProductRequest,
    roadmaps: list[Roadmap],
    roadmap: Roadmap | None,
    scale: str,
    *,
    milestone_form: MilestoneForm | None = None,
    edit_forms: dict[int, MilestoneEditForm] | None = None,
    conflict: str = "",
) -> dict[str, Any]:
    """The chart and the milestones. Milestone edit forms load on demand; one with errors is shown in place."""
    product = request.product
    milestones = list(Milestone.objects.filter(product=product).order_by("date", "pk"))
    timeline = timeline_for(roadmap=roadmap, scale=scale, milestones=milestones) if roadmap is not None else None
    if timeline is not None:
        # Labels made here once: a template filter per bar and per table cell adds up on a full roadmap.
        lanes, confidences = dict(Lane.choices), dict(Confidence.choices)
        for item in [bar.item for bar in timeline.bars] + timeline.undated:
            item.url = reverse("roadmap:item_detail", args=[product.pk, item.pk])
            item.lane_label, item.confidence_label = lanes[item.lane], confidences[item.confidence]
            item.start_label = f"{item.start_date:%-d %b %Y}" if item.start_date else ""
            item.end_label = f"{item.end_date:%-d %b %Y}" if item.end_date else ""
    edit_forms = edit_forms or {}
    for milestone in milestones:
        milestone.edit_url = reverse("roadmap:milestone_update", args=[product.pk, milestone.pk])
        milestone.delete_url = reverse("roadmap:milestone_delete", args=[product.pk, milestone.pk])
        milestone.form = edit_forms.get(milestone.pk)
    return {
        "roadmaps": roadmaps,
        "roadmap": roadmap,
        "scale": scale,
        "scales": [(value, value.capitalize()) for value in SCALES],
        "timeline": timeline,
        "milestones": milestones,
        "milestone_form": milestone_form or MilestoneForm(auto_id="new-milestone-%s"),
        "milestone_form_open": milestone_form is not None,
        "baseline_form": BaselineForm(auto_id="baseline-%s"),
        "conflict": conflict,
        "inline": True,
        "state_query": _state_query(roadmap, scale),
        "state_inputs": _state_inputs(roadmap, scale),
        "timeline_url": page_url("roadmap:timeline", product, roadmap, scale=scale),
    }


@product_view()
@require_safe
def timeline(request: ProductRequest) -> HttpResponse:
    roadmaps, roadmap, scale = _state(request, request.GET)
    return render_page(request, TEMPLATE, timeline_context(request, roadmaps, roadmap, scale), partial="timeline")


def _after_write(request: ProductRequest, message: str) -> HttpResponse:
    roadmaps, roadmap, scale = _state(request, request.POST)
    if not request.htmx:
        messages.success(request, message)
        return redirect(page_url("roadmap:timeline", request.product, roadmap, scale=scale))
    context = timeline_context(request, roadmaps, roadmap, scale)
    context["saved"] = message
    return render_page(request, TEMPLATE, context, partial="timeline")


@product_view()
def milestone_create(request: ProductRequest) -> HttpResponse:
    if request.method != "POST":
        return post_only()
    form = MilestoneForm(request.POST, auto_id="new-milestone-%s")
    if form.is_valid():
        try:
            milestone = services.milestone_create(product=request.product, actor=request.user, **form.cleaned_data)
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        context = timeline_context(request, *_state(request, request.POST), milestone_form=form)
        return render_form_errors(request, TEMPLATE, context, partial="timeline")
    return _after_write(request, f"Added the milestone {milestone.name}.")


@product_view()
def milestone_update(request: ProductRequest, milestone_id: int) -> HttpResponse:
    """GET: the edit form (htmx: the form alone, loaded into the timeline). POST: save it; refused (409) when
    someone changed the milestone after the form was read."""
    milestone = get_in_product_or_404(Milestone, product=request.product, pk=milestone_id)
    if request.method in ("GET", "HEAD"):
        _, roadmap, scale = _state(request, request.GET)
        milestone.edit_url = request.path
        context = {
            "milestone": milestone,
            "form": MilestoneEditForm.for_milestone(milestone),
            "inline": bool(request.htmx),
            "state_inputs": _state_inputs(roadmap, scale),
            "timeline_url": page_url("roadmap:timeline", request.product, roadmap, scale=scale),
        }
        return render_page(request, "roadmap/milestone_form.html", context, partial="milestone-form")
    if request.method != "POST":
        return post_only()
    form = MilestoneEditForm.for_milestone(milestone, request.POST)
    if form.is_valid() and form.cleaned_data["version"] != milestone_version(milestone):
        context = timeline_context(
            request,
            *_state(request, request.POST),
            conflict=f"Not saved: {milestone.name} was changed by someone else after you opened it. "
            "Here is what it holds now; make your change again.",
        )
        return render_page(request, TEMPLATE, context, partial="timeline", status=CONFLICT)
    if form.is_valid():
        try:
            milestone = services.milestone_update(milestone=milestone, actor=request.user, **form.changes())
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        context = timeline_context(request, *_state(request, request.POST), edit_forms={milestone.pk: form})
        return render_form_errors(request, TEMPLATE, context, partial="timeline")
    return _after_write(request, f"Saved the milestone {milestone.name}.")


@product_view()
def milestone_delete(request: ProductRequest, milestone_id: int) -> HttpResponse:
    milestone = get_in_product_or_404(Milestone, product=request.product, pk=milestone_id)
    if request.method != "POST":
        return post_only()
    services.milestone_delete(milestone=milestone, actor=request.user)
    return _after_write(request, f"Deleted the milestone {milestone.name}.")
