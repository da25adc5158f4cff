from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("epics", views.EpicViewSet, basename="epic")
router.register("features", views.FeatureViewSet, basename="feature")
router.register("stories", views.StoryViewSet, basename="story")
router.register("acceptance-criteria", views.AcceptanceCriterionViewSet, basename="acceptance-criterion")
router.register("tech-debt", views.TechDebtItemViewSet, basename="tech-debt-item")
router.register("sprints", views.SprintViewSet, basename="sprint")
router.register("workflow-statuses", views.WorkflowStatusViewSet, basename="workflow-status")
router.register("labels", views.LabelViewSet, basename="label")

urlpatterns = router.urls
