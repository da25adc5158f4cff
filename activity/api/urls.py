from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("comments", views.CommentViewSet, basename="comment")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = router.urls
