"""Jira sync state: connections, project mappings, links between our items and Jira issues, the push
outbox, received webhook events, runs with their per-item errors, and conflicts.

The backlog knows nothing of this: every row here points at backlog rows, never the reverse.
Identity of a Jira issue is (connection, issue id) — never the key, which changes when an issue moves.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q

from backlog.models import Epic, Feature, Story, WorkflowStatus
from core.models import TimeStampedModel
from webhooks import crypto
from workspaces.models import Product, Workspace

from .jira import JiraSite
from .jira.site import Deployment

# Every field the sync knows how to carry, and how each may travel.
FIELDS = ("summary", "description", "points", "priority", "labels", "assignee", "parent", "status")


class Direction(models.TextChoices):
    TWO_WAY = "two_way", "Two-way"
    TO_JIRA = "to_jira", "To Jira only"
    FROM_JIRA = "from_jira", "From Jira only"
    SET_ONCE = "set_once", "Set once (at creation)"


# The assignee comes from Jira unless a mapping says otherwise: pushing it finds the Jira user by e-mail,
# which Jira hides for many accounts, and a pull of someone who is not a member here would otherwise
# queue a push for every such issue (see push._assignee_values).
DEFAULT_DIRECTIONS: dict[str, str] = {field: Direction.TWO_WAY for field in FIELDS} | {"assignee": Direction.FROM_JIRA}


class ItemKind(models.TextChoices):
    EPIC = "epic", "Epic"
    FEATURE = "feature", "Feature"
    STORY = "story", "Story"


ITEM_MODELS: dict[str, type[models.Model]] = {"epic": Epic, "feature": Feature, "story": Story}


def item_kind(item: models.Model) -> str:
    for kind, model in ITEM_MODELS.items():
        if isinstance(item, model):
            return kind
    raise TypeError(f"{type(item).__name__} is not synced with Jira")


def _one_item_of(*, at_most: bool = False) -> Q:
    """Check: exactly one (or at most one) of epic / feature / story is set."""
    e, f, s = (Q(**{f"{name}__isnull": False}) for name in ("epic", "feature", "story"))
    ne, nf, ns = (Q(**{f"{name}__isnull": True}) for name in ("epic", "feature", "story"))
    exactly = (e & nf & ns) | (ne & f & ns) | (ne & nf & s)
    return exactly | (ne & nf & ns) if at_most else exactly


class ItemRefMixin(models.Model):
    """Three nullable foreign keys, one per synced kind; `item` is whichever is set."""

    class Meta:
        abstract = True

    @property
    def item(self) -> Epic | Feature | Story | None:
        return self.epic or self.feature or self.story  # type: ignore[attr-defined]

    @property
    def kind(self) -> str | None:
        for kind in ITEM_MODELS:
            if getattr(self, f"{kind}_id"):
                return kind
        return None

    @staticmethod
    def same_item_as_outer() -> Q:
        """In a subquery: rows about the same epic, feature or story as the outer query's row (a link, an intent)."""
        return Q(epic_id=OuterRef("epic_id")) | Q(feature_id=OuterRef("feature_id")) | Q(story_id=OuterRef("story_id"))


class ConflictPolicy(models.TextChoices):
    JIRA_WINS = "jira_wins", "Jira wins"
    WORKSPACE_WINS = "workspace_wins", "Workspace wins"
    ASK = "ask", "Ask (conflicts inbox)"


