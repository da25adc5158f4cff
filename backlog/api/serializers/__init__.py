"""Backlog resources: output shapes, and input validators apart from them.

Inputs name related rows by id through scoped fields: an id from a workspace the caller is not
in is "does not exist" (400), never a hint that it exists. The services check the rest (same
product, members only, open sprints, …).

base       bounds, shared fields and validators (moves, transitions, item writes)
stories    stories: the list's fast path, the representation, the write validator
items      epics, features, tech-debt items
sprints    sprints, closing one, planning stories into one
workflow   acceptance criteria, workflow statuses, labels
"""

from .base import (
    ITEM_OUTPUT_FIELDS,
    MAX_CAPACITY_POINTS,
    MAX_COST_OF_DELAY,
    MAX_ID,
    MAX_IDS_PER_CALL,
    MAX_POINTS,
    CriterionSerializer,
    FlatListField,
    ItemWriteSerializer,
    MoveSerializer,
    StatusSummarySerializer,
    TransitionSerializer,
    fixed_on_update,
    iso_datetime,
    user_summary,
)
from .items import (
    EpicProgressSerializer,
    EpicSerializer,
    EpicWriteSerializer,
    FeatureSerializer,
    FeatureWriteSerializer,
    TechDebtItemSerializer,
    TechDebtItemWriteSerializer,
    TechDebtScheduleSerializer,
)
from .sprints import (
    SprintCloseSerializer,
    SprintSerializer,
    SprintStoriesSerializer,
    SprintWriteSerializer,
)
from .stories import (
    STORY_LIST_VALUES,
    SprintAssignmentSerializer,
    StoryListSerializer,
    StorySerializer,
    StoryWriteSerializer,
    attach_labels_and_criteria,
    with_labels_and_criteria,
)
from .workflow import (
    AcceptanceCriterionSerializer,
    AcceptanceCriterionWriteSerializer,
    LabelSerializer,
    LabelWriteSerializer,
    WorkflowStatusSerializer,
)

__all__ = [
    "ITEM_OUTPUT_FIELDS",
    "MAX_CAPACITY_POINTS",
    "MAX_COST_OF_DELAY",
    "MAX_ID",
    "MAX_IDS_PER_CALL",
    "MAX_POINTS",
    "STORY_LIST_VALUES",
    "AcceptanceCriterionSerializer",
    "AcceptanceCriterionWriteSerializer",
    "CriterionSerializer",
    "EpicProgressSerializer",
    "EpicSerializer",
    "EpicWriteSerializer",
    "FeatureSerializer",
    "FeatureWriteSerializer",
    "FlatListField",
    "ItemWriteSerializer",
    "LabelSerializer",
    "LabelWriteSerializer",
    "MoveSerializer",
    "SprintAssignmentSerializer",
    "SprintCloseSerializer",
    "SprintSerializer",
    "SprintStoriesSerializer",
    "SprintWriteSerializer",
    "StatusSummarySerializer",
    "StoryListSerializer",
    "StorySerializer",
    "StoryWriteSerializer",
    "TechDebtItemSerializer",
    "TechDebtItemWriteSerializer",
    "TechDebtScheduleSerializer",
    "TransitionSerializer",
    "WorkflowStatusSerializer",
    "attach_labels_and_criteria",
    "fixed_on_update",
    "iso_datetime",
    "user_summary",
    "with_labels_and_criteria",
]
