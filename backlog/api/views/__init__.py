"""Backlog endpoints: thin viewsets over backlog.services, one module per group of resources."""

from .items import EpicViewSet, FeatureViewSet, TechDebtItemViewSet
from .sprints import SprintViewSet
from .stories import StoryViewSet
from .workflow import AcceptanceCriterionViewSet, LabelViewSet, WorkflowStatusViewSet

__all__ = [
    "AcceptanceCriterionViewSet",
    "EpicViewSet",
    "FeatureViewSet",
    "LabelViewSet",
    "SprintViewSet",
    "StoryViewSet",
    "TechDebtItemViewSet",
    "WorkflowStatusViewSet",
]
