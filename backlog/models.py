"""The backlog: epics → features → user stories, tech debt, sprints, workflow statuses.

Every row belongs to a product. Order is a lexicographic rank (core.ranks): a
move rewrites one row. A story hangs under a feature or directly under an epic,
never both, so "the epic of a story" has one answer: the feature's epic, or its own.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from core.ranks import RANK_MAX_LENGTH
from workspaces.models import Product, ProductScopedQuerySet


class RankField(models.CharField):
    """A rank column that compares byte by byte whatever the database locale ("C" collation on PostgreSQL;
    SQLite compares bytes already)."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def rank_field() -> RankField:
    return RankField(max_length=RANK_MAX_LENGTH, editable=False)


def check_same_product(instance: models.Model, **related: models.Model | None) -> None:
    """A related row from another product is refused, naming the field."""
    errors = {}
    for field, obj in related.items():
        if obj is not None and obj.product_id != instance.product_id:
            errors[field] = f"This {obj._meta.verbose_name} belongs to another product."
    if errors:
        raise ValidationError(errors)


class StatusCategory(models.TextChoices):
    TODO = "todo", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class WorkflowStatus(TimeStampedModel):
    """A product's statuses (To do, In review, Done, …), each in one category for roll-ups and Jira."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="statuses")
    name = models.CharField(max_length=60)
    category = models.CharField(max_length=12, choices=StatusCategory.choices)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ProductScopedQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "position", "pk"]
        verbose_name = "workflow status"
        verbose_name_plural = "workflow statuses"
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="status_unique_name_per_product"),
            models.CheckConstraint(condition=Q(category__in=StatusCategory.values), name="status_category_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_done(self) -> bool:
        return self.category == StatusCategory.DONE


class Label(TimeStampedModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=50)

    objects = ProductScopedQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "name"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="label_unique_name_per_product")]

    def __str__(self) -> str:
        return self.name


class Priority(models.IntegerChoices):
    HIGHEST = 1, "Highest"
    HIGH = 2, "High"
    MEDIUM = 3, "Medium"
    LOW = 4, "Low"
    LOWEST = 5, "Lowest"


class BacklogItem(TimeStampedModel):
    """What epics, features, stories and tech-debt items share."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    # Number behind the key (PAY-12); one sequence per product across all kinds, never reused.
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True, help_text="Markdown")
    # RESTRICT on the hierarchy and statuses: deleting an epic, feature or status that work still
    # rests on is refused, yet deleting the whole product (or workspace) cascades through them.
    status = models.ForeignKey(WorkflowStatus, on_delete=models.RESTRICT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    labels = models.ManyToManyField(Label, blank=True, related_name="+")
    rank = rank_field()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ProductScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"{self.product.key}-{self.number}"

    def related_in_product(self) -> dict[str, models.Model | None]:
        """The related rows that must belong to this item's product, by field name (None when unset)."""
        return {"status": self.status if self.status_id else None}

    def clean(self) -> None:
        super().clean()
        if self.product_id:
            # One check for every relation, so that a form shows all the fields at fault at once.
            check_same_product(self, **self.related_in_product())


def item_constraints(prefix: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(fields=["product", "number"], name=f"{prefix}_unique_number_per_product"),
        models.UniqueConstraint(fields=["product", "rank"], name=f"{prefix}_unique_rank_per_product"),
    ]


class Epic(BacklogItem):
    target_date = models.DateField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["rank"])

    class Meta:
        ordering = ["product_id", "rank"]
        constraints = item_constraints("epic")
        indexes = [models.Index(fields=["product", "status"])]


class Feature(BacklogItem):
    epic = models.ForeignKey(Epic, on_delete=models.RESTRICT, related_name="features")

    history = HistoricalRecords(excluded_fields=["rank"])

    class Meta:
        ordering = ["product_id", "rank"]
        constraints = item_constraints("feature")
        indexes = [models.Index(fields=["epic", "rank"])]

    def related_in_product(self) -> dict[str, models.Model | None]:
        return {**super().related_in_product(), "epic": self.epic if self.epic_id else None}


