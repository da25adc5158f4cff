"""Reads of a requirement's page: the requirement, its PRD, what delivers it and the flags it raised.

A fixed number of queries (four) whatever the number of stories, features or flags.
"""

from __future__ import annotations

from django.db.models import Prefetch

from backlog.models import Feature, Story
from workspaces.models import Product

from .models import Requirement, ReviewFlag
from .prd_selectors import delivery_of


def requirement_for_page(*, product: Product, prd_id: int, requirement_id: int) -> Requirement | None:
    """The requirement of this PRD and product, or None.

    It gets `delivered_by` (features then stories in backlog order, each with `kind`), `delivery`
    (the derived status, as the requirements table shows it) and `open_flags`: the open review flags
    it raised on the work that delivers it, each with its target loaded.
    """
    requirement = (
        Requirement.objects.filter(product=product, prd_id=prd_id, pk=requirement_id)
        .select_related("prd__owner")
        .prefetch_related(
            Prefetch("features", Feature.objects.select_related("status", "epic").order_by("rank")),
            Prefetch("stories", Story.objects.select_related("status", "sprint").order_by("rank")),
        )
        .first()
    )
    if requirement is None:
        return None
    for kind, items in (("feature", requirement.features.all()), ("story", requirement.stories.all())):
        for item in items:
            item.kind = kind
    requirement.delivered_by = [*requirement.features.all(), *requirement.stories.all()]
    requirement.delivery = delivery_of(requirement.delivered_by)
    requirement.open_flags = list(
        ReviewFlag.objects.open()
        .filter(requirement=requirement)
        .select_related("raised_by", "epic", "feature", "story", "roadmap_item")
        .order_by("-created_at", "-pk")
    )
    for flag in requirement.open_flags:
        flag.target_kind = next(name for name in ReviewFlag.TARGET_FIELDS if getattr(flag, f"{name}_id"))
        target = flag.target
        # Named here, not with str(target): that reads each item's product again.
        flag.target_name = (
            target.title if flag.target_kind == "roadmap_item" else f"{product.key}-{target.number} {target.title}"
        )
    return requirement
