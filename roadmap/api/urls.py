from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("roadmaps", views.RoadmapViewSet, basename="roadmap")
router.register("roadmap-items", views.RoadmapItemViewSet, basename="roadmap-item")
router.register("dependencies", views.DependencyViewSet, basename="dependency")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("goals", views.GoalViewSet, basename="goal")
router.register("baselines", views.BaselineViewSet, basename="baseline")

urlpatterns = router.urls
