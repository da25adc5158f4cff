"""Reads of a tech-debt item's page; a fixed number of queries whatever the size of the product."""

from __future__ import annotations

from workspaces.models import Product

from ..models import TechDebtItem


def tech_debt_for_page(*, product: Product, techdebt_id: int) -> TechDebtItem:
    """A tech-debt item with everything its page shows, or TechDebtItem.DoesNotExist.

    Two queries (the item, its labels), three once scheduled: a review flag never targets a debt item,
    so `open_flags` are those of the story that pays it off (a changed requirement or decision may
    have flagged that work).
    """
    item = (
        TechDebtItem.objects.select_related(
            "product", "status", "owner", "epic", "created_by", "remediation_story__status", "remediation_story__sprint"
        )
        .prefetch_related("labels")
        .get(product=product, pk=techdebt_id)
    )
    story = item.remediation_story
    # The reverse relation of decisions.ReviewFlag: the backlog does not import decisions.
    item.open_flags = (
        list(story.review_flags.filter(cleared_at__isnull=True).select_related("raised_by")) if story else []
    )
    return item
