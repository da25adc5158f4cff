"""Change impact: items resting on a changed requirement or decision are flagged for re-review."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activity.models import Notification
from activity.services import notify
from backlog.models import Epic, Feature, Story
from roadmap.models import RoadmapItem

from ..models import DecisionRecord, Requirement, ReviewFlag

Flaggable = Epic | Feature | Story | RoadmapItem
TARGET_FIELD = {Epic: "epic", Feature: "feature", Story: "story", RoadmapItem: "roadmap_item"}


def _owners(item: Flaggable) -> list[AbstractBaseUser]:
    people = [item.owner]
    if isinstance(item, Story):
        people.append(item.assignee)
    return [person for person in people if person is not None]


@transaction.atomic
def flags_raise(
    *,
    items: Iterable[Flaggable],
    reason: str,
    actor: AbstractBaseUser | None,
    requirement: Requirement | None = None,
    decision: DecisionRecord | None = None,
) -> list[ReviewFlag]:
    """Flag each item once per cause (an open flag is kept, not duplicated) and tell its owners."""
    if (requirement is None) == (decision is None):
        raise ValueError("a review flag has exactly one cause")
    cause = {"requirement": requirement} if requirement is not None else {"decision": decision}
    product = (requirement or decision).product  # type: ignore[union-attr]
    raised = []
    for item in items:
        field = TARGET_FIELD[type(item)]
        flag, created = ReviewFlag.objects.get_or_create(
            **{field: item},
            **cause,
            cleared_at=None,
            defaults={"product": product, "reason": reason[:255], "raised_by": actor},
        )
        if created:
            raised.append(flag)
            notify(
                workspace=product.workspace,
                recipients=_owners(item),
                kind=Notification.Kind.REVIEW_FLAG,
                message=f"Re-review {item}: {reason}",
                target=item,
                actor=actor,
            )
    return raised


@transaction.atomic
def review_flag_clear(*, flag: ReviewFlag, actor: AbstractBaseUser, note: str = "") -> ReviewFlag:
    flag = ReviewFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.cleared_at is not None:
        raise ValidationError({"flag": "This flag was already cleared."})
    flag.cleared_at = timezone.now()
    flag.cleared_by = actor
    flag.clear_note = note[:255]
    flag.save(update_fields=["cleared_at", "cleared_by", "clear_note", "updated_at"])
    return flag


def requirement_impacted_items(requirement: Requirement) -> list[Flaggable]:
    """What delivers the requirement (features, stories) and the roadmap items its PRD serves."""
    return [
        *requirement.features.select_related("owner"),
        *requirement.stories.select_related("owner", "assignee"),
        *requirement.prd.roadmap_items.select_related("owner"),
    ]


def decision_impacted_items(record: DecisionRecord) -> list[Flaggable]:
    return [*record.epics.select_related("owner"), *record.roadmap_items.select_related("owner")]
