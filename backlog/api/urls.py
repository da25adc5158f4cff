from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("stories", views.StoryViewSet, basename="story")

urlpatterns = router.urls
