"""Moves of roadmap items within and across lanes: one row written; a rank grown too long rebalances the
roadmap first."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min

from core.db import ranks_rewrite
from core.errors import ApplicationError
from core.ranks import rank_after, rank_between

from ..models import Lane, Roadmap, RoadmapItem

MOVE_ATTEMPTS = 5
# A move whose new rank would be longer than this rebalances the roadmap first (ranks hold RANK_MAX_LENGTH).
REBALANCE_AT = 100


def roadmap_item_move(
    *,
    item: RoadmapItem,
    lane: str | None = None,
    before: RoadmapItem | None = None,
    after: RoadmapItem | None = None,
) -> RoadmapItem:
    """Move an item to a lane and/or next to another item; one row written.

    Dropped into a lane without a neighbour, it goes to the bottom of that lane; placed next to
    itself, it stays where it is. A neighbour must sit in the lane the item moves to.

    A normal move still writes that one row. Only when the new rank would pass REBALANCE_AT (100)
    characters, after hundreds of drops into the same narrow gap, does the move first rewrite the
    roadmap's ranks evenly (roadmap_ranks_rebalance, in its own transaction) and compute again.
    """
    if lane is not None and lane not in Lane.values:
        raise ValidationError({"lane": f"Choose one of {', '.join(Lane.values)}."})
    anchor = before or after
    if before is not None and after is not None:
        raise ApplicationError("Place the item before one item or after another, not both.", field="before")
    if anchor is not None and anchor.roadmap_id != item.roadmap_id:
        raise ApplicationError("Items can only be ranked within their roadmap.", field="before" if before else "after")
    if anchor is not None and anchor.pk == item.pk:
        if lane is None or lane == item.lane:
            return item  # Dropped back onto itself: nothing moves.
        anchor = None
    if anchor is not None and lane is not None and anchor.lane != lane:
        raise ApplicationError(
            "Place the item next to an item of the lane it moves to.", field="before" if before else "after"
        )
    target_lane = lane or (anchor.lane if anchor is not None else item.lane)
    rebalanced = False
    for _ in range(MOVE_ATTEMPTS):
        try:
            with transaction.atomic():
                rank = _roadmap_rank(item=item, anchor=anchor, place_before=before is not None, lane=target_lane)
                if len(rank) <= REBALANCE_AT or rebalanced:
                    RoadmapItem.objects.filter(pk=item.pk).update(rank=rank, lane=target_lane)
                    item.rank, item.lane = rank, target_lane
                    return item
        except IntegrityError:
            continue
        # Too long: rebalance once the move's locks are released, then compute again.
        item.rank = roadmap_ranks_rebalance(roadmap_id=item.roadmap_id).get(item.pk, item.rank)
        rebalanced = True
    raise ApplicationError("The roadmap kept changing while moving the item; try again.")


@transaction.atomic
def roadmap_ranks_rebalance(*, roadmap_id: int) -> dict[int, str]:
    """Rewrite the ranks of a roadmap's items evenly (core.ranks.initial_ranks), in the same order.

    Returns the new rank of each item by id. Locks the roadmap row first, as creating an item
    does, then the items in primary-key order. Writes only ranks: no history, no updated_at.
    """
    Roadmap.objects.select_for_update().filter(pk=roadmap_id).exists()
    rows = list(
        RoadmapItem.objects.select_for_update().filter(roadmap_id=roadmap_id).order_by("pk").values_list("pk", "rank")
    )
    # Python compares these ASCII strings byte by byte, as the "C" collation of the rank column does.
    pks = [pk for pk, _ in sorted(rows, key=lambda row: row[1])]
    return dict(zip(pks, ranks_rewrite(RoadmapItem, pks), strict=True))


def _roadmap_rank(*, item: RoadmapItem, anchor: RoadmapItem | None, place_before: bool, lane: str) -> str:
    siblings = RoadmapItem.objects.filter(roadmap_id=item.roadmap_id).exclude(pk=item.pk)
    if anchor is None:
        Roadmap.objects.select_for_update().filter(pk=item.roadmap_id).exists()
        last = siblings.aggregate(r=Max("rank"))["r"]
        if item.lane == lane and item.rank and (last is None or item.rank > last):
            return item.rank
        return rank_after(last)
    anchor_rank = RoadmapItem.objects.select_for_update().values_list("rank", flat=True).get(pk=anchor.pk)
    if place_before:
        return rank_between(siblings.filter(rank__lt=anchor_rank).aggregate(r=Max("rank"))["r"], anchor_rank)
    return rank_between(anchor_rank, siblings.filter(rank__gt=anchor_rank).aggregate(r=Min("rank"))["r"])
