"""Reads shared by the decisions pages and endpoints: requirement coverage, sign-off queues."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet

from backlog.models import Story
from workspaces.models import Product

from .models import PRD, Requirement, SignOff


@dataclass
class Coverage:
    unbuilt_requirements: list[Requirement]
    untraced_stories: list[Story]
    requirements_total: int
    stories_total: int

    @property
    def percent_requirements_covered(self) -> int:
        if not self.requirements_total:
            return 100
        return round(100 * (self.requirements_total - len(self.unbuilt_requirements)) / self.requirements_total)


def requirement_coverage(*, product: Product, prd: PRD | None = None) -> Coverage:
    """Requirements nobody builds, and stories no requirement asked for (directly or through their feature).

    Four queries whatever the size of the product.
    """
    requirements = Requirement.objects.filter(product=product)
    if prd is not None:
        requirements = requirements.filter(prd=prd)
    through_features = Requirement.features.through.objects.filter(requirement_id=OuterRef("pk"))
    through_stories = Requirement.stories.through.objects.filter(requirement_id=OuterRef("pk"))
    unbuilt = list(
        requirements.filter(~Exists(through_features), ~Exists(through_stories))
        .select_related("prd")
        .order_by("number")
    )
    stories = Story.objects.filter(product=product)
    story_asked = Requirement.stories.through.objects.filter(story_id=OuterRef("pk"))
    feature_asked = Requirement.features.through.objects.filter(feature_id=OuterRef("feature_id"))
    untraced = list(
        stories.filter(~Exists(story_asked), ~Exists(feature_asked))
        .select_related("status", "product")
        .order_by("rank")
    )
    return Coverage(
        unbuilt_requirements=unbuilt,
        untraced_stories=untraced,
        requirements_total=requirements.count(),
        stories_total=stories.count(),
    )


def signoffs_waiting_for(*, user: AbstractBaseUser) -> QuerySet[SignOff]:
    """Sign-offs asked of this person that are still waiting, oldest first."""
    return (
        SignOff.objects.visible_to(user)
        .filter(approver=user, state=SignOff.State.PENDING)
        .select_related("prd__product", "decision__product", "requested_by")
        .order_by("created_at", "pk")
    )
