"""Browser pages of the board and sprints; see docs/ui.md."""

from django.urls import path

from .views import board, sprints

urlpatterns = [
    path("p/<int:product_id>/backlog/board/", board.board, name="board"),
    path("p/<int:product_id>/backlog/board/move/", board.board_move, name="board_move"),
    path("p/<int:product_id>/backlog/sprints/", sprints.sprint_list, name="sprints"),
    path("p/<int:product_id>/backlog/sprints/<int:sprint_id>/", sprints.sprint_detail, name="sprint_detail"),
    path("p/<int:product_id>/backlog/sprints/<int:sprint_id>/edit/", sprints.sprint_edit, name="sprint_edit"),
    path("p/<int:product_id>/backlog/sprints/<int:sprint_id>/start/", sprints.sprint_start, name="sprint_start"),
    path(
        "p/<int:product_id>/backlog/sprints/<int:sprint_id>/complete/",
        sprints.sprint_complete,
        name="sprint_complete",
    ),
    path(
        "p/<int:product_id>/backlog/sprints/<int:sprint_id>/planning/",
        sprints.sprint_planning,
        name="sprint_planning",
    ),
    path(
        "p/<int:product_id>/backlog/sprints/<int:sprint_id>/planning/move/",
        sprints.sprint_planning_move,
        name="sprint_planning_move",
    ),
]
