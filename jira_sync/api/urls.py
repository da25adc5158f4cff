"""/api/v1/jira/…: mounted by tpm_workspace/api_urls.py."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("jira/connections", views.JiraConnectionViewSet, basename="jira-connection")
router.register("jira/mappings", views.ProjectMappingViewSet, basename="jira-mapping")
router.register("jira/runs", views.SyncRunViewSet, basename="jira-run")
router.register("jira/conflicts", views.ConflictViewSet, basename="jira-conflict")
router.register("jira/links", views.IssueLinkViewSet, basename="jira-link")

urlpatterns = router.urls
