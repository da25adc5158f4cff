"""Outgoing webhooks: the outbox of domain events, the endpoints that subscribe to them, and every delivery.

OutboxEvent   a domain event, written in the transaction of the change it describes (`events.record_event`)
WebhookEndpoint   a URL of a workspace subscribed to some event kinds, with its signing secret (encrypted)
WebhookDelivery   one event for one endpoint (unique together): its state and retry schedule
WebhookAttempt    one HTTP POST of a delivery: when, answer, duration, error, the start of the response
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.models import TimeStampedModel
from workspaces.models import Role, Workspace

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# A delivery is given up after this many attempts (a redelivery grants as many again).
MAX_ATTEMPTS = 8


class EventKind(models.TextChoices):
    STORY_CREATED = "story.created", "Story created"
    STORY_UPDATED = "story.updated", "Story updated"
    SIGNOFF_REQUESTED = "signoff.requested", "Sign-off requested"
    SIGNOFF_APPROVED = "signoff.approved", "Sign-off approved"
    SIGNOFF_REJECTED = "signoff.rejected", "Sign-off rejected"
    DECISION_ACCEPTED = "decision.accepted", "Decision accepted"
    PRD_VERSION_PUBLISHED = "prd.version_published", "PRD version published"
    # Sent by the ping action to one endpoint; nobody subscribes to it.
    PING = "ping", "Ping"


SUBSCRIBABLE_KINDS: tuple[str, ...] = tuple(kind for kind in EventKind.values if kind != EventKind.PING)


class OutboxEvent(models.Model):
    """A domain event of a workspace; `dispatched_at` is set once it has been fanned out to deliveries."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="The `id` receivers see")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="outbox_events")
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    payload = models.JSONField(encoder=DjangoJSONEncoder, default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "outbox event"
        indexes = [
            # The sweep's question: which events were never fanned out?
            models.Index(
                fields=["created_at"], condition=models.Q(dispatched_at__isnull=True), name="outbox_undispatched"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class WebhookEndpointQuerySet(models.QuerySet["WebhookEndpoint"]):
    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> WebhookEndpointQuerySet:
        """Endpoints of the user's workspaces (whatever the role: the API answers 403 below admin, not 404)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user)

    def managed_by(self, user: AbstractBaseUser | AnonymousUser) -> WebhookEndpointQuerySet:
        """Endpoints of the workspaces where the user is an admin."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user, workspace__memberships__role=Role.ADMIN)


class WebhookEndpoint(TimeStampedModel):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=2000, help_text="http(s) URL that receives a POST per event")
    description = models.CharField(max_length=200, blank=True)
    # Fernet token of the signing secret (webhooks.crypto): the worker needs the secret itself to sign.
    secret_encrypted = models.TextField(editable=False)
    events = models.JSONField(default=list, help_text="Event kinds this endpoint receives")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["workspace_id", "created_at", "pk"]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, kind: str) -> bool:
        return kind in (self.events or [])


class WebhookDelivery(TimeStampedModel):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="Sent as X-TPM-Delivery")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    attempt_limit = models.PositiveIntegerField(default=MAX_ATTEMPTS)
    # When a pending delivery may be attempted next; a claimed attempt pushes it forward by a lease.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="webhookdelivery_unique_per_endpoint_event"),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "succeeded", "failed"]), name="webhookdelivery_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"), name="webhookdelivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="webhookdelivery_by_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event.kind} → {self.endpoint.url} ({self.state})"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="None when no answer came")
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.TextField(blank=True, help_text="The first characters of the answer's body")

    class Meta:
        ordering = ["delivery_id", "number"]
        verbose_name = "webhook attempt"
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhookattempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