class Sprint(TimeStampedModel):
    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="sprints")
    name = models.CharField(max_length=80)
    goal = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    capacity_points = models.PositiveIntegerField(default=0, help_text="Points the team expects to finish")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PLANNED)

    objects = ProductScopedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["product_id", "start_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="sprint_unique_name_per_product"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="sprint_ends_after_start"),
            models.CheckConstraint(condition=Q(state__in=["planned", "active", "closed"]), name="sprint_state_valid"),
            models.UniqueConstraint(
                fields=["product"], condition=Q(state="active"), name="sprint_one_active_per_product"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The sprint must end on or after its start date."})


class StoryQuerySet(ProductScopedQuerySet):
    def with_epic_id(self) -> StoryQuerySet:
        """Annotate `epic_ref`: the epic a story rolls up to, through its feature or directly."""
        return self.annotate(epic_ref=Coalesce("feature__epic_id", "epic_id"))

    def done(self) -> StoryQuerySet:
        return self.filter(status__category=StatusCategory.DONE)


class Story(BacklogItem):
    epic = models.ForeignKey(
        Epic,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="stories",
        help_text="Only for a story directly under an epic; a story under a feature takes the feature's epic.",
    )
    feature = models.ForeignKey(Feature, null=True, blank=True, on_delete=models.RESTRICT, related_name="stories")
    statement = models.TextField(blank=True, help_text="As a … I want … so that …")
    points = models.PositiveSmallIntegerField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_stories"
    )
    sprint = models.ForeignKey(Sprint, null=True, blank=True, on_delete=models.SET_NULL, related_name="stories")
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = StoryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["rank"])

    class Meta:
        ordering = ["product_id", "rank"]
        verbose_name_plural = "stories"
        constraints = [
            *item_constraints("story"),
            models.CheckConstraint(
                condition=Q(epic__isnull=True) | Q(feature__isnull=True), name="story_under_epic_or_feature_not_both"
            ),
            models.CheckConstraint(condition=Q(points__lte=100), name="story_points_at_most_100"),
            models.CheckConstraint(condition=Q(priority__gte=1, priority__lte=5), name="story_priority_valid"),
        ]
        indexes = [
            models.Index(fields=["feature", "rank"]),
            models.Index(fields=["epic", "rank"]),
            models.Index(fields=["sprint", "rank"]),
            # The backlog filtered by status, in rank order: the page is the first rows of this index.
            models.Index(fields=["product", "status", "rank"], name="story_product_status_rank"),
        ]

    @property
    def parent_epic_id(self) -> int | None:
        return self.feature.epic_id if self.feature_id else self.epic_id

    def related_in_product(self) -> dict[str, models.Model | None]:
        return {
            **super().related_in_product(),
            "epic": self.epic if self.epic_id else None,
            "feature": self.feature if self.feature_id else None,
            "sprint": self.sprint if self.sprint_id else None,
        }

    def clean(self) -> None:
        if self.epic_id and self.feature_id:
            raise ValidationError({"epic": "A story sits under a feature or directly under an epic, not both."})
        super().clean()
        if self.points is not None and self.points > 100:
            raise ValidationError({"points": "Split a story bigger than 100 points."})


class AcceptanceCriterion(TimeStampedModel):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="acceptance_criteria")
    text = models.TextField()
    is_met = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["story_id", "position", "pk"]
        verbose_name_plural = "acceptance criteria"

    def __str__(self) -> str:
        return self.text[:60]


class TechDebtItem(BacklogItem):
    """Debt we carry knowingly: what it costs each week we keep it, and what paying it off takes."""

    class Kind(models.TextChoices):
        ARCHITECTURE = "architecture", "Architecture"
        CODE = "code", "Code"
        TESTS = "tests", "Tests"
        INFRASTRUCTURE = "infrastructure", "Infrastructure"
        DEPENDENCIES = "dependencies", "Dependencies"
        SECURITY = "security", "Security"
        DOCUMENTATION = "documentation", "Documentation"

    class Impact(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"
        CRITICAL = "critical", "Critical"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CODE)
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.MEDIUM)
    cost_of_delay = models.PositiveIntegerField(
        default=0, help_text="Engineering hours lost per week while the debt stays unpaid"
    )
    remediation_points = models.PositiveSmallIntegerField(null=True, blank=True)
    epic = models.ForeignKey(Epic, null=True, blank=True, on_delete=models.SET_NULL, related_name="tech_debt")
    # The story that pays the debt off, once it is scheduled into a sprint.
    remediation_story = models.OneToOneField(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="tech_debt_item"
    )

    history = HistoricalRecords(excluded_fields=["rank"])

    class Meta:
        ordering = ["product_id", "rank"]
        verbose_name = "tech-debt item"
        constraints = item_constraints("techdebt")

    @property
    def cost_per_point(self) -> float | None:
        """Hours saved per week per point spent: the higher, the sooner to pay it off."""
        if not self.remediation_points:
            return None
        return self.cost_of_delay / self.remediation_points

    def related_in_product(self) -> dict[str, models.Model | None]:
        return {
            **super().related_in_product(),
            "epic": self.epic if self.epic_id else None,
            "remediation_story": self.remediation_story if self.remediation_story_id else None,
        }


# Roll-up totals kept by database triggers (backlog/rollup.py); imported here so that Django registers the model.
from .rollup import EpicStatusTotal  # noqa: E402, F401
