from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register("members", views.MembershipViewSet, basename="member")
router.register("products", views.ProductViewSet, basename="product")
router.register("tokens", views.ApiTokenViewSet, basename="token")

urlpatterns = router.urls
