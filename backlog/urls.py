"""The backlog's browser pages (docs/ui.md): the tree, items and tech debt; the board and sprints."""

from django.urls import include, path

app_name = "backlog"

urlpatterns = [
    path("", include("backlog.urls_items")),
    path("", include("backlog.urls_planning")),
]
