"""Stories: create, edit (with the webhook event of what changed), status, delete, planning into a
sprint; and their acceptance criteria."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import ApplicationError
from webhooks.events import EventKind, record_event
from workspaces.models import Product

from ..models import AcceptanceCriterion, Epic, Feature, Priority, Sprint, Story, WorkflowStatus
from ..signals import ORIGIN_WORKSPACE, send_item_changed
from .items import announce_update, field_values, save_new_item
from .products import labels_resolve
from .rules import check_assignee, check_sprint_open


@transaction.atomic
def story_create(
    *,
    product: Product,
    actor: AbstractBaseUser | None,
    title: str,
    feature: Feature | None = None,
    epic: Epic | None = None,
    statement: str = "",
    description: str = "",
    points: int | None = None,
    priority: int = Priority.MEDIUM,
    status: WorkflowStatus | None = None,
    assignee: AbstractBaseUser | None = None,
    owner: AbstractBaseUser | None = None,
    sprint: Sprint | None = None,
    labels: Sequence[str] = (),
    acceptance_criteria: Sequence[str] = (),
    origin: str = ORIGIN_WORKSPACE,
) -> Story:
    story = Story(
        product=product,
        title=title,
        feature=feature,
        epic=epic,
        statement=statement,
        description=description,
        points=points,
        priority=priority,
        status=status,
        assignee=assignee,
        owner=owner,
        sprint=sprint,
    )
    check_assignee(product, assignee)
    check_sprint_open(sprint)
    if status is not None and status.is_done:
        story.completed_at = timezone.now()
    story = save_new_item(story, actor=actor, labels=labels)
    AcceptanceCriterion.objects.bulk_create(
        AcceptanceCriterion(story=story, text=text.strip(), position=position)
        for position, text in enumerate(acceptance_criteria)
        if text.strip()
    )
    record_event(
        workspace_id=product.workspace_id, kind=EventKind.STORY_CREATED, payload={"story": story_event_data(story)}
    )
    send_item_changed(story, kind="created", actor=actor, origin=origin)
    return story


def story_event_data(story: Story) -> dict[str, Any]:
    """A story as webhook receivers see it (ids for relations)."""
    return {
        "id": story.pk,
        "key": story.key,
        "product": story.product_id,
        "title": story.title,
        "statement": story.statement,
        "description": story.description,
        "points": story.points,
        "priority": story.priority,
        "status": {"id": story.status_id, "name": story.status.name, "category": story.status.category},
        "assignee": story.assignee_id,
        "owner": story.owner_id,
        "sprint": story.sprint_id,
        "feature": story.feature_id,
        "epic": story.epic_id,
        "completed_at": story.completed_at,
    }


STORY_EDITABLE_FIELDS = frozenset(
    {
        "title",
        "statement",
        "description",
        "points",
        "priority",
        "assignee",
        "owner",
        "sprint",
        "feature",
        "epic",
        "status",
    }
)


@transaction.atomic
def story_update(
    *,
    story: Story,
    actor: AbstractBaseUser | None,
    labels: Sequence[str] | None = None,
    origin: str = ORIGIN_WORKSPACE,
    **changes: Any,
) -> Story:
    """Apply field changes to a story with every rule checked; unknown fields are refused."""
    unknown = set(changes) - STORY_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    story = Story.objects.select_for_update().select_related("status", "product__workspace").get(pk=story.pk)
    was_done = story.status.is_done
    previous_sprint_id = story.sprint_id
    before = story_event_data(story)
    before_fields = field_values(story, changes, labels=labels is not None)
    for field, value in changes.items():
        setattr(story, field, value)
    for person in ("assignee", "owner"):
        if person in changes:
            check_assignee(story.product, changes[person], field=person)
    if story.sprint_id != previous_sprint_id:
        # A finished story stays in its closed sprint, but nothing new is planned into one.
        check_sprint_open(story.sprint)
    story.full_clean(exclude=["number", "rank"], validate_constraints=False)
    _stamp_completion(story, was_done=was_done)
    story._history_user = actor
    story.save()
    if labels is not None:
        story.labels.set(labels_resolve(product=story.product, names=labels))
    after = story_event_data(story)
    changed = {name: {"from": before[name], "to": after[name]} for name in after if before[name] != after[name]}
    if changed:
        record_event(
            workspace_id=story.product.workspace_id,
            kind=EventKind.STORY_UPDATED,
            payload={"story": after, "changes": changed},
        )
    announce_update(story, before_fields, actor=actor, origin=origin)
    return story


def _stamp_completion(story: Story, *, was_done: bool) -> None:
    is_done = story.status.is_done
    if is_done and not was_done:
        story.completed_at = timezone.now()
    elif was_done and not is_done:
        story.completed_at = None


@transaction.atomic
def story_set_status(
    *, story: Story, actor: AbstractBaseUser | None, status: WorkflowStatus, origin: str = ORIGIN_WORKSPACE
) -> Story:
    return story_update(story=story, actor=actor, status=status, origin=origin)


@transaction.atomic
def story_delete(*, story: Story, actor: AbstractBaseUser | None, origin: str = ORIGIN_WORKSPACE) -> None:
    """Delete a story with its acceptance criteria; a tech-debt item it paid off becomes unscheduled again."""
    story = Story.objects.select_for_update(of=("self",)).filter(pk=story.pk).first()
    if story is None:
        return
    send_item_changed(story, kind="deleted", actor=actor, origin=origin)
    story._history_user = actor
    story.delete()


@transaction.atomic
def stories_set_sprint(
    *, product: Product, actor: AbstractBaseUser | None, story_ids: Iterable[int], sprint: Sprint | None
) -> int:
    """Move stories into a sprint (or back to the backlog with None); returns how many moved."""
    if sprint is not None and sprint.product_id != product.pk:
        raise ValidationError({"sprint": "This sprint belongs to another product."})
    check_sprint_open(sprint)
    stories = list(Story.objects.select_for_update().filter(product=product, pk__in=list(story_ids)))
    for story in stories:
        story.sprint = sprint
        story._history_user = actor
        story.save(update_fields=["sprint", "updated_at"])
    return len(stories)


@transaction.atomic
def criterion_add(*, story: Story, text: str) -> AcceptanceCriterion:
    """A criterion at the end of the story's list: one after the last position, or 0 for the first.

    Positions continue the sequence story_create starts at 0. The story row is locked so that two
    criteria added at once take consecutive positions.
    """
    if not text.strip():
        raise ValidationError({"text": "Write the criterion."})
    Story.objects.select_for_update().filter(pk=story.pk).exists()
    last = AcceptanceCriterion.objects.filter(story_id=story.pk).aggregate(last=Max("position"))["last"]
    position = 0 if last is None else last + 1
    return AcceptanceCriterion.objects.create(story=story, text=text.strip(), position=position)


@transaction.atomic
def criterion_set_met(*, criterion: AcceptanceCriterion, is_met: bool) -> AcceptanceCriterion:
    AcceptanceCriterion.objects.filter(pk=criterion.pk).update(is_met=is_met, updated_at=timezone.now())
    criterion.is_met = is_met
    return criterion


@transaction.atomic
def criterion_update(
    *,
    criterion: AcceptanceCriterion,
    actor: AbstractBaseUser | None,
    text: str | None = None,
    is_met: bool | None = None,
) -> AcceptanceCriterion:
    """Reword a criterion and/or mark it met or not met; what is not given stays as it is."""
    criterion = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
    if text is not None:
        if not text.strip():
            raise ValidationError({"text": "Write the criterion."})
        criterion.text = text.strip()
    if is_met is not None:
        criterion.is_met = is_met
    criterion.save(update_fields=["text", "is_met", "updated_at"])
    return criterion


@transaction.atomic
def criterion_delete(*, criterion: AcceptanceCriterion, actor: AbstractBaseUser | None) -> None:
    """Remove a criterion; the others keep their positions (gaps are harmless: only the order matters)."""
    AcceptanceCriterion.objects.filter(pk=criterion.pk).delete()
