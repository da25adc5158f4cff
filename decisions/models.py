"""PRDs (versioned, with traceable requirements), decision records, sign-offs and review flags."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from backlog.models import Epic, Feature, Story
from core.models import TimeStampedModel
from roadmap.models import RoadmapItem
from workspaces.models import Product, ProductScopedQuerySet


def content_hash(content: Any) -> str:
    """SHA-256 of canonical JSON: equal content, equal hash, whatever the key order."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class StakeholderRole(models.TextChoices):
    PRODUCT = "product", "Product"
    ENGINEERING = "engineering", "Engineering"
    ARCHITECTURE = "architecture", "Architecture"
    UX = "ux", "UX / design"
    QA = "qa", "Quality"
    SECURITY = "security", "Security"
    OPERATIONS = "operations", "Operations"
    LEADERSHIP = "leadership", "Leadership"


# --- PRDs -------------------------------------------------------------------------------------


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


class ImmutableRowError(Exception):
    pass


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


# --- Decision records (MADR) ----------------------------------------------------------------------


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


# --- Sign-offs ------------------------------------------------------------------------------------


class SignOffQuerySet(ProductScopedQuerySet):
    def visible_to(self, user: Any) -> SignOffQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(prd__product__workspace__memberships__user=user) | Q(decision__product__workspace__memberships__user=user)
        )

    def current(self) -> SignOffQuerySet:
        return self.filter(state__in=[SignOff.State.PENDING, SignOff.State.APPROVED, SignOff.State.REJECTED])


class SignOff(TimeStampedModel):
    """A named stakeholder's sign-off on one exact content (hash) of a PRD or a decision record."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        STALE = "stale", "Stale (document changed)"
        WITHDRAWN = "withdrawn", "Withdrawn"

    prd = models.ForeignKey(PRD, null=True, blank=True, on_delete=models.CASCADE, related_name="signoffs")
    # RESTRICT: a signed version cannot be deleted alone, but deleting its PRD removes both.
    prd_version = models.ForeignKey(
        PRDVersion, null=True, blank=True, on_delete=models.RESTRICT, related_name="signoffs"
    )
    decision = models.ForeignKey(
        DecisionRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="signoffs"
    )
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs")
    role = models.CharField(max_length=14, choices=StakeholderRole.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    content_hash = models.CharField(max_length=64, help_text="The exact content this sign-off is about")
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set when the e-mail asking for this sign-off went out; claimed before sending so a retry never sends twice.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SignOffQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "sign-off"
        constraints = [
            models.CheckConstraint(
                condition=(Q(prd__isnull=False) & Q(decision__isnull=True))
                | (Q(prd__isnull=True) & Q(decision__isnull=False)),
                name="signoff_on_exactly_one_document",
            ),
            models.CheckConstraint(
                condition=Q(prd__isnull=True) | Q(prd_version__isnull=False), name="signoff_prd_names_version"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "approved", "rejected", "stale", "withdrawn"]),
                name="signoff_state_valid",
            ),
            # One live sign-off per person per document; stale and withdrawn ones stay as history.
            models.UniqueConstraint(
                fields=["prd", "approver"],
                condition=Q(state__in=["pending", "approved", "rejected"]),
                name="signoff_one_live_per_prd_approver",
            ),
            models.UniqueConstraint(
                fields=["decision", "approver"],
                condition=Q(state__in=["pending", "approved", "rejected"]),
                name="signoff_one_live_per_decision_approver",
            ),
        ]
        indexes = [models.Index(fields=["approver", "state"])]

    def __str__(self) -> str:
        return f"{self.approver} on {self.document} ({self.state})"

    @property
    def document(self) -> PRD | DecisionRecord:
        return self.prd if self.prd_id else self.decision

    @property
    def product_id(self) -> int:
        return self.document.product_id


class SignOffEvent(models.Model):
    """The audit trail: appended, never changed. Who, when, in which role, what, with which hash."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        STALE = "stale", "Made stale by an edit"
        WITHDRAWN = "withdrawn", "Withdrawn"

    signoff = models.ForeignKey(SignOff, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=14, choices=StakeholderRole.choices)
    comment = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "sign-off event"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableRowError("Audit events are append-only.")
        super().save(*args, **kwargs)


# --- Change impact ------------------------------------------------------------------------------


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
