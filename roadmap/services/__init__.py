"""Every write on roadmaps, one module per subject; import the services from here.

roadmaps       create, edit, delete a roadmap
items          roadmap items: create, edit (epics and goals of the same product), delete
ranks          moves within and across lanes (one row written) and the rebalance they fall back on
dependencies   blocker → blocked links, refused when they would close a cycle
milestones     milestones and goals
baselines      a baseline: the snapshot of every item, to compare the plan with later
rules          checks several services apply (members only, same product)
"""

from .baselines import SNAPSHOT_FIELDS, baseline_create, item_snapshot
from .dependencies import dependency_add, dependency_remove
from .items import ITEM_EDITABLE_FIELDS, roadmap_item_create, roadmap_item_delete, roadmap_item_update
from .milestones import (
    GOAL_EDITABLE_FIELDS,
    MILESTONE_EDITABLE_FIELDS,
    goal_create,
    goal_delete,
    goal_update,
    milestone_create,
    milestone_delete,
    milestone_update,
)
from .ranks import MOVE_ATTEMPTS, REBALANCE_AT, roadmap_item_move, roadmap_ranks_rebalance
from .roadmaps import ROADMAP_EDITABLE_FIELDS, roadmap_create, roadmap_delete, roadmap_update

__all__ = [
    "GOAL_EDITABLE_FIELDS",
    "ITEM_EDITABLE_FIELDS",
    "MILESTONE_EDITABLE_FIELDS",
    "MOVE_ATTEMPTS",
    "REBALANCE_AT",
    "ROADMAP_EDITABLE_FIELDS",
    "SNAPSHOT_FIELDS",
    "baseline_create",
    "dependency_add",
    "dependency_remove",
    "goal_create",
    "goal_delete",
    "goal_update",
    "item_snapshot",
    "milestone_create",
    "milestone_delete",
    "milestone_update",
    "roadmap_create",
    "roadmap_delete",
    "roadmap_item_create",
    "roadmap_item_delete",
    "roadmap_item_move",
    "roadmap_item_update",
    "roadmap_ranks_rebalance",
    "roadmap_update",
]
