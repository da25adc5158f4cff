"""Every write on roadmaps: items, lanes and ranks, dependencies (acyclic), milestones, goals, baselines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min

from backlog.models import Epic
from core.db import ranks_rewrite, save_or_field_error
from core.errors import ApplicationError
from core.ranks import rank_after, rank_between
from workspaces.models import Product

from .models import Baseline, Confidence, Dependency, Goal, Lane, Milestone, Roadmap, RoadmapItem


def _check_member(product: Product, user: AbstractBaseUser | None, field: str) -> None:
    if user is not None and not product.workspace.memberships.filter(user=user).exists():
        raise ValidationError({field: "Choose a member of this workspace."})


def _check_same_product(product: Product, field: str, objects: Iterable[Any]) -> None:
    for obj in objects:
        if obj.product_id != product.pk:
            raise ValidationError({field: f"{obj} belongs to another product."})


@transaction.atomic
def roadmap_create(
    *,
    product: Product,
    name: str,
    kind: str = Roadmap.Kind.PRODUCT,
    description: str = "",
    owner: AbstractBaseUser | None = None,
    actor: AbstractBaseUser | None = None,
) -> Roadmap:
    roadmap = Roadmap(product=product, name=name, kind=kind, description=description, owner=owner)
    roadmap.full_clean(validate_constraints=False)
    _check_member(product, owner, "owner")
    duplicate = f"{product.name} already has a roadmap called {name}."
    if Roadmap.objects.filter(product=product, name=name).exists():
        raise ValidationError({"name": duplicate})
    roadmap._history_user = actor
    save_or_field_error(roadmap, constraint="roadmap_unique_name_per_product", field="name", message=duplicate)
    return roadmap


ROADMAP_EDITABLE_FIELDS = frozenset({"name", "kind", "description", "owner"})


@transaction.atomic
def roadmap_update(*, roadmap: Roadmap, actor: AbstractBaseUser | None, **changes: Any) -> Roadmap:
    """Rename, re-describe, re-kind or re-own a roadmap. It stays in its product."""
    unknown = set(changes) - ROADMAP_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    roadmap = Roadmap.objects.select_for_update().select_related("product__workspace").get(pk=roadmap.pk)
    for field, value in changes.items():
        setattr(roadmap, field, value)
    roadmap.full_clean(validate_constraints=False)
    product = roadmap.product
    if "owner" in changes:
        _check_member(product, changes["owner"], "owner")
    duplicate = f"{product.name} already has a roadmap called {roadmap.name}."
    if Roadmap.objects.filter(product=product, name=roadmap.name).exclude(pk=roadmap.pk).exists():
        raise ValidationError({"name": duplicate})
    roadmap._history_user = actor
    save_or_field_error(roadmap, constraint="roadmap_unique_name_per_product", field="name", message=duplicate)
    return roadmap


@transaction.atomic
def roadmap_delete(*, roadmap: Roadmap, actor: AbstractBaseUser | None) -> None:
    """Delete a roadmap that holds no items; its baselines go with it.

    Items are work (with dependencies, progress links and sign-off context): deleting the roadmap
    would cascade through them, so they are deleted one deliberate step at a time first. The
    roadmap row is locked, as creating an item does, so no item is added meanwhile.
    """
    locked = Roadmap.objects.select_for_update().filter(pk=roadmap.pk).first()
    if locked is None:
        return
    count = RoadmapItem.objects.filter(roadmap=locked).count()
    if count:
        noun = "item" if count == 1 else "items"
        raise ApplicationError(
            f"{locked.name} still holds {count} {noun}; delete them before deleting the roadmap.",
            extra={"items": count},
        )
    locked._history_user = actor
    locked.delete()


@transaction.atomic
def roadmap_item_create(
    *,
    roadmap: Roadmap,
    actor: AbstractBaseUser | None,
    title: str,
    lane: str = Lane.NEXT,
    description: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
    confidence: str = Confidence.ON_TRACK,
    status: str = RoadmapItem.Status.PLANNED,
    owner: AbstractBaseUser | None = None,
    milestone: Milestone | None = None,
    epics: Iterable[Epic] = (),
    goals: Iterable[Goal] = (),
) -> RoadmapItem:
    item = RoadmapItem(
        roadmap=roadmap,
        title=title,
        lane=lane,
        description=description,
        start_date=start_date,
        end_date=end_date,
        confidence=confidence,
        status=status,
        owner=owner,
        milestone=milestone,
    )
    item.full_clean(exclude=["rank"], validate_constraints=False)
    product = roadmap.product
    _check_member(product, owner, "owner")
    epics, goals = list(epics), list(goals)
    _check_same_product(product, "epics", epics)
    _check_same_product(product, "goals", goals)
    # Lock the roadmap so that two items created at once do not take the same last rank.
    Roadmap.objects.select_for_update().filter(pk=roadmap.pk).exists()
    last_rank = RoadmapItem.objects.filter(roadmap=roadmap).aggregate(last=Max("rank"))["last"]
    item.rank = rank_after(last_rank)
    item._history_user = actor
    item.save()
    item.epics.set(epics)
    item.goals.set(goals)
    return item


ITEM_EDITABLE_FIELDS = frozenset(
    {"title", "description", "lane", "status", "start_date", "end_date", "confidence", "owner", "milestone"}
)


@transaction.atomic
def roadmap_item_update(
    *,
    item: RoadmapItem,
    actor: AbstractBaseUser | None,
    epics: Iterable[Epic] | None = None,
    goals: Iterable[Goal] | None = None,
    **changes: Any,
) -> RoadmapItem:
    unknown = set(changes) - ITEM_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    item = RoadmapItem.objects.select_for_update().select_related("roadmap__product__workspace").get(pk=item.pk)
    product = item.roadmap.product
    for field, value in changes.items():
        setattr(item, field, value)
    item.full_clean(exclude=["rank"], validate_constraints=False)
    if "owner" in changes:
        _check_member(product, changes["owner"], "owner")
    item._history_user = actor
    item.save()
    if epics is not None:
        epics = list(epics)
        _check_same_product(product, "epics", epics)
        item.epics.set(epics)
    if goals is not None:
        goals = list(goals)
        _check_same_product(product, "goals", goals)
        item.goals.set(goals)
    return item


@transaction.atomic
def roadmap_item_delete(*, item: RoadmapItem, actor: AbstractBaseUser | None) -> None:
    """Delete an item with its dependencies (both ways) and review flags; linked epics, goals, PRDs stay.

    History records the deletion and who made it. Baselines keep the item in their snapshots,
    so a diff lists it as removed.
    """
    locked = RoadmapItem.objects.select_for_update().filter(pk=item.pk).first()
    if locked is None:
        return
    locked._history_user = actor
    locked.delete()


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


# --- Dependencies --------------------------------------------------------------------------------


@transaction.atomic
def dependency_add(*, blocker: RoadmapItem, blocked: RoadmapItem, note: str = "") -> Dependency:
    """`blocked` depends on `blocker`. Refused if it would close a cycle."""
    if blocker.pk == blocked.pk:
        raise ValidationError({"blocker": "An item cannot depend on itself."})
    product_id = blocked.roadmap.product_id
    if blocker.roadmap.product_id != product_id:
        raise ValidationError({"blocker": "Dependencies stay within one product."})
    # One dependency change per product at a time, so two edges added at once cannot form a cycle together.
    Product.objects.select_for_update().filter(pk=product_id).exists()
    edges = Dependency.objects.filter(blocked__roadmap__product_id=product_id).values_list("blocked_id", "blocker_id")
    blockers_of: dict[int, set[int]] = defaultdict(set)
    for blocked_id, blocker_id in edges:
        blockers_of[blocked_id].add(blocker_id)
    path = _path(blockers_of, start=blocker.pk, goal=blocked.pk)
    if path is not None:
        titles = dict(RoadmapItem.objects.filter(pk__in=path).values_list("pk", "title"))
        chain = " → ".join(titles[pk] for pk in [blocked.pk, *path])
        raise ValidationError({"blocker": f"This would make a dependency cycle: {chain}."})
    dependency, _ = Dependency.objects.get_or_create(blocker=blocker, blocked=blocked, defaults={"note": note})
    return dependency


def _path(blockers_of: dict[int, set[int]], *, start: int, goal: int) -> list[int] | None:
    """Items from `start` to `goal` following 'depends on' edges, or None when there is no such path."""
    came_from: dict[int, int | None] = {start: None}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            path = [node]
            while came_from[path[-1]] is not None:
                path.append(came_from[path[-1]])  # type: ignore[arg-type]
            return list(reversed(path))
        for nxt in blockers_of.get(node, ()):
            if nxt not in came_from:
                came_from[nxt] = node
                frontier.append(nxt)
    return None


@transaction.atomic
def dependency_remove(*, blocker: RoadmapItem, blocked: RoadmapItem) -> bool:
    deleted, _ = Dependency.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


# --- Milestones, goals --------------------------------------------------------------------------


@transaction.atomic
def milestone_create(
    *,
    product: Product,
    name: str,
    date: date,
    kind: str = Milestone.Kind.MILESTONE,
    description: str = "",
    is_reached: bool = False,
    actor: AbstractBaseUser | None = None,
) -> Milestone:
    milestone = Milestone(
        product=product, name=name, date=date, kind=kind, description=description, is_reached=is_reached
    )
    milestone.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a milestone called {name}."
    if Milestone.objects.filter(product=product, name=name).exists():
        raise ValidationError({"name": duplicate})
    milestone._history_user = actor
    save_or_field_error(milestone, constraint="milestone_unique_name_per_product", field="name", message=duplicate)
    return milestone


MILESTONE_EDITABLE_FIELDS = frozenset({"name", "kind", "date", "description", "is_reached"})


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor: AbstractBaseUser | None, **changes: Any) -> Milestone:
    """Rename, re-date or mark a milestone reached. It stays in its product."""
    unknown = set(changes) - MILESTONE_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    milestone = Milestone.objects.select_for_update().select_related("product").get(pk=milestone.pk)
    for field, value in changes.items():
        setattr(milestone, field, value)
    milestone.full_clean(validate_constraints=False)
    product = milestone.product
    duplicate = f"{product.name} already has a milestone called {milestone.name}."
    if Milestone.objects.filter(product=product, name=milestone.name).exclude(pk=milestone.pk).exists():
        raise ValidationError({"name": duplicate})
    milestone._history_user = actor
    save_or_field_error(milestone, constraint="milestone_unique_name_per_product", field="name", message=duplicate)
    return milestone


@transaction.atomic
def milestone_delete(*, milestone: Milestone, actor: AbstractBaseUser | None) -> None:
    """Delete a milestone; the items that shipped in it lose it, each with a history entry naming `actor`."""
    locked = Milestone.objects.select_for_update().filter(pk=milestone.pk).first()
    if locked is None:
        return
    for item in RoadmapItem.objects.select_for_update().filter(milestone=locked).order_by("pk"):
        item.milestone = None
        item._history_user = actor
        item.save(update_fields=["milestone", "updated_at"])
    locked._history_user = actor
    locked.delete()


@transaction.atomic
def goal_create(
    *,
    product: Product,
    title: str,
    description: str = "",
    metric: str = "",
    target: str = "",
    due_date: date | None = None,
) -> Goal:
    goal = Goal(product=product, title=title, description=description, metric=metric, target=target, due_date=due_date)
    goal.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a goal called {title}."
    if Goal.objects.filter(product=product, title=title).exists():
        raise ValidationError({"title": duplicate})
    save_or_field_error(goal, constraint="goal_unique_title_per_product", field="title", message=duplicate)
    return goal


GOAL_EDITABLE_FIELDS = frozenset({"title", "description", "metric", "target", "due_date"})


@transaction.atomic
def goal_update(*, goal: Goal, actor: AbstractBaseUser | None, **changes: Any) -> Goal:
    """Reword a goal, its metric, target or due date. It stays in its product (goals keep no history)."""
    unknown = set(changes) - GOAL_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    goal = Goal.objects.select_for_update().select_related("product").get(pk=goal.pk)
    for field, value in changes.items():
        setattr(goal, field, value)
    goal.full_clean(validate_constraints=False)
    product = goal.product
    duplicate = f"{product.name} already has a goal called {goal.title}."
    if Goal.objects.filter(product=product, title=goal.title).exclude(pk=goal.pk).exists():
        raise ValidationError({"title": duplicate})
    save_or_field_error(goal, constraint="goal_unique_title_per_product", field="title", message=duplicate)
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, actor: AbstractBaseUser | None) -> None:
    """Delete a goal; the items that served it lose the link, nothing else."""
    Goal.objects.filter(pk=goal.pk).delete()


# --- Baselines ------------------------------------------------------------------------------------

SNAPSHOT_FIELDS = ("title", "lane", "status", "start_date", "end_date", "confidence", "milestone_id")


def item_snapshot(item: RoadmapItem) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.pk}
    for field in SNAPSHOT_FIELDS:
        value = getattr(item, field)
        data[field] = value.isoformat() if isinstance(value, date) else value
    return data


@transaction.atomic
def baseline_create(*, roadmap: Roadmap, name: str, actor: AbstractBaseUser | None) -> Baseline:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the baseline, for example 'Q3 planning review'."})
    duplicate = f"{roadmap.name} already has a baseline called {name}."
    if Baseline.objects.filter(roadmap=roadmap, name=name).exists():
        raise ValidationError({"name": duplicate})
    items = RoadmapItem.objects.filter(roadmap=roadmap).order_by("rank")
    baseline = Baseline(roadmap=roadmap, name=name, created_by=actor, snapshot=[item_snapshot(item) for item in items])
    # The snapshot of an empty roadmap is [], which full_clean would call blank.
    baseline.full_clean(exclude=["snapshot"], validate_constraints=False)
    save_or_field_error(baseline, constraint="baseline_unique_name_per_roadmap", field="name", message=duplicate)
    return baseline
