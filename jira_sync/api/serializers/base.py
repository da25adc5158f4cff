"""What the Jira API's serializers share: choices, help texts, the webhook URL of a connection."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from ...jira.site import Deployment
from ...models import JiraConnection

DEPLOYMENT_CHOICES = [(Deployment.CLOUD.value, "Cloud"), (Deployment.DATA_CENTER.value, "Data Center")]
TOKEN_HELP = (
    "Cloud: the API token of the integration account; Data Center: a personal access token. "
    "Write-only: never returned. Leave it out on update to keep the stored one."
)
SYNC_STATES = [
    ("synced", "Synced"),
    ("pending_push", "Change waiting to be pushed"),
    ("push_failed", "Push failed"),
    ("conflict", "Conflict"),
    ("archived", "Archived"),
]
FIELD_IDS = (
    "epic_type_id",
    "feature_type_id",
    "story_type_id",
    "story_points_field_id",
    "epic_link_field_id",
    "parent_link_field_id",
    "epic_name_field_id",
)


def webhook_url(connection: JiraConnection) -> str:
    path = reverse("jira_webhooks:receive", kwargs={"connection_key": connection.webhook_key})
    return f"{settings.SITE_URL}{path}"
