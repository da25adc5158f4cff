"""The roadmap's browser pages (docs/ui.md): the board, the timeline, an item's page, baselines."""

from .baselines import baseline_create, baseline_detail, baseline_list
from .board import board, item_create, move, roadmap_create
from .items import dependency_add, dependency_remove, epic_link, epic_unlink, item_delete, item_detail
from .timeline import milestone_create, milestone_delete, milestone_update, timeline

__all__ = [
    "baseline_create",
    "baseline_detail",
    "baseline_list",
    "board",
    "dependency_add",
    "dependency_remove",
    "epic_link",
    "epic_unlink",
    "item_create",
    "item_delete",
    "item_detail",
    "milestone_create",
    "milestone_delete",
    "milestone_update",
    "move",
    "roadmap_create",
    "timeline",
]
