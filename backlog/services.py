"""Every write on the backlog: creation with keys and ranks, edits, status, sprints, rank moves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from core.errors import ApplicationError
from core.ranks import rank_after, rank_between
from workspaces import services as workspace_services
from workspaces.models import Product, Workspace

from .models import (
    AcceptanceCriterion,
    BacklogItem,
    Epic,
    Feature,
    Label,
    Priority,
    Sprint,
    StatusCategory,
    Story,
    TechDebtItem,
    WorkflowStatus,
)

Item = TypeVar("Item", Epic, Feature, Story, TechDebtItem)

DEFAULT_WORKFLOW = (
    ("To do", StatusCategory.TODO),
    ("In progress", StatusCategory.IN_PROGRESS),
    ("In review", StatusCategory.IN_PROGRESS),
    ("Done", StatusCategory.DONE),
)


@transaction.atomic
def product_create(*, workspace: Workspace, name: str, key: str, description: str = "") -> Product:
    """A product with the default workflow (To do → In progress → In review → Done)."""
    product = workspace_services.product_create(workspace=workspace, name=name, key=key, description=description)
    WorkflowStatus.objects.bulk_create(
        WorkflowStatus(product=product, name=status_name, category=category, position=position)
        for position, (status_name, category) in enumerate(DEFAULT_WORKFLOW)
    )
    return product


def default_status(product: Product) -> WorkflowStatus:
    status = (
        WorkflowStatus.objects.filter(product=product, category=StatusCategory.TODO).order_by("position").first()
        or WorkflowStatus.objects.filter(product=product).order_by("position").first()
    )
    if status is None:
        raise ApplicationError(f"{product.name} has no workflow statuses; add one first.", field="status")
    return status


def labels_resolve(*, product: Product, names: Iterable[str]) -> list[Label]:
    """The product's labels with these names, creating the missing ones."""
    wanted = sorted({name.strip() for name in names if name and name.strip()})
    existing = {label.name: label for label in Label.objects.filter(product=product, name__in=wanted)}
    for name in wanted:
        if name not in existing:
            existing[name], _ = Label.objects.get_or_create(product=product, name=name)
    return [existing[name] for name in wanted]


def _save_new_item(item: Item, *, actor: AbstractBaseUser | None, labels: Sequence[str] = ()) -> Item:
    """Validate, number and rank (at the bottom) a new backlog item, then save it."""
    model = type(item)
    item.created_by = actor
    _check_assignee(item.product, item.owner, field="owner")
    if not item.status_id:
        item.status = default_status(item.product)
    # The number is reserved first: it locks the product row, which also serialises the rank below.
    item.full_clean(exclude=["number", "rank"], validate_constraints=False)
    (item.number,) = workspace_services.product_next_numbers(product_id=item.product_id, field="last_item_number")
    last_rank = model.objects.filter(product_id=item.product_id).aggregate(last=Max("rank"))["last"]
    item.rank = rank_after(last_rank)
    item._history_user = actor
    item.save()
    if labels:
        item.labels.set(labels_resolve(product=item.product, names=labels))
    return item


@transaction.atomic
def epic_create(
    *,
    product: Product,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    status: WorkflowStatus | None = None,
    owner: AbstractBaseUser | None = None,
    target_date: date | None = None,
    labels: Sequence[str] = (),
) -> Epic:
    epic = Epic(
        product=product, title=title, description=description, status=status, owner=owner, target_date=target_date
    )
    return _save_new_item(epic, actor=actor, labels=labels)


@transaction.atomic
def feature_create(
    *,
    epic: Epic,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    status: WorkflowStatus | None = None,
    owner: AbstractBaseUser | None = None,
    labels: Sequence[str] = (),
) -> Feature:
    feature = Feature(
        product_id=epic.product_id,
        product=epic.product,
        epic=epic,
        title=title,
        description=description,
        status=status,
        owner=owner,
    )
    return _save_new_item(feature, actor=actor, labels=labels)


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
    _check_assignee(product, assignee)
    _check_sprint_open(sprint)
    if status is not None and status.is_done:
        story.completed_at = timezone.now()
    story = _save_new_item(story, actor=actor, labels=labels)
    AcceptanceCriterion.objects.bulk_create(
        AcceptanceCriterion(story=story, text=text.strip(), position=position)
        for position, text in enumerate(acceptance_criteria)
        if text.strip()
    )
    return story


def _check_assignee(product: Product, user: AbstractBaseUser | None, field: str = "assignee") -> None:
    if user is not None and not product.workspace.memberships.filter(user=user).exists():
        raise ValidationError({field: "Assign only members of this workspace."})


