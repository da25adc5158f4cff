"""Rank moves: a move writes one row; a rank grown too long rebalances the list first."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max, Min

from core.db import ranks_rewrite
from core.errors import ApplicationError
from core.ranks import rank_between
from workspaces.models import Product

from ..models import BacklogItem, Epic, Feature, Story, TechDebtItem
from .items import Item

MOVE_ATTEMPTS = 5


# A move whose new rank would be longer than this rebalances the list first (ranks hold RANK_MAX_LENGTH).
REBALANCE_AT = 100
RANKED_MODELS: tuple[type[BacklogItem], ...] = (Epic, Feature, Story, TechDebtItem)


def item_move(*, item: Item, before: Item | None = None, after: Item | None = None) -> Item:
    """Place `item` just before `before` or just after `after`, writing only `item`'s rank.

    Two people dropping into the same gap at once compute the same rank; the unique
    (product, rank) constraint refuses the second write, which then recomputes.

    A normal move still writes that one row. Ranks grow by about one character for every five
    drops into the same narrow gap; only when the new rank would pass REBALANCE_AT (100)
    characters, which takes hundreds of such drops, does the move first rewrite the ranks of the
    product's items of that kind (ranks_rebalance, in its own transaction once the move's locks
    are released) and then compute the rank again.
    """
    if (before is None) == (after is None):
        raise ApplicationError("Say where the item goes: before one item or after another.", field="before")
    anchor = before or after
    model = type(item)
    if type(anchor) is not model or anchor.product_id != item.product_id:
        raise ApplicationError(
            f"Items can only be ranked against a {model._meta.verbose_name} of the same product.",
            field="before" if before else "after",
        )
    if anchor.pk == item.pk:
        return item
    rebalanced = False
    for _ in range(MOVE_ATTEMPTS):
        try:
            with transaction.atomic():
                rank = _rank_next_to(model, item=item, anchor_pk=anchor.pk, place_before=before is not None)
                if len(rank) <= REBALANCE_AT or rebalanced:
                    model.objects.filter(pk=item.pk).update(rank=rank)
                    item.rank = rank
                    return item
        except IntegrityError:
            continue
        # The rank would be too long. The transaction above has ended without writing, so the
        # rebalance does not wait on locks this move holds.
        ranks_rebalance(product_id=item.product_id, model=model)
        rebalanced = True
    raise ApplicationError("The list kept changing while moving the item; try again.")


@transaction.atomic
def ranks_rebalance(*, product_id: int, model: type[BacklogItem]) -> dict[int, str]:
    """Rewrite the ranks of one product's items of `model` evenly (core.ranks.initial_ranks), in the
    same order; returns the new rank of each item by id.

    Locks the product row first, as creating an item does (so none is added meanwhile and a
    creator's "after the last rank" sees the new ranks), then the items, in primary-key order as
    item_move locks them. Like a move, it writes only ranks: no history, no updated_at.
    """
    if model not in RANKED_MODELS:
        raise TypeError(f"{model.__name__} has no product-wide rank; use one of the backlog item models.")
    Product.objects.select_for_update().filter(pk=product_id).exists()
    rows = list(
        model.objects.select_for_update().filter(product_id=product_id).order_by("pk").values_list("pk", "rank")
    )
    # Python compares these ASCII strings byte by byte, as the "C" collation of the rank column does.
    pks = [pk for pk, _ in sorted(rows, key=lambda row: row[1])]
    return dict(zip(pks, ranks_rewrite(model, pks), strict=True))


def _rank_next_to(model: type[BacklogItem], *, item: BacklogItem, anchor_pk: int, place_before: bool) -> str:
    # Locking the anchor serialises moves next to it; reads after the lock see committed moves. The
    # item is locked too, in the same statement and in primary-key order, so that two crossing moves
    # (x after y while y goes after x) queue up instead of deadlocking.
    locked = dict(
        model.objects.select_for_update().filter(pk__in=[item.pk, anchor_pk]).order_by("pk").values_list("pk", "rank")
    )
    if anchor_pk not in locked:
        raise ApplicationError("The item to place it next to no longer exists.")
    anchor_rank = locked[anchor_pk]
    siblings = model.objects.filter(product_id=item.product_id).exclude(pk=item.pk)
    if place_before:
        neighbour = siblings.filter(rank__lt=anchor_rank).aggregate(r=Max("rank"))["r"]
        return rank_between(neighbour, anchor_rank)
    neighbour = siblings.filter(rank__gt=anchor_rank).aggregate(r=Min("rank"))["r"]
    return rank_between(anchor_rank, neighbour)
