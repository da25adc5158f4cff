"""Comments with @mentions on any item or document, and in-app notifications."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from core.models import TimeStampedModel
from workspaces.models import Workspace


class WorkspaceScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> WorkspaceScopedQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(workspace__memberships__user=user)


class Comment(TimeStampedModel):
    # The workspace is stored, not derived, so that scoping never has to follow a generic relation.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="comments")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="comments")
    body = models.TextField(help_text="Markdown; @username mentions a workspace member")
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in")

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:50]}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        SIGNOFF_REQUESTED = "signoff_requested", "Sign-off requested"
        SIGNOFF_DECIDED = "signoff_decided", "Sign-off given"
        SIGNOFF_STALE = "signoff_stale", "Sign-off needed again"
        REVIEW_FLAG = "review_flag", "Needs re-review"
        DECISION_CHANGED = "decision_changed", "Decision changed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=300)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"To {self.recipient}: {self.message}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
