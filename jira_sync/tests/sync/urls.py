"""The webhook door mounted the way tpm_workspace/urls.py mounts it (the lead adds that one line)."""

from django.urls import include, path

urlpatterns = [path("", include("jira_sync.webhook_urls"))]
