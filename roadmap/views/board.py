"""The now / next / later board: switch roadmaps, create one, add items in a lane, drag (or move) them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from core.ui.decorators import product_view
from core.ui.forms import MoveForm, add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from core.ui.objects import get_in_product_or_404

from .. import services
from ..board import board_lanes, pick_roadmap, product_roadmaps
from ..forms import BaselineForm, ItemCreateForm, RoadmapForm
from ..models import Lane, Roadmap, RoadmapItem
from .common import REFUSALS, page_url, post_only, refusal_text

TEMPLATE = "roadmap/board.html"


def board_context(
    request: ProductRequest,
    roadmap: Roadmap | None,
    *,
    roadmaps: list[Roadmap] | None = None,
    create_form: ItemCreateForm | None = None,
    roadmap_form: RoadmapForm | None = None,
    move_error: str = "",
) -> dict[str, Any]:
    """The board of `roadmap`, read from the database; a bound form with errors replaces its lane's blank one."""
    lanes = board_lanes(roadmap) if roadmap is not None else []
    for lane in lanes:
        bound = create_form is not None and create_form.data.get("lane") == lane.lane
        lane.form = create_form if bound else ItemCreateForm(initial={"lane": lane.lane}, auto_id=f"new-{lane.lane}-%s")
    return {
        "roadmaps": roadmaps if roadmaps is not None else product_roadmaps(request.product),
        "roadmap": roadmap,
        "lanes": lanes,
        "lane_choices": Lane.choices,
        "roadmap_form": roadmap_form or RoadmapForm(auto_id="roadmap-%s"),
        "baseline_form": BaselineForm(auto_id="baseline-%s"),
        "move_error": move_error,
    }


@product_view()
@require_safe
def board(request: ProductRequest) -> HttpResponse:
    """Now / next / later of one roadmap (`?roadmap=<id>`, else the first); htmx gets the lanes only."""
    roadmaps = product_roadmaps(request.product)
    roadmap = pick_roadmap(roadmaps, request.GET.get("roadmap"))
    context = board_context(request, roadmap, roadmaps=roadmaps)
    return render_page(request, TEMPLATE, context, partial="board")


@product_view()
def roadmap_create(request: ProductRequest) -> HttpResponse:
    if request.method != "POST":
        return post_only()
    form = RoadmapForm(request.POST, auto_id="roadmap-%s")
    if form.is_valid():
        try:
            roadmap = services.roadmap_create(product=request.product, actor=request.user, **form.cleaned_data)
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        roadmaps = product_roadmaps(request.product)
        roadmap = pick_roadmap(roadmaps, None)
        context = board_context(request, roadmap, roadmaps=roadmaps, roadmap_form=form)
        context["roadmap_form_open"] = True
        return render_form_errors(request, TEMPLATE, context)
    messages.success(request, f"Created the roadmap {roadmap.name}.")
    return redirect(page_url("roadmap:board", request.product, roadmap))


@product_view()
def item_create(request: ProductRequest, roadmap_id: int) -> HttpResponse:
    """Add an item at the bottom of a lane; htmx gets the board back (with the form's errors: 422)."""
    roadmap = get_in_product_or_404(Roadmap, product=request.product, pk=roadmap_id)
    if request.method != "POST":
        return post_only()
    form = ItemCreateForm(request.POST, auto_id=f"new-{request.POST.get('lane', '')}-%s")
    if form.is_valid():
        try:
            item = services.roadmap_item_create(roadmap=roadmap, actor=request.user, **form.cleaned_data)
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        if "lane" in form.errors:  # no lane's form to show it on: said above the lanes
            context = board_context(request, roadmap, move_error="Choose the lane Now, Next or Later.")
        else:
            context = board_context(request, roadmap, create_form=form)
        return render_form_errors(request, TEMPLATE, context, partial="board")
    if not request.htmx:
        messages.success(request, f"Added {item.title} to {item.get_lane_display()}.")
        return redirect(page_url("roadmap:board", request.product, roadmap))
    return render_page(request, TEMPLATE, board_context(request, roadmap), partial="board")


@product_view()
def move(request: ProductRequest, roadmap_id: int) -> HttpResponse:
    """A drop or a keyboard move (docs/ui.md, "Sortable lists"): `list` is the lane, `after`/`before` a neighbour.

    htmx gets the whole board back from the database (200, or 422 with the reason when refused).
    """
    roadmap = get_in_product_or_404(Roadmap, product=request.product, pk=roadmap_id)
    if request.method != "POST":
        return post_only()
    form = MoveForm(request.POST)
    error = ""
    moved: RoadmapItem | None = None
    if form.is_valid():
        on_roadmap = RoadmapItem.objects.filter(roadmap=roadmap)
        moved = get_in_product_or_404(on_roadmap, product=request.product, pk=form.cleaned_data["item"])
        anchors = {}
        if anchor := form.anchor():
            anchors[anchor[0]] = get_in_product_or_404(on_roadmap, product=request.product, pk=anchor[1])
        try:
            services.roadmap_item_move(item=moved, lane=form.cleaned_data["list"] or None, **anchors)
        except REFUSALS as exc:
            error = refusal_text(exc)
    else:
        error = " ".join(message for errors in form.errors.values() for message in errors)
    if not request.htmx:
        if error:
            messages.error(request, error)
        url = page_url("roadmap:board", request.product, roadmap)
        return redirect(f"{url}#item-{moved.pk}" if moved is not None else url)
    context = board_context(request, roadmap, move_error=error)
    return render_page(request, TEMPLATE, context, partial="board", status=422 if error else 200)
