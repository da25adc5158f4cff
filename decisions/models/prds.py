"""PRDs: sections, immutable versions, and requirements traced to the backlog and the roadmap."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from backlog.models import Epic, Feature, Story
from core.models import TimeStampedModel
from roadmap.models import RoadmapItem
from workspaces.models import Product, ProductScopedQuerySet

from .base import ImmutableRowError


class PRD(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prds")
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="owned_prds")
    epics = models.ManyToManyField(Epic, blank=True, related_name="prds")
    roadmap_items = models.ManyToManyField(RoadmapItem, blank=True, related_name="prds")

    objects = ProductScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "title"]
        verbose_name = "PRD"
        constraints = [
            models.UniqueConstraint(fields=["product", "title"], name="prd_unique_title_per_product"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "in_review", "approved", "changes_requested"]), name="prd_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SectionKind(models.TextChoices):
    PROBLEM = "problem", "Problem"
    GOALS = "goals", "Goals"
    NON_GOALS = "non_goals", "Non-goals"
    REQUIREMENTS = "requirements", "Requirements"
    SUCCESS_METRICS = "success_metrics", "Success metrics"
    UX = "ux", "UX and design links"
    OPEN_QUESTIONS = "open_questions", "Open questions"
    OTHER = "other", "Other"


class PRDSection(TimeStampedModel):
    """The working text of a PRD; each saved change is also kept as an immutable PRDVersion."""

    prd = models.ForeignKey(PRD, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=SectionKind.choices, default=SectionKind.OTHER)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["prd_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["prd", "title"], name="prdsection_unique_title_per_prd")]

    def __str__(self) -> str:
        return self.title


class PRDVersion(models.Model):
    """One saved state of a PRD. Never updated: PostgreSQL refuses it too (trigger in migrations)."""

    prd = models.ForeignKey(PRD, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # {"title", "sections": [{"kind", "title", "body"}], "requirements": [{"key", "title", "description", "priority"}]}
    content = models.JSONField()
    content_hash = models.CharField(max_length=64)
    change_note = models.CharField(max_length=255, blank=True)
    # PROTECT, not SET_NULL: nulling the author would be an UPDATE, which the trigger refuses.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["prd_id", "-number"]
        get_latest_by = "number"
        verbose_name = "PRD version"
        constraints = [
            models.UniqueConstraint(fields=["prd", "number"], name="prdversion_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="prdversion_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.prd} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRowError("A PRD version is immutable; publish a new version instead.")
        super().save(*args, **kwargs)


class Requirement(TimeStampedModel):
    class Priority(models.TextChoices):
        MUST = "must", "Must have"
        SHOULD = "should", "Should have"
        COULD = "could", "Could have"
        WONT = "wont", "Won't have (this time)"

    prd = models.ForeignKey(PRD, on_delete=models.CASCADE, related_name="requirements")
    # Denormalised from the PRD so that REQ-n is unique per product in the database.
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", editable=False)
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.MUST)
    position = models.PositiveSmallIntegerField(default=0)
    features = models.ManyToManyField(Feature, blank=True, related_name="requirements")
    stories = models.ManyToManyField(Story, blank=True, related_name="requirements")

    objects = ProductScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["prd_id", "position", "number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="requirement_unique_key_per_product"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"REQ-{self.number}"

    def snapshot(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "description": self.description, "priority": self.priority}
