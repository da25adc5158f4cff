"""Reads for the backlog's item pages: the filtered story list, a story / epic / feature page, tech debt.

Each runs a fixed number of queries whatever the size of the product.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from workspaces.models import Product

from ..models import AcceptanceCriterion, Epic, Feature, Label, Sprint, Story, TechDebtItem, WorkflowStatus


def product_statuses(product: Product) -> QuerySet[WorkflowStatus]:
    return WorkflowStatus.objects.filter(product=product).order_by("position", "pk")


def product_labels(product: Product) -> QuerySet[Label]:
    return Label.objects.filter(product=product).order_by("name")


def product_sprints(product: Product) -> QuerySet[Sprint]:
    """Newest first: the sprint being planned is near the top of a select."""
    return Sprint.objects.filter(product=product).order_by("-start_date", "-pk")


def open_sprints(product: Product) -> QuerySet[Sprint]:
    return product_sprints(product).exclude(state=Sprint.State.CLOSED)


def workspace_members(product: Product) -> QuerySet[AbstractBaseUser]:
    """The people who can be assigned or own an item: members of the product's workspace."""
    return (
        get_user_model()
        ._default_manager.filter(memberships__workspace_id=product.workspace_id)
        .order_by("first_name", "last_name", "username")
    )


def filtered_stories(*, product: Product, filters: dict[str, Any]) -> QuerySet[Story]:
    """The product's stories matching the filter form's cleaned data, in rank order.

    Keys (all optional): status, assignee, label, sprint ("none" for the backlog, or a Sprint), q
    (a key like PAY-12, or words in the title or statement), epic (directly or through a feature), feature.
    """
    stories = Story.objects.filter(product=product)
    if filters.get("status"):
        stories = stories.filter(status=filters["status"])
    if filters.get("assignee"):
        stories = stories.filter(assignee=filters["assignee"])
    if filters.get("label"):
        stories = stories.filter(labels=filters["label"])
    sprint = filters.get("sprint")
    if sprint == "none":
        stories = stories.filter(sprint__isnull=True)
    elif sprint:
        stories = stories.filter(sprint=sprint)
    if filters.get("feature"):
        stories = stories.filter(feature=filters["feature"])
    if filters.get("epic"):
        epic = filters["epic"]
        stories = stories.filter(Q(epic=epic) | Q(feature__epic=epic))
    text = (filters.get("q") or "").strip()
    if text:
        match = re.fullmatch(rf"{re.escape(product.key)}-(\d+)", text, flags=re.IGNORECASE)
        if match:
            stories = stories.filter(number=int(match.group(1)))
        else:
            stories = stories.filter(Q(title__icontains=text) | Q(statement__icontains=text))
    return stories.select_related("status", "assignee", "sprint", "feature", "epic").order_by("rank")


def story_for_page(*, product: Product, story_id: int) -> Story:
    """A story with everything its page shows, or Story.DoesNotExist; four queries (story, labels,
    criteria, open review flags)."""
    story = (
        Story.objects.select_related("status", "assignee", "owner", "sprint", "feature__epic", "epic", "product")
        .prefetch_related("labels")
        .get(product=product, pk=story_id)
    )
    story.criteria = list(story.acceptance_criteria.order_by("position", "pk"))
    # The reverse relation of decisions.ReviewFlag: the backlog does not import decisions.
    story.open_flags = list(story.review_flags.filter(cleared_at__isnull=True).select_related("raised_by"))
    return story


def criteria_of(story: Story) -> list[AcceptanceCriterion]:
    return list(story.acceptance_criteria.order_by("position", "pk"))


def last_changed_by(item: Epic | Feature | Story) -> AbstractBaseUser | None:
    """Who saved the item last (its latest history record), for the "changed since you opened it" message."""
    record = item.history.select_related("history_user").order_by("-history_date").first()  # type: ignore[attr-defined]
    return record.history_user if record else None


def epic_for_page(*, product: Product, epic_id: int) -> Epic:
    epic = (
        Epic.objects.select_related("status", "owner", "product")
        .prefetch_related("labels")
        .get(product=product, pk=epic_id)
    )
    epic.open_flags = list(epic.review_flags.filter(cleared_at__isnull=True).select_related("raised_by"))
    return epic


def feature_for_page(*, product: Product, feature_id: int) -> Feature:
    feature = (
        Feature.objects.select_related("status", "owner", "product", "epic")
        .prefetch_related("labels")
        .get(product=product, pk=feature_id)
    )
    feature.open_flags = list(feature.review_flags.filter(cleared_at__isnull=True).select_related("raised_by"))
    return feature


TECH_DEBT_SORTS = {
    "cost": ("-cost_of_delay", "rank"),
    "rank": ("rank",),
}


def tech_debt_list(*, product: Product, sort: str) -> QuerySet[TechDebtItem]:
    """The product's tech debt, by cost of delay (default) or by rank."""
    order = TECH_DEBT_SORTS.get(sort, TECH_DEBT_SORTS["cost"])
    return (
        TechDebtItem.objects.filter(product=product)
        .select_related("status", "owner", "epic", "remediation_story")
        .order_by(*order)
    )
