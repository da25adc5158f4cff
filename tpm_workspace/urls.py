"""The three doors: admin, REST API, browser UI.

Browser pages live in each app's `urls.py` (`app_name = "<app>"`), with full paths under
`p/<int:product_id>/<area>/` (see docs/ui.md); such a module is mounted here as soon as it exists.
"""

from importlib.util import find_spec

from django.contrib import admin
from django.urls import include, path

# Apps whose browser pages are mounted at the root; each owns the full paths of its pages.
UI_APPS = ("roadmap", "backlog", "decisions", "activity", "jira_sync")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("tpm_workspace.api_urls")),
    path("", include("jira_sync.webhook_urls")),  # POST /jira/webhooks/<connection key>/ from Jira
    path("", include("home.urls")),
    *[path("", include(f"{app}.urls")) for app in UI_APPS if find_spec(f"{app}.urls") is not None],
]
