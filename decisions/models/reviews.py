"""Review flags: a requirement or decision to look at again because what it traces to changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from backlog.models import Epic, Feature, Story
from core.models import TimeStampedModel
from roadmap.models import RoadmapItem
from workspaces.models import Product

from .prds import Requirement
from .records import DecisionRecord


class ReviewFlagQuerySet(models.QuerySet["ReviewFlag"]):
    def open(self) -> ReviewFlagQuerySet:
        return self.filter(cleared_at__isnull=True)

    def visible_to(self, user: Any) -> ReviewFlagQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(product__workspace__memberships__user=user)


class ReviewFlag(TimeStampedModel):
    """An item to look at again because a requirement or decision it rests on changed."""

    TARGET_FIELDS = ("epic", "feature", "story", "roadmap_item")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    epic = models.ForeignKey(Epic, null=True, blank=True, on_delete=models.CASCADE, related_name="review_flags")
    feature = models.ForeignKey(Feature, null=True, blank=True, on_delete=models.CASCADE, related_name="review_flags")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.CASCADE, related_name="review_flags")
    roadmap_item = models.ForeignKey(
        RoadmapItem, null=True, blank=True, on_delete=models.CASCADE, related_name="review_flags"
    )
    requirement = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_flags"
    )
    decision = models.ForeignKey(
        DecisionRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_flags"
    )
    reason = models.CharField(max_length=255)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clear_note = models.CharField(max_length=255, blank=True)

    objects = ReviewFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(epic__isnull=False, feature__isnull=True, story__isnull=True, roadmap_item__isnull=True)
                    | Q(epic__isnull=True, feature__isnull=False, story__isnull=True, roadmap_item__isnull=True)
                    | Q(epic__isnull=True, feature__isnull=True, story__isnull=False, roadmap_item__isnull=True)
                    | Q(epic__isnull=True, feature__isnull=True, story__isnull=True, roadmap_item__isnull=False)
                ),
                name="reviewflag_on_exactly_one_item",
            ),
            models.CheckConstraint(
                condition=Q(cleared_at__isnull=True) | Q(cleared_by__isnull=False), name="reviewflag_cleared_by_someone"
            ),
            *[
                models.UniqueConstraint(
                    fields=[target, cause],
                    condition=Q(cleared_at__isnull=True),
                    name=f"reviewflag_one_open_per_{target}_{cause}",
                )
                for target in ("epic", "feature", "story", "roadmap_item")
                for cause in ("requirement", "decision")
            ],
        ]

    def __str__(self) -> str:
        return f"Re-review {self.target}: {self.reason}"

    @property
    def target(self) -> Epic | Feature | Story | RoadmapItem:
        for name in self.TARGET_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        raise ValueError("review flag without a target")

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None
