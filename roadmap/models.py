"""Roadmaps: items in now / next / later lanes and on a timeline, milestones, goals, baselines."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from backlog.models import Epic, rank_field
from core.models import TimeStampedModel
from workspaces.models import Product, ProductScopedQuerySet


class Roadmap(TimeStampedModel):
    class Kind(models.TextChoices):
        PRODUCT = "product", "Product roadmap"
        TECHNOLOGY = "technology", "Technology roadmap"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="roadmaps")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PRODUCT)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ProductScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="roadmap_unique_name_per_product"),
            models.CheckConstraint(condition=Q(kind__in=["product", "technology"]), name="roadmap_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Goal(TimeStampedModel):
    """An outcome the roadmap serves, with how we will know we reached it."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    metric = models.CharField(max_length=200, blank=True, help_text="e.g. checkout conversion")
    target = models.CharField(max_length=100, blank=True, help_text="e.g. +3 points by Q3")
    due_date = models.DateField(null=True, blank=True)

    objects = ProductScopedQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "due_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["product", "title"], name="goal_unique_title_per_product")]

    def __str__(self) -> str:
        return self.title


class Milestone(TimeStampedModel):
    class Kind(models.TextChoices):
        MILESTONE = "milestone", "Milestone"
        RELEASE = "release", "Release"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MILESTONE)
    date = models.DateField()
    description = models.TextField(blank=True)
    is_reached = models.BooleanField(default=False)

    objects = ProductScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="milestone_unique_name_per_product"),
            models.CheckConstraint(condition=Q(kind__in=["milestone", "release"]), name="milestone_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%Y-%m-%d})"


class Lane(models.TextChoices):
    NOW = "now", "Now"
    NEXT = "next", "Next"
    LATER = "later", "Later"


class Confidence(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class RoadmapItemQuerySet(ProductScopedQuerySet):
    product_path = "roadmap__product"


class RoadmapItem(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="Markdown")
    lane = models.CharField(max_length=5, choices=Lane.choices, default=Lane.NEXT)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    # The confidence a person states; the computed signal lives in roadmap.confidence.
    confidence = models.CharField(max_length=10, choices=Confidence.choices, default=Confidence.ON_TRACK)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    epics = models.ManyToManyField(Epic, blank=True, related_name="roadmap_items")
    goals = models.ManyToManyField(Goal, blank=True, related_name="roadmap_items")
    milestone = models.ForeignKey(
        Milestone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="roadmap_items",
        help_text="The milestone or release this item ships in",
    )
    rank = rank_field()

    objects = RoadmapItemQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["rank"])

    class Meta:
        ordering = ["roadmap_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "rank"], name="roadmapitem_unique_rank_per_roadmap"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="roadmapitem_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(lane__in=Lane.values), name="roadmapitem_lane_valid"),
            models.CheckConstraint(condition=Q(confidence__in=Confidence.values), name="roadmapitem_confidence_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def product_id(self) -> int:
        return self.roadmap.product_id

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date."})
        if self.milestone_id and self.roadmap_id and self.milestone.product_id != self.roadmap.product_id:
            raise ValidationError({"milestone": "This milestone belongs to another product."})


class DependencyQuerySet(ProductScopedQuerySet):
    product_path = "blocked__roadmap__product"


class Dependency(TimeStampedModel):
    """`blocked` cannot finish before `blocker`. The graph stays acyclic (roadmap.services)."""

    blocker = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="depends_on")
    note = models.CharField(max_length=200, blank=True)

    objects = DependencyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "dependencies"
        ordering = ["blocked_id", "blocker_id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="dependency_unique_pair"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="dependency_not_on_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.blocked} depends on {self.blocker}"


class Baseline(TimeStampedModel):
    """A roadmap frozen for a review: the items as they were, to diff against today."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="baselines")
    name = models.CharField(max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # [{"id", "title", "lane", "status", "start_date", "end_date", "confidence", "milestone_id"}, …]
    snapshot = models.JSONField(editable=False)

    objects = RoadmapItemQuerySet.as_manager()

    class Meta:
        ordering = ["roadmap_id", "-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "name"], name="baseline_unique_name_per_roadmap")]

    def __str__(self) -> str:
        return self.name
