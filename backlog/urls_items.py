"""Browser pages of the backlog tree, its items and tech debt; see docs/ui.md."""

from django.urls import URLPattern, path

from .views import criteria, items, techdebt, techdebt_detail, tree

P = "p/<int:product_id>/backlog/"

urlpatterns: list[URLPattern] = [
    # The tree and its fragments
    path(P, tree.tree, name="tree"),
    path(f"{P}epics/new/", tree.epic_create, name="epic_create"),
    path(f"{P}epics/move/", tree.epic_move, name="epic_move"),
    path(f"{P}features/move/", tree.feature_move, name="feature_move"),
    path(f"{P}stories/move/", tree.story_move, name="story_move"),
    path(f"{P}stories/bulk/", tree.story_bulk, name="story_bulk"),
    path(f"{P}epics/<int:epic_id>/node/", tree.epic_node, name="epic_node"),
    path(f"{P}epics/<int:epic_id>/features/new/", tree.feature_create, name="feature_create"),
    path(f"{P}epics/<int:epic_id>/stories/new/", tree.epic_story_create, name="epic_story_create"),
    path(f"{P}features/<int:feature_id>/node/", tree.feature_node, name="feature_node"),
    path(f"{P}features/<int:feature_id>/stories/new/", tree.feature_story_create, name="feature_story_create"),
    # Item pages, each field edited in place (`?field=`)
    path(f"{P}epics/<int:epic_id>/", items.epic_detail, name="epic_detail"),
    path(f"{P}epics/<int:epic_id>/edit/", items.epic_edit, name="epic_edit"),
    path(f"{P}features/<int:feature_id>/", items.feature_detail, name="feature_detail"),
    path(f"{P}features/<int:feature_id>/edit/", items.feature_edit, name="feature_edit"),
    path(f"{P}stories/<int:story_id>/", items.story_detail, name="story_detail"),
    path(f"{P}stories/<int:story_id>/edit/", items.story_edit, name="story_edit"),
    path(f"{P}stories/<int:story_id>/criteria/", criteria.criterion_add, name="criterion_add"),
    path(f"{P}criteria/<int:criterion_id>/", criteria.criterion_edit, name="criterion_edit"),
    path(f"{P}criteria/<int:criterion_id>/toggle/", criteria.criterion_toggle, name="criterion_toggle"),
    path(f"{P}criteria/<int:criterion_id>/delete/", criteria.criterion_delete, name="criterion_delete"),
    path(f"{P}markdown-preview/", items.markdown_preview, name="markdown_preview"),
    # Tech debt
    path(f"{P}tech-debt/", techdebt.techdebt, name="techdebt"),
    # The list's row editor (htmx); `tech-debt/<id>/` itself is the item's page, below.
    path(f"{P}tech-debt/<int:techdebt_id>/edit/", techdebt.techdebt_edit, name="techdebt_edit"),
    # A tech-debt item's page: every field edited in place, scheduling, deletion, comments
    path(f"{P}tech-debt/<int:techdebt_id>/", techdebt_detail.techdebt_detail, name="techdebt_detail"),
    path(f"{P}tech-debt/<int:techdebt_id>/field/", techdebt_detail.techdebt_field, name="techdebt_field"),
    path(f"{P}tech-debt/<int:techdebt_id>/schedule/", techdebt_detail.techdebt_schedule, name="techdebt_schedule"),
    path(f"{P}tech-debt/<int:techdebt_id>/delete/", techdebt_detail.techdebt_delete, name="techdebt_delete"),
]
