"""Dependencies between roadmap items: a link that would close a cycle is refused, naming the path."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction

from workspaces.models import Product

from ..models import Dependency, RoadmapItem


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
