"""Baselines: freeze a roadmap for a review, list them, and see what moved since."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.ui.decorators import product_view
from core.ui.forms import add_service_error
from core.ui.http import ProductRequest, render_form_errors, render_page
from core.ui.objects import get_in_product_or_404

from .. import services
from ..board import roadmaps_with_baselines
from ..forms import BaselineForm
from ..models import Baseline, Confidence, Lane, Milestone, Roadmap, RoadmapItem
from ..selectors import BaselineDiff, Change, baseline_diff
from .common import REFUSALS, page_url, post_only

LIST_TEMPLATE = "roadmap/baseline_list.html"
LABELS: dict[str, dict[Any, str]] = {
    "lane": dict(Lane.choices),
    "confidence": dict(Confidence.choices),
    "status": dict(RoadmapItem.Status.choices),
}


def _list_context(
    request: ProductRequest, *, failed: BaselineForm | None = None, roadmap_id: int = 0
) -> dict[str, Any]:
    """Every roadmap with its baselines and a form to take one (the failed one, with its errors, where it failed)."""
    roadmaps = roadmaps_with_baselines(request.product)
    for roadmap in roadmaps:
        bound = failed is not None and roadmap.pk == roadmap_id
        roadmap.baseline_form = failed if bound else BaselineForm(auto_id=f"baseline-{roadmap.pk}-%s")
    return {"roadmaps": roadmaps}


@product_view()
@require_safe
def baseline_list(request: ProductRequest) -> HttpResponse:
    return render_page(request, LIST_TEMPLATE, _list_context(request), partial="baselines")


@product_view()
def baseline_create(request: ProductRequest, roadmap_id: int) -> HttpResponse:
    """Freeze the roadmap now; then show what moved since (the new baseline's page)."""
    roadmap = get_in_product_or_404(Roadmap, product=request.product, pk=roadmap_id)
    if request.method != "POST":
        return post_only()
    form = BaselineForm(request.POST, auto_id=f"baseline-{roadmap.pk}-%s")
    if form.is_valid():
        try:
            baseline = services.baseline_create(roadmap=roadmap, name=form.cleaned_data["name"], actor=request.user)
        except REFUSALS as exc:
            add_service_error(form, exc)
    if form.errors:
        return render_form_errors(
            request, LIST_TEMPLATE, _list_context(request, failed=form, roadmap_id=roadmap.pk), partial="baselines"
        )
    messages.success(request, f"Took the baseline {baseline.name} of {roadmap.name}.")
    return redirect(reverse("roadmap:baseline_detail", args=[request.product.pk, baseline.pk]))


@dataclass
class Row:
    """One line of "what moved": the item, and the value before and after as people read them."""

    item_id: int
    title: str
    before: str
    after: str


def _show(field: str, value: Any, milestones: dict[int, str]) -> str:
    if value in (None, ""):
        return "none"
    if field in LABELS:
        return LABELS[field].get(value, str(value))
    if field == "milestone_id":
        return milestones.get(value, "a deleted milestone")
    if field in ("start_date", "end_date"):
        return date.fromisoformat(value).strftime("%-d %b %Y")
    return str(value)


def _dates(values: dict[str, Any], milestones: dict[int, str]) -> str:
    start, end = values.get("start_date"), values.get("end_date")
    if not start and not end:
        return "no dates"
    return f"{_show('start_date', start, milestones)} – {_show('end_date', end, milestones)}"


def _rows(changes: list[Change], field: str, milestones: dict[int, str]) -> list[Row]:
    rows = []
    for change in changes:
        if field == "dates":
            before, after = _dates(change.before, milestones), _dates(change.after, milestones)
        else:
            before, after = (
                _show(field, change.before[field], milestones),
                _show(field, change.after[field], milestones),
            )
        rows.append(Row(change.item_id, change.title, before, after))
    return rows


def describe(diff: BaselineDiff, product_id: int) -> list[dict[str, Any]]:
    """The diff's sections in reading order, each with its rows in words (the items all still exist)."""
    milestones = dict(Milestone.objects.filter(product_id=product_id).values_list("pk", "name"))
    return [
        {"key": "relaned", "title": "Re-laned", "rows": _rows(diff.relaned, "lane", milestones)},
        {"key": "redated", "title": "Re-dated", "rows": _rows(diff.redated, "dates", milestones)},
        {
            "key": "confidence",
            "title": "Confidence changed",
            "rows": _rows(diff.confidence_changed, "confidence", milestones),
        },
        {"key": "status", "title": "Status changed", "rows": _rows(diff.status_changed, "status", milestones)},
        {
            "key": "milestone",
            "title": "Milestone changed",
            "rows": _rows(diff.milestone_changed, "milestone_id", milestones),
        },
        {"key": "retitled", "title": "Renamed", "rows": _rows(diff.retitled, "title", milestones)},
    ]


@product_view()
def baseline_detail(request: ProductRequest, baseline_id: int) -> HttpResponse:
    baseline = get_in_product_or_404(
        Baseline.objects.select_related("roadmap", "created_by"), product=request.product, pk=baseline_id
    )
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    diff = baseline_diff(baseline)
    context = {
        "baseline": baseline,
        "roadmap": baseline.roadmap,
        "diff": diff,
        "added": [
            {**row, "lane_label": LABELS["lane"].get(row["lane"], row["lane"]), "dates": _dates(row, {})}
            for row in diff.added
        ],
        "removed": [
            {**row, "lane_label": LABELS["lane"].get(row["lane"], row["lane"]), "dates": _dates(row, {})}
            for row in diff.removed
        ],
        "sections": describe(diff, request.product.pk),
        "board_url": page_url("roadmap:board", request.product, baseline.roadmap),
    }
    return render_page(request, "roadmap/baseline_detail.html", context, partial="diff")
