"""Mounted at the root by tpm_workspace/urls.py: path("", include("jira_sync.webhook_urls"))."""

from django.urls import URLPattern, path

from .webhook_endpoint import jira_webhook

app_name = "jira_webhooks"

urlpatterns: list[URLPattern] = [
    path("jira/webhooks/<uuid:connection_key>/", jira_webhook, name="receive"),
]