class JiraConnection(TimeStampedModel):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="jira_connection")
    site_url = models.URLField(max_length=300)
    deployment = models.CharField(
        max_length=12,
        choices=[(Deployment.CLOUD.value, "Cloud"), (Deployment.DATA_CENTER.value, "Data Center")],
        default=Deployment.CLOUD.value,
    )
    email = models.EmailField(blank=True, help_text="Cloud: the e-mail address of the integration account")
    # Fernet tokens (webhooks.crypto): Cloud API token or Data Center personal access token; never shown again.
    token_encrypted = models.TextField(blank=True, editable=False)
    webhook_secret_encrypted = models.TextField(blank=True, editable=False)
    # The unguessable part of our webhook URL: /jira/webhooks/<webhook_key>/.
    webhook_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conflict_policy = models.CharField(max_length=16, choices=ConflictPolicy.choices, default=ConflictPolicy.ASK)
    # The integration user (GET /myself): its edits are ours (loop guard), its time zone reads JQL dates.
    account_id = models.CharField(max_length=128, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, default="UTC")
    is_enabled = models.BooleanField(default=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.TextField(blank=True)

    class Meta:
        verbose_name = "Jira connection"

    def __str__(self) -> str:
        return f"Jira {self.site_url}"

    def __repr__(self) -> str:
        return f"<JiraConnection {self.pk} {self.site_url} ({self.deployment})>"

    @property
    def is_cloud(self) -> bool:
        return self.deployment == Deployment.CLOUD.value

    def set_token(self, plain: str) -> None:
        self.token_encrypted = crypto.encrypt_secret(plain) if plain else ""

    def set_webhook_secret(self, plain: str) -> None:
        self.webhook_secret_encrypted = crypto.encrypt_secret(plain) if plain else ""

    def webhook_secret(self) -> str:
        return crypto.decrypt_secret(self.webhook_secret_encrypted) if self.webhook_secret_encrypted else ""

    def site(self) -> JiraSite:
        token = crypto.decrypt_secret(self.token_encrypted) if self.token_encrypted else ""
        if self.is_cloud:
            return JiraSite.cloud(self.site_url, self.email, token)
        return JiraSite.data_center(self.site_url, token)


class ProjectMapping(TimeStampedModel):
    connection = models.ForeignKey(JiraConnection, on_delete=models.CASCADE, related_name="mappings")
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="jira_mapping")
    jira_project_key = models.CharField(max_length=32)
    jira_project_id = models.CharField(max_length=32)
    epic_type_id = models.CharField(max_length=32)
    feature_type_id = models.CharField(max_length=32, blank=True)
    story_type_id = models.CharField(max_length=32)
    # hierarchyLevel of each type: whether Jira's parent can express feature → epic and story → feature.
    epic_level = models.SmallIntegerField(default=1)
    feature_level = models.SmallIntegerField(default=0)
    story_level = models.SmallIntegerField(default=0)
    story_points_field_id = models.CharField(max_length=64, blank=True)
    epic_link_field_id = models.CharField(max_length=64, blank=True, help_text="Data Center: Epic Link")
    parent_link_field_id = models.CharField(max_length=64, blank=True, help_text="Data Center: Parent Link")
    # Data Center requires "Epic Name" (gh-epic-label) to create an epic: filled from the title.
    epic_name_field_id = models.CharField(max_length=64, blank=True, help_text="Data Center: Epic Name")
    directions = models.JSONField(
        default=dict, blank=True, help_text="field → two_way / to_jira / from_jira / set_once"
    )
    watermark = models.DateTimeField(null=True, blank=True, help_text="Largest `updated` pulled so far")
    imported_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    # A pull holds the mapping until this moment; a dead worker's lease simply runs out.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "jira_project_id"], name="jira_mapping_unique_project_per_connection"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ↔ {self.jira_project_key}"

    def direction(self, field: str) -> str:
        return (self.directions or {}).get(field) or DEFAULT_DIRECTIONS[field]

    def type_ids(self) -> list[str]:
        return [t for t in (self.epic_type_id, self.feature_type_id, self.story_type_id) if t]

    def kind_of_type(self, type_id: str) -> str | None:
        # Feature before story: when one Jira type carries both, our richer kind is not guessed.
        for kind, candidate in (
            ("epic", self.epic_type_id),
            ("story", self.story_type_id),
            ("feature", self.feature_type_id),
        ):
            if candidate and candidate == type_id:
                return kind
        return None

    def type_of_kind(self, kind: str) -> str:
        return {"epic": self.epic_type_id, "feature": self.feature_type_id, "story": self.story_type_id}[kind]

    def level_of_kind(self, kind: str) -> int:
        return {"epic": self.epic_level, "feature": self.feature_level, "story": self.story_level}[kind]


class StatusMapping(models.Model):
    class Category(models.TextChoices):
        NEW = "new", "To do"
        INDETERMINATE = "indeterminate", "In progress"
        DONE = "done", "Done"

    mapping = models.ForeignKey(ProjectMapping, on_delete=models.CASCADE, related_name="status_mappings")
    jira_status_id = models.CharField(max_length=32)
    jira_status_name = models.CharField(max_length=100)
    jira_category = models.CharField(max_length=16, choices=Category.choices)
    workflow_status = models.ForeignKey(WorkflowStatus, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["mapping_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["mapping", "jira_status_id"], name="jira_status_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.jira_status_name} ↔ {self.workflow_status_id}"


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
            models.CheckConstraint(condition=_one_item_of(at_most=True), name="jira_link_one_item"),
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
            models.CheckConstraint(condition=_one_item_of(), name="jira_intent_one_item"),
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


def item_ref(item: Any) -> dict[str, Any]:
    """Keyword arguments naming `item` on an ItemRefMixin row."""
    return {item_kind(item): item}
