"""Every write on the backlog, one module per subject; import the services from here.

products    a product with its default workflow; labels
epics       epics and features: create, edit, delete
stories     stories and their acceptance criteria; planning into sprints
ranks       rank moves (one row written) and the rebalance they fall back on
sprints     plan, start, close (carrying unfinished work over), edit, delete
tech_debt   debt items, and scheduling one as the story that pays it off
items       what the item services share: numbering and ranking a new item, edits, deletes
rules       checks several services apply (members only, no planning into a closed sprint)
"""

from .epics import (
    EPIC_EDITABLE_FIELDS,
    FEATURE_EDITABLE_FIELDS,
    epic_create,
    epic_delete,
    epic_update,
    feature_create,
    feature_delete,
    feature_update,
)
from .products import (
    DEFAULT_WORKFLOW,
    LABEL_MAX_LENGTH,
    default_status,
    label_create,
    labels_resolve,
    product_create,
)
from .ranks import (
    MOVE_ATTEMPTS,
    RANKED_MODELS,
    REBALANCE_AT,
    item_move,
    ranks_rebalance,
)
from .sprints import (
    SPRINT_EDITABLE_FIELDS,
    sprint_close,
    sprint_create,
    sprint_delete,
    sprint_start,
    sprint_update,
)
from .stories import (
    STORY_EDITABLE_FIELDS,
    criterion_add,
    criterion_delete,
    criterion_set_met,
    criterion_update,
    stories_set_sprint,
    story_create,
    story_delete,
    story_event_data,
    story_set_status,
    story_update,
)
from .tech_debt import (
    TECH_DEBT_EDITABLE_FIELDS,
    tech_debt_create,
    tech_debt_delete,
    tech_debt_schedule,
    tech_debt_update,
)

__all__ = [
    "DEFAULT_WORKFLOW",
    "EPIC_EDITABLE_FIELDS",
    "FEATURE_EDITABLE_FIELDS",
    "LABEL_MAX_LENGTH",
    "MOVE_ATTEMPTS",
    "RANKED_MODELS",
    "REBALANCE_AT",
    "SPRINT_EDITABLE_FIELDS",
    "STORY_EDITABLE_FIELDS",
    "TECH_DEBT_EDITABLE_FIELDS",
    "criterion_add",
    "criterion_delete",
    "criterion_set_met",
    "criterion_update",
    "default_status",
    "epic_create",
    "epic_delete",
    "epic_update",
    "feature_create",
    "feature_delete",
    "feature_update",
    "item_move",
    "label_create",
    "labels_resolve",
    "product_create",
    "ranks_rebalance",
    "sprint_close",
    "sprint_create",
    "sprint_delete",
    "sprint_start",
    "sprint_update",
    "stories_set_sprint",
    "story_create",
    "story_delete",
    "story_event_data",
    "story_set_status",
    "story_update",
    "tech_debt_create",
    "tech_debt_delete",
    "tech_debt_schedule",
    "tech_debt_update",
]
