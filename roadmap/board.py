"""Reads of the roadmap pages: the product's roadmaps, the now / next / later board, an item's page.

Each read runs a fixed number of queries whatever the number of items, epics or stories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.http import Http404

from backlog.models import Epic
from backlog.selectors.progress import Progress, epic_progress
from workspaces.models import Product

from .confidence import ConfidenceSignal, confidence_signals
from .models import Baseline, Dependency, Goal, Lane, Roadmap, RoadmapItem
from .selectors import roadmap_item_progress


def product_roadmaps(product: Product) -> list[Roadmap]:
    """Product roadmaps first, then technology ones (the model's ordering), each by name."""
    return list(Roadmap.objects.filter(product=product).order_by("kind", "name", "pk"))


def pick_roadmap(roadmaps: list[Roadmap], requested: str | None) -> Roadmap | None:
    """The roadmap named by `?roadmap=<id>`, else the first one; an id of no roadmap here is a 404."""
    if requested:
        try:
            wanted = int(requested)
        except ValueError:
            wanted = None
        if wanted is not None:
            for roadmap in roadmaps:
                if roadmap.pk == wanted:
                    return roadmap
            raise Http404("No such roadmap in this product.")
    return roadmaps[0] if roadmaps else None


@dataclass
class BoardLane:
    lane: str
    label: str
    items: list[RoadmapItem] = field(default_factory=list)


def board_lanes(roadmap: Roadmap) -> list[BoardLane]:
    """The roadmap's items by lane in rank order, each with `progress`, `prev_id` and `next_id` (three queries)."""
    items = list(RoadmapItem.objects.filter(roadmap=roadmap).select_related("owner", "milestone").order_by("rank"))
    progress = roadmap_item_progress(items)
    lanes = {value: BoardLane(value, label) for value, label in Lane.choices}
    for item in items:
        item.progress = progress.get(item.pk, Progress())
        lanes[item.lane].items.append(item)
    for lane in lanes.values():
        for i, item in enumerate(lane.items):
            item.prev_id = lane.items[i - 1].pk if i else None
            item.next_id = lane.items[i + 1].pk if i + 1 < len(lane.items) else None
    return list(lanes.values())


@dataclass
class ItemPage:
    """Everything the item's page shows beside its form."""

    item: RoadmapItem
    progress: Progress
    signal: ConfidenceSignal
    epics: list[Epic]  # each with `.progress`
    goals: list[Goal]
    depends_on: list[Dependency]  # with `.blocker`
    blocks: list[Dependency]  # with `.blocked`
    flags: list[Any]  # open ReviewFlags


def item_page(item: RoadmapItem, *, today: date | None = None) -> ItemPage:
    """The item's epics with their progress, the roll-up, the computed confidence, dependencies, open flags."""
    epics = list(
        item.epics.select_related("status")
        .only("pk", "number", "title", "status__name", "status__category")
        .order_by("number")
    )
    per_epic = epic_progress([epic.pk for epic in epics])
    total = Progress()
    for epic in epics:
        epic.progress = per_epic.get(epic.pk, Progress())
        total += epic.progress
    signal = confidence_signals([item], today=today, progress={item.pk: total})[item.pk]
    deps = list(Dependency.objects.filter(blocked=item).select_related("blocker").order_by("blocker__title")) + list(
        Dependency.objects.filter(blocker=item).select_related("blocked").order_by("blocked__title")
    )
    return ItemPage(
        item=item,
        progress=total,
        signal=signal,
        epics=epics,
        goals=list(item.goals.order_by("title")),
        depends_on=[dep for dep in deps if dep.blocked_id == item.pk],
        blocks=[dep for dep in deps if dep.blocker_id == item.pk],
        # Reverse relation: the roadmap does not import the decisions app (see roadmap.confidence).
        flags=list(
            item.review_flags.filter(cleared_at__isnull=True).select_related("raised_by").order_by("-created_at")
        ),
    )


def roadmaps_with_baselines(product: Product) -> list[Roadmap]:
    """The product's roadmaps, each with `.baseline_list` (two queries)."""
    return list(
        Roadmap.objects.filter(product=product)
        .order_by("kind", "name", "pk")
        .prefetch_related(
            Prefetch(
                "baselines",
                Baseline.objects.select_related("created_by").order_by("-created_at", "-pk"),
                to_attr="baseline_list",
            )
        )
    )
