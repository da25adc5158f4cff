"""Browser pages of the activity app (docs/ui.md): comments per kind of row, search, notifications."""

from django.urls import path

from . import views
from .kinds import KINDS

app_name = "activity"

urlpatterns = [
    # One URL per commentable kind, so the id's name says its model (story_id, item_id, …).
    *[
        path(
            f"p/<int:product_id>/comments/{kind.slug}/<int:{kind.kwarg}>/",
            views.comments_view_for(kind.name),
            name=f"comments_{kind.name}",
        )
        for kind in KINDS
    ],
    path("p/<int:product_id>/comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("p/<int:product_id>/comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("p/<int:product_id>/search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/<int:notification_id>/read/", views.notification_read, name="notification_read"),
]
