"""What can be commented on through the API, by the name clients use (the model's name in lower case)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from backlog.models import Epic, Feature, Story, TechDebtItem
from decisions.models import PRD, DecisionRecord, Requirement
from roadmap.models import RoadmapItem

COMMENT_TARGETS: dict[str, type[Model]] = {
    model._meta.model_name: model  # type: ignore[misc]
    for model in (Epic, Feature, Story, TechDebtItem, RoadmapItem, PRD, DecisionRecord, Requirement)
}
TARGET_TYPE_CHOICES = [(name, str(model._meta.verbose_name)) for name, model in COMMENT_TARGETS.items()]


def content_type_id_of(target_type: str) -> int:
    return ContentType.objects.get_for_model(COMMENT_TARGETS[target_type]).pk


def visible_target(*, user: Any, target_type: str, target_id: int) -> Model | None:
    """The row if the caller can see it (it is in one of their workspaces), else None: foreign and missing look alike.

    The row comes with `target_workspace` set (loaded in the same query).
    """
    model = COMMENT_TARGETS[target_type]
    rows = model._default_manager.visible_to(user)  # type: ignore[attr-defined]
    product_path = rows.product_path
    row = rows.select_related(f"{product_path}__workspace").filter(pk=target_id).first()
    if row is not None:
        product: Any = row
        for part in product_path.split("__"):
            product = getattr(product, part)
        row.target_workspace = product.workspace
    return row
