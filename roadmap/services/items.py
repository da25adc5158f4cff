"""Roadmap items: create (ranked last in their lane), edit (epics and goals of the same product only),
delete."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max

from backlog.models import Epic
from core.errors import ApplicationError
from core.ranks import rank_after

from ..models import Confidence, Goal, Lane, Milestone, Roadmap, RoadmapItem
from .rules import check_member, check_same_product


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
    check_member(product, owner, "owner")
    epics, goals = list(epics), list(goals)
    check_same_product(product, "epics", epics)
    check_same_product(product, "goals", goals)
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
        check_member(product, changes["owner"], "owner")
    item._history_user = actor
    item.save()
    if epics is not None:
        epics = list(epics)
        check_same_product(product, "epics", epics)
        item.epics.set(epics)
    if goals is not None:
        goals = list(goals)
        check_same_product(product, "goals", goals)
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
