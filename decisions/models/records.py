"""Decision records (MADR): the options weighed and the people consulted."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from backlog.models import Epic
from core.models import TimeStampedModel
from roadmap.models import RoadmapItem
from workspaces.models import Product, ProductScopedQuerySet

from .prds import PRD


class DecisionRecord(TimeStampedModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        IN_REVIEW = "in_review", "In review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        SUPERSEDED = "superseded", "Superseded"

    # Once accepted, a record's content is frozen: a change is a new record that supersedes it.
    CONTENT_FIELDS = ("title", "context", "decision_drivers", "outcome", "consequences", "confirmation")

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED, editable=False)
    context = models.TextField(blank=True, help_text="Context and problem statement (Markdown)")
    decision_drivers = models.TextField(blank=True, help_text="One driver per line")
    chosen_option = models.ForeignKey(
        "DecisionOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(blank=True, help_text="Why the chosen option (Markdown)")
    consequences = models.TextField(blank=True, help_text="Good and bad consequences (Markdown)")
    confirmation = models.TextField(blank=True, help_text="How we will confirm the decision holds")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="owned_decisions"
    )
    # RESTRICT, not PROTECT: a record that others rest on cannot be deleted alone, yet deleting
    # the whole product (which cascades to both) still works.
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="superseded_by", editable=False
    )
    amends = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="amendments", editable=False
    )
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)
    epics = models.ManyToManyField(Epic, blank=True, related_name="decisions")
    roadmap_items = models.ManyToManyField(RoadmapItem, blank=True, related_name="decisions")
    prds = models.ManyToManyField(PRD, blank=True, related_name="decisions")

    objects = ProductScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="decision_unique_number_per_product"),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "in_review", "accepted", "rejected", "superseded"]),
                name="decision_status_valid",
            ),
            models.CheckConstraint(condition=~Q(supersedes=models.F("id")), name="decision_not_superseding_itself"),
            models.CheckConstraint(condition=~Q(amends=models.F("id")), name="decision_not_amending_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"ADR-{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.status in {self.Status.ACCEPTED, self.Status.SUPERSEDED}

    def clean(self) -> None:
        super().clean()
        if self.chosen_option_id and self.pk and self.chosen_option.record_id != self.pk:
            raise ValidationError({"chosen_option": "The chosen option must be one of this record's options."})


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class DecisionOption(TimeStampedModel):
    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="options")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    pros = models.TextField(blank=True, help_text="One per line")
    cons = models.TextField(blank=True, help_text="One per line")
    cost = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    risk = models.CharField(max_length=6, choices=Level.choices, default=Level.MEDIUM)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["record_id", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["record", "title"], name="option_unique_title_per_record")]

    def __str__(self) -> str:
        return self.title

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "pros": self.pros,
            "cons": self.cons,
            "cost": self.cost,
            "risk": self.risk,
        }


class DecisionParticipant(TimeStampedModel):
    """Who decides, who is consulted and who is informed (MADR's decision-makers, consulted, informed)."""

    class Part(models.TextChoices):
        DECIDER = "decider", "Decision-maker"
        CONSULTED = "consulted", "Consulted"
        INFORMED = "informed", "Informed"

    record = models.ForeignKey(DecisionRecord, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    part = models.CharField(max_length=10, choices=Part.choices)

    class Meta:
        ordering = ["record_id", "part", "user_id"]
        constraints = [models.UniqueConstraint(fields=["record", "user", "part"], name="participant_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_part_display()})"
