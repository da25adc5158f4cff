"""Sign-offs of a PRD version or a decision record by a named stakeholder, and their append-only events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from workspaces.models import ProductScopedQuerySet

from .base import ImmutableRowError, StakeholderRole
from .prds import PRD, PRDVersion
from .records import DecisionRecord


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
