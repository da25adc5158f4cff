from rest_framework.routers import SimpleRouter

from .views import prds, records, signoffs

router = SimpleRouter()
router.register("prds", prds.PRDViewSet, basename="prd")
router.register("prd-versions", prds.PRDVersionViewSet, basename="prd-version")
router.register("requirements", prds.RequirementViewSet, basename="requirement")
router.register("decisions", records.DecisionViewSet, basename="decision")
router.register("decision-options", records.DecisionOptionViewSet, basename="decision-option")
router.register("signoffs", signoffs.SignOffViewSet, basename="signoff")
router.register("review-flags", signoffs.ReviewFlagViewSet, basename="review-flag")

urlpatterns = router.urls
