"""The roadmap's browser pages (docs/ui.md): board, timeline, items, milestones, baselines."""

from django.urls import path

from . import views

app_name = "roadmap"

P = "p/<int:product_id>/roadmap/"

urlpatterns = [
    # The board (now / next / later) of one roadmap: ?roadmap=<id>
    path(P, views.board, name="board"),
    path(P + "new/", views.roadmap_create, name="roadmap_create"),
    path(P + "<int:roadmap_id>/move/", views.move, name="move"),
    path(P + "<int:roadmap_id>/items/new/", views.item_create, name="item_create"),
    # The timeline: ?roadmap=<id>&scale=months|quarters; milestones are edited on it
    path(P + "timeline/", views.timeline, name="timeline"),
    path(P + "milestones/new/", views.milestone_create, name="milestone_create"),
    path(P + "milestones/<int:milestone_id>/", views.milestone_update, name="milestone_update"),
    path(P + "milestones/<int:milestone_id>/delete/", views.milestone_delete, name="milestone_delete"),
    # An item's page and what is done on it
    path(P + "items/<int:item_id>/", views.item_detail, name="item_detail"),
    path(P + "items/<int:item_id>/delete/", views.item_delete, name="item_delete"),
    path(P + "items/<int:item_id>/epics/", views.epic_link, name="epic_link"),
    path(P + "items/<int:item_id>/epics/<int:epic_id>/unlink/", views.epic_unlink, name="epic_unlink"),
    path(P + "items/<int:item_id>/dependencies/", views.dependency_add, name="dependency_add"),
    path(P + "dependencies/<int:dependency_id>/delete/", views.dependency_remove, name="dependency_remove"),
    # Baselines: what moved since
    path(P + "baselines/", views.baseline_list, name="baseline_list"),
    path(P + "<int:roadmap_id>/baselines/new/", views.baseline_create, name="baseline_create"),
    path(P + "baselines/<int:baseline_id>/", views.baseline_detail, name="baseline_detail"),
]
