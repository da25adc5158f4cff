"""What the sync keeps as it runs: links between our items and Jira issues, the push outbox, received
webhook events, runs with their per-item errors, and conflicts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from backlog.models import Epic, Feature, Story

from .base import ItemRefMixin, one_item_of
from .config import JiraConnection, ProjectMapping


class IssueLink(ItemRefMixin, models.Model):
    class ArchiveReason(models.TextChoices):
        DELETED_IN_JIRA = "deleted_in_jira", "Deleted in Jira"
        MOVED_OUT = "moved_out", "Moved to another project"
        DELETED_HERE = "deleted_here", "Deleted in the workspace"
        UNMAPPED = "unmapped", "Project disconnected"

    connection = models.ForeignKey(JiraConnection, on_delete=models.CASCADE, related_name="links")
    mapping = models.ForeignKey(ProjectMapping, null=True, on_delete=models.SET_NULL, related_name="links")
    jira_issue_id = models.CharField(max_length=32)
    jira_key = models.CharField(max_length=64)
    epic = models.OneToOneField(Epic, null=True, blank=True, on_delete=models.SET_NULL, related_name="jira_link")
    feature = models.OneToOneField(Feature, null=True, blank=True, on_delete=models.SET_NULL, related_name="jira_link")
    story = models.OneToOneField(Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="jira_link")
    # The normalised value of every mapped field as of the last sync: the base of the three-way merge.
    base = models.JSONField(default=dict, blank=True)
    jira_updated = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archived_reason = models.CharField(max_length=20, choices=ArchiveReason.choices, blank=True)
    remote_link_id = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connection", "jira_issue_id"], name="jira_link_unique_issue"),
            # Our item may be gone (deleted here: the link stays, archived, so that it is never recreated).
            models.CheckConstraint(condition=one_item_of(at_most=True), name="jira_link_one_item"),
        ]
        indexes = [models.Index(fields=["connection", "jira_key"], name="jira_link_key")]

    def __str__(self) -> str:
        return f"{self.jira_key} ({self.jira_issue_id})"


class PushIntent(ItemRefMixin, models.Model):
    """The push outbox: written in the transaction of the change; one pending row per item (coalesced)."""

    connection = models.ForeignKey(JiraConnection, on_delete=models.CASCADE, related_name="push_intents")
    epic = models.ForeignKey(Epic, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    feature = models.ForeignKey(Feature, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    story = models.ForeignKey(Story, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    fields = models.JSONField(default=list, blank=True)
    # Bumped by every coalesced change: the task marks the intent done only if nothing came in meanwhile.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A create whose answer was lost: look the issue up by its label before creating again.
    create_uncertain = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=one_item_of(), name="jira_intent_one_item"),
            *(
                models.UniqueConstraint(
                    fields=[kind], condition=Q(done_at__isnull=True), name=f"jira_intent_one_pending_{kind}"
                )
                for kind in ("epic", "feature", "story")
            ),
        ]
        indexes = [models.Index(fields=["next_attempt_at"], condition=Q(done_at__isnull=True), name="jira_intent_due")]

    def __str__(self) -> str:
        return f"push {self.kind} {self.item_id_value} ({'done' if self.done_at else 'pending'})"

    @property
    def item_id_value(self) -> int | None:
        return self.epic_id or self.feature_id or self.story_id


class JiraWebhookEvent(models.Model):
    connection = models.ForeignKey(JiraConnection, on_delete=models.CASCADE, related_name="webhook_events")
    identifier = models.CharField(max_length=128)
    # SHA-256 of the signed body: a replay (the same body and signature, whatever identifier header it
    # carries — that header is not signed) is a duplicate, not a new event. Blank on events stored before.
    body_sha256 = models.CharField(max_length=64, blank=True, default="")
    event = models.CharField(max_length=64)
    issue_id = models.CharField(max_length=32, blank=True)
    user_account_id = models.CharField(max_length=128, blank=True)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "identifier"], name="jira_webhook_unique_identifier"),
            models.UniqueConstraint(
                fields=["connection", "body_sha256"],
                condition=~Q(body_sha256=""),
                name="jira_webhook_unique_body",
            ),
        ]
        indexes = [models.Index(fields=["received_at"], condition=Q(processed_at__isnull=True), name="jira_wh_pending")]

    def __str__(self) -> str:
        return f"{self.event} {self.issue_id} ({self.identifier})"


class SyncRun(models.Model):
    class Kind(models.TextChoices):
        PULL = "pull", "Pull"
        FULL = "full", "Full reconcile"
        PUSH = "push", "Push"
        WEBHOOK = "webhook", "Webhook"
        DRY_RUN = "dry_run", "Dry run"
        IMPORT = "import", "First import"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    connection = models.ForeignKey(JiraConnection, on_delete=models.CASCADE, related_name="runs")
    mapping = models.ForeignKey(ProjectMapping, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    seen = models.PositiveIntegerField(default=0)
    total_estimate = models.PositiveIntegerField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    pushed = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    plan = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk} ({self.status})"

    def counts(self) -> dict[str, int]:
        return {
            name: getattr(self, name) for name in ("created", "updated", "archived", "pushed", "conflicts", "errors")
        }


class SyncItemError(models.Model):
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="item_errors")
    jira_issue_id = models.CharField(max_length=32, blank=True)
    jira_key = models.CharField(max_length=64, blank=True)
    item_label = models.CharField(max_length=300, blank=True)
    message = models.TextField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.jira_key or self.item_label}: {self.message[:60]}"


class Conflict(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    class Side(models.TextChoices):
        JIRA = "jira", "Jira"
        WORKSPACE = "workspace", "Workspace"

    link = models.ForeignKey(IssueLink, on_delete=models.CASCADE, related_name="conflicts")
    field = models.CharField(max_length=20)
    base = models.JSONField(null=True, blank=True)
    ours = models.JSONField(null=True, blank=True)
    theirs = models.JSONField(null=True, blank=True)
    detected_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=10, choices=Side.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["link", "field"], condition=Q(status="open"), name="jira_conflict_one_open_per_field"
            )
        ]

    def __str__(self) -> str:
        return f"{self.link} {self.field} ({self.status})"
