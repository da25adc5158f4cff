"""What an admin sets up: the workspace's Jira connection, a product's project mapping and its status
mapping."""

from __future__ import annotations

import uuid

from django.db import models

from backlog.models import WorkflowStatus
from core.models import TimeStampedModel
from webhooks import crypto
from workspaces.models import Product, Workspace

from ..jira import JiraSite
from ..jira.site import Deployment
from .base import DEFAULT_DIRECTIONS, ConflictPolicy


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