def _check_sprint_open(sprint: Sprint | None, field: str = "sprint") -> None:
    """Refuse planning into a closed sprint, by its stored state: the caller's copy may predate the close."""
    if sprint is None:
        return
    state = Sprint.objects.filter(pk=sprint.pk).values_list("state", flat=True).first()
    if state == Sprint.State.CLOSED:
        raise ValidationError({field: f"{sprint.name} is closed; plan into an open sprint."})


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
    *, story: Story, actor: AbstractBaseUser | None, labels: Sequence[str] | None = None, **changes: Any
) -> Story:
    """Apply field changes to a story with every rule checked; unknown fields are refused."""
    unknown = set(changes) - STORY_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    story = Story.objects.select_for_update().select_related("status", "product__workspace").get(pk=story.pk)
    was_done = story.status.is_done
    previous_sprint_id = story.sprint_id
    for field, value in changes.items():
        setattr(story, field, value)
    for person in ("assignee", "owner"):
        if person in changes:
            _check_assignee(story.product, changes[person], field=person)
    if story.sprint_id != previous_sprint_id:
        # A finished story stays in its closed sprint, but nothing new is planned into one.
        _check_sprint_open(story.sprint)
    story.full_clean(exclude=["number", "rank"], validate_constraints=False)
    _stamp_completion(story, was_done=was_done)
    story._history_user = actor
    story.save()
    if labels is not None:
        story.labels.set(labels_resolve(product=story.product, names=labels))
    return story


def _stamp_completion(story: Story, *, was_done: bool) -> None:
    is_done = story.status.is_done
    if is_done and not was_done:
        story.completed_at = timezone.now()
    elif was_done and not is_done:
        story.completed_at = None


@transaction.atomic
def story_set_status(*, story: Story, actor: AbstractBaseUser | None, status: WorkflowStatus) -> Story:
    return story_update(story=story, actor=actor, status=status)


@transaction.atomic
def stories_set_sprint(
    *, product: Product, actor: AbstractBaseUser | None, story_ids: Iterable[int], sprint: Sprint | None
) -> int:
    """Move stories into a sprint (or back to the backlog with None); returns how many moved."""
    if sprint is not None and sprint.product_id != product.pk:
        raise ValidationError({"sprint": "This sprint belongs to another product."})
    _check_sprint_open(sprint)
    stories = list(Story.objects.select_for_update().filter(product=product, pk__in=list(story_ids)))
    for story in stories:
        story.sprint = sprint
        story._history_user = actor
        story.save(update_fields=["sprint", "updated_at"])
    return len(stories)


@transaction.atomic
def criterion_add(*, story: Story, text: str) -> AcceptanceCriterion:
    if not text.strip():
        raise ValidationError({"text": "Write the criterion."})
    last = story.acceptance_criteria.aggregate(last=Max("position"))["last"]
    return AcceptanceCriterion.objects.create(story=story, text=text.strip(), position=(last or 0) + 1)


@transaction.atomic
def criterion_set_met(*, criterion: AcceptanceCriterion, is_met: bool) -> AcceptanceCriterion:
    AcceptanceCriterion.objects.filter(pk=criterion.pk).update(is_met=is_met, updated_at=timezone.now())
    criterion.is_met = is_met
    return criterion


# --- Rank moves -----------------------------------------------------------------------------------

MOVE_ATTEMPTS = 5


def item_move(*, item: Item, before: Item | None = None, after: Item | None = None) -> Item:
    """Place `item` just before `before` or just after `after`, writing only `item`'s rank.

    Two people dropping into the same gap at once compute the same rank; the unique
    (product, rank) constraint refuses the second write, which then recomputes.
    """
    if (before is None) == (after is None):
        raise ApplicationError("Say where the item goes: before one item or after another.", field="before")
    anchor = before or after
    model = type(item)
    if type(anchor) is not model or anchor.product_id != item.product_id:
        raise ApplicationError(
            f"Items can only be ranked against a {model._meta.verbose_name} of the same product.",
            field="before" if before else "after",
        )
    if anchor.pk == item.pk:
        return item
    for _ in range(MOVE_ATTEMPTS):
        try:
            with transaction.atomic():
                item.rank = _rank_next_to(model, item=item, anchor_pk=anchor.pk, place_before=before is not None)
                model.objects.filter(pk=item.pk).update(rank=item.rank)
                return item
        except IntegrityError:
            continue
    raise ApplicationError("The list kept changing while moving the item; try again.")


