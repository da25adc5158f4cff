"""The Jira pages: the workspace's connection (admins) and, per product, mapping, runs and conflicts."""

from django.urls import path

from .views import conflicts, connection, mapping, runs

app_name = "jira_sync"

urlpatterns = [
    path("w/<int:workspace_id>/jira/", connection.connection_page, name="connection"),
    path("w/<int:workspace_id>/jira/test/", connection.connection_test, name="connection_test"),
    path("w/<int:workspace_id>/jira/rotate-secret/", connection.connection_rotate_secret, name="connection_rotate"),
    path("p/<int:product_id>/jira/", mapping.mapping_page, name="mapping"),
    path("p/<int:product_id>/jira/statuses/", mapping.mapping_statuses, name="mapping_statuses"),
    path("p/<int:product_id>/jira/directions/", mapping.mapping_directions, name="mapping_directions"),
    path("p/<int:product_id>/jira/edit/", mapping.mapping_edit, name="mapping_edit"),
    path("p/<int:product_id>/jira/disconnect/", mapping.mapping_disconnect, name="mapping_disconnect"),
    path("p/<int:product_id>/jira/dry-run/", runs.run_dry, name="dry_run"),
    path("p/<int:product_id>/jira/sync/", runs.run_sync, name="sync"),
    path("p/<int:product_id>/jira/runs/", runs.run_list, name="runs"),
    path("p/<int:product_id>/jira/runs/<int:run_id>/", runs.run_detail, name="run_detail"),
    path("p/<int:product_id>/jira/conflicts/", conflicts.conflict_list, name="conflicts"),
    path(
        "p/<int:product_id>/jira/conflicts/<int:conflict_id>/resolve/", conflicts.conflict_pick, name="conflict_resolve"
    ),
]