def _rank_next_to(model: type[BacklogItem], *, item: BacklogItem, anchor_pk: int, place_before: bool) -> str:
    # Locking the anchor serialises moves next to it; reads after the lock see committed moves. The
    # item is locked too, in the same statement and in primary-key order, so that two crossing moves
    # (x after y while y goes after x) queue up instead of deadlocking.
    locked = dict(
        model.objects.select_for_update().filter(pk__in=[item.pk, anchor_pk]).order_by("pk").values_list("pk", "rank")
    )
    if anchor_pk not in locked:
        raise ApplicationError("The item to place it next to no longer exists.")
    anchor_rank = locked[anchor_pk]
    siblings = model.objects.filter(product_id=item.product_id).exclude(pk=item.pk)
    if place_before:
        neighbour = siblings.filter(rank__lt=anchor_rank).aggregate(r=Max("rank"))["r"]
        return rank_between(neighbour, anchor_rank)
    neighbour = siblings.filter(rank__gt=anchor_rank).aggregate(r=Min("rank"))["r"]
    return rank_between(anchor_rank, neighbour)


# --- Sprints --------------------------------------------------------------------------------------


@transaction.atomic
def sprint_create(
    *, product: Product, name: str, start_date: date, end_date: date, goal: str = "", capacity_points: int = 0
) -> Sprint:
    sprint = Sprint(
        product=product,
        name=name,
        start_date=start_date,
        end_date=end_date,
        goal=goal,
        capacity_points=capacity_points,
    )
    sprint.full_clean(validate_constraints=False)
    if Sprint.objects.filter(product=product, name=name).exists():
        raise ValidationError({"name": f"{product.name} already has a sprint called {name}."})
    sprint.save()
    return sprint


@transaction.atomic
def sprint_start(*, sprint: Sprint) -> Sprint:
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.state != Sprint.State.PLANNED:
        raise ApplicationError(f"{sprint.name} is {sprint.get_state_display().lower()}, not planned.", field="state")
    active = Sprint.objects.filter(product_id=sprint.product_id, state=Sprint.State.ACTIVE).first()
    if active:
        raise ApplicationError(f"Close {active.name} before starting {sprint.name}.", field="state")
    sprint.state = Sprint.State.ACTIVE
    sprint.save(update_fields=["state", "updated_at"])
    return sprint


@transaction.atomic
def sprint_close(
    *, sprint: Sprint, carry_over_to: Sprint | None = None, actor: AbstractBaseUser | None = None
) -> Sprint:
    """Close a sprint; unfinished stories go to `carry_over_to` or back to the backlog."""
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.state != Sprint.State.ACTIVE:
        raise ApplicationError(f"Only an active sprint can be closed; {sprint.name} is {sprint.state}.", field="state")
    if carry_over_to is not None and (carry_over_to.product_id != sprint.product_id or carry_over_to.pk == sprint.pk):
        raise ValidationError({"carry_over_to": "Carry unfinished work over to another sprint of this product."})
    _check_sprint_open(carry_over_to, field="carry_over_to")
    # Saved one by one (not a queryset update) so that each story's history says where it went and who moved it.
    # of=("self",): lock the stories only, not the workflow statuses the filter joins.
    unfinished = (
        sprint.stories.select_for_update(of=("self",)).exclude(status__category=StatusCategory.DONE).order_by("pk")
    )
    for story in unfinished:
        story.sprint = carry_over_to
        story._history_user = actor
        story.save(update_fields=["sprint", "updated_at"])
    sprint.state = Sprint.State.CLOSED
    sprint.save(update_fields=["state", "updated_at"])
    return sprint


# --- Tech debt ------------------------------------------------------------------------------------


@transaction.atomic
def tech_debt_create(
    *,
    product: Product,
    actor: AbstractBaseUser | None,
    title: str,
    description: str = "",
    kind: str = TechDebtItem.Kind.CODE,
    impact: str = TechDebtItem.Impact.MEDIUM,
    cost_of_delay: int = 0,
    remediation_points: int | None = None,
    epic: Epic | None = None,
    owner: AbstractBaseUser | None = None,
    labels: Sequence[str] = (),
) -> TechDebtItem:
    item = TechDebtItem(
        product=product,
        title=title,
        description=description,
        kind=kind,
        impact=impact,
        cost_of_delay=cost_of_delay,
        remediation_points=remediation_points,
        epic=epic,
        owner=owner,
    )
    return _save_new_item(item, actor=actor, labels=labels)


@transaction.atomic
def tech_debt_schedule(*, item: TechDebtItem, actor: AbstractBaseUser | None, sprint: Sprint | None = None) -> Story:
    """Turn a debt item into the story that pays it off (once), optionally planned into a sprint."""
    item = TechDebtItem.objects.select_for_update().get(pk=item.pk)
    if item.remediation_story_id:
        raise ApplicationError(f"{item.key} is already scheduled as {item.remediation_story.key}.")
    story = story_create(
        product=item.product,
        actor=actor,
        title=f"Pay off: {item.title}",
        epic=item.epic,
        description=item.description,
        points=item.remediation_points,
        sprint=sprint,
        owner=item.owner,
        labels=["tech-debt"],
    )
    item.remediation_story = story
    item._history_user = actor
    item.save(update_fields=["remediation_story", "updated_at"])
    return story
