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

from core.db import ranks_rewrite, save_or_field_error
from core.errors import ApplicationError
from core.ranks import rank_after, rank_between
from webhooks.events import EventKind, record_event
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
from .signals import ORIGIN_WORKSPACE, send_item_changed

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


LABEL_MAX_LENGTH: int = Label._meta.get_field("name").max_length  # type: ignore[assignment]


def labels_resolve(*, product: Product, names: Iterable[str]) -> list[Label]:
    """The product's labels with these names, creating the missing ones.

    Names are trimmed; blanks and repeats are dropped. A name longer than a label holds is refused
    (ValidationError on "labels", one message per name) before anything is created.
    """
    wanted = sorted({name.strip() for name in names if name and name.strip()})
    too_long = [name for name in wanted if len(name) > LABEL_MAX_LENGTH]
    if too_long:
        raise ValidationError(
            {
                "labels": [
                    f"Keep labels to {LABEL_MAX_LENGTH} characters; “{name[:20]}…” has {len(name)}."
                    for name in too_long
                ]
            }
        )
    existing = {label.name: label for label in Label.objects.filter(product=product, name__in=wanted)}
    missing = [name for name in wanted if name not in existing]
    if missing:
        # In one statement; a label a concurrent writer adds first is kept (the conflict is skipped) and read back.
        Label.objects.bulk_create([Label(product=product, name=name) for name in missing], ignore_conflicts=True)
        existing |= {label.name: label for label in Label.objects.filter(product=product, name__in=missing)}
    return [existing[name] for name in wanted]


@transaction.atomic
def label_create(*, product: Product, actor: AbstractBaseUser | None, name: str) -> Label:
    """A new label of the product (name trimmed); a name the product already has is refused on "name"."""
    label = Label(product=product, name=name.strip())
    label.full_clean(validate_constraints=False)
    duplicate = f"{product.name} already has a label called {label.name}."
    if Label.objects.filter(product=product, name=label.name).exists():
        raise ValidationError({"name": duplicate})
    save_or_field_error(label, constraint="label_unique_name_per_product", field="name", message=duplicate)
    return label


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
    origin: str = ORIGIN_WORKSPACE,
) -> Epic:
    epic = Epic(
        product=product, title=title, description=description, status=status, owner=owner, target_date=target_date
    )
    epic = _save_new_item(epic, actor=actor, labels=labels)
    send_item_changed(epic, kind="created", actor=actor, origin=origin)
    return epic


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
    origin: str = ORIGIN_WORKSPACE,
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
    feature = _save_new_item(feature, actor=actor, labels=labels)
    send_item_changed(feature, kind="created", actor=actor, origin=origin)
    return feature


EPIC_EDITABLE_FIELDS = frozenset({"title", "description", "status", "owner", "target_date"})
FEATURE_EDITABLE_FIELDS = frozenset({"title", "description", "status", "owner", "epic"})
TECH_DEBT_EDITABLE_FIELDS = frozenset(
    {"title", "description", "status", "owner", "kind", "impact", "cost_of_delay", "remediation_points", "epic"}
)


def _update_item(
    item: Item,
    *,
    actor: AbstractBaseUser | None,
    editable: frozenset[str],
    labels: Sequence[str] | None,
    changes: dict[str, Any],
    origin: str = ORIGIN_WORKSPACE,
) -> Item:
    """Apply field changes to a locked copy of a backlog item, every rule checked (same product, members only)."""
    unknown = set(changes) - editable
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    model = type(item)
    item = model.objects.select_for_update(of=("self",)).select_related("product__workspace").get(pk=item.pk)
    before = _field_values(item, changes, labels=labels is not None)
    for field, value in changes.items():
        setattr(item, field, value)
    if "owner" in changes:
        _check_assignee(item.product, changes["owner"], field="owner")
    item.full_clean(exclude=["number", "rank"], validate_constraints=False)
    item._history_user = actor
    item.save()
    if labels is not None:
        item.labels.set(labels_resolve(product=item.product, names=labels))
    _announce_update(item, before, actor=actor, origin=origin)
    return item


def _field_values(item: BacklogItem, names: Iterable[str], *, labels: bool) -> dict[str, Any]:
    """The stored values (ids for relations) of these fields, and the label names when asked: what
    `_announce_update` compares with afterwards to say which fields a change touched."""
    values = {name: getattr(item, item._meta.get_field(name).attname) for name in names}
    if labels:
        values["labels"] = sorted(item.labels.values_list("name", flat=True))
    return values


def _announce_update(item: BacklogItem, before: dict[str, Any], *, actor: AbstractBaseUser | None, origin: str) -> None:
    after = _field_values(item, [name for name in before if name != "labels"], labels="labels" in before)
    changed = {name for name in before if before[name] != after[name]}
    if changed:
        send_item_changed(item, kind="updated", actor=actor, origin=origin, changed_fields=changed)


def _count_phrase(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def _delete_item(
    item: BacklogItem,
    *,
    actor: AbstractBaseUser | None,
    children: dict[tuple[str, str], int],
    origin: str = ORIGIN_WORKSPACE,
) -> None:
    """Delete a locked backlog item, or refuse while work still hangs under it (the foreign keys are RESTRICT)."""
    held = [_count_phrase(count, *names) for names, count in children.items() if count]
    if held:
        raise ApplicationError(
            f"{item.key} still has {' and '.join(held)}; move or delete them before deleting it.",
            extra={"children": held},
        )
    send_item_changed(item, kind="deleted", actor=actor, origin=origin)
    item._history_user = actor
    item.delete()


@transaction.atomic
def epic_update(
    *,
    epic: Epic,
    actor: AbstractBaseUser | None,
    labels: Sequence[str] | None = None,
    origin: str = ORIGIN_WORKSPACE,
    **changes: Any,
) -> Epic:
    """Change an epic's title, description, status, owner or target date (and its labels when given)."""
    return _update_item(epic, actor=actor, editable=EPIC_EDITABLE_FIELDS, labels=labels, changes=changes, origin=origin)


@transaction.atomic
def epic_delete(*, epic: Epic, actor: AbstractBaseUser | None, origin: str = ORIGIN_WORKSPACE) -> None:
    """Delete an epic with nothing under it; one that still has features or stories is refused, naming them."""
    epic = Epic.objects.select_for_update(of=("self",)).select_related("product").get(pk=epic.pk)
    children = {
        ("feature", "features"): Feature.objects.filter(epic_id=epic.pk).count(),
        ("story", "stories"): Story.objects.filter(epic_id=epic.pk).count(),
    }
    _delete_item(epic, actor=actor, children=children, origin=origin)


@transaction.atomic
def feature_update(
    *,
    feature: Feature,
    actor: AbstractBaseUser | None,
    labels: Sequence[str] | None = None,
    origin: str = ORIGIN_WORKSPACE,
    **changes: Any,
) -> Feature:
    """Change a feature's title, description, status or owner, or move it under another epic of its product."""
    return _update_item(
        feature, actor=actor, editable=FEATURE_EDITABLE_FIELDS, labels=labels, changes=changes, origin=origin
    )


@transaction.atomic
def feature_delete(*, feature: Feature, actor: AbstractBaseUser | None, origin: str = ORIGIN_WORKSPACE) -> None:
    """Delete a feature with no stories; one that still has stories is refused, naming how many."""
    feature = Feature.objects.select_for_update(of=("self",)).select_related("product").get(pk=feature.pk)
    children = {("story", "stories"): Story.objects.filter(feature_id=feature.pk).count()}
    _delete_item(feature, actor=actor, children=children, origin=origin)


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
    before_fields = _field_values(story, changes, labels=labels is not None)
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
    after = story_event_data(story)
    changed = {name: {"from": before[name], "to": after[name]} for name in after if before[name] != after[name]}
    if changed:
        record_event(
            workspace_id=story.product.workspace_id,
            kind=EventKind.STORY_UPDATED,
            payload={"story": after, "changes": changed},
        )
    _announce_update(story, before_fields, actor=actor, origin=origin)
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
    _check_sprint_open(sprint)
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


# --- Rank moves -----------------------------------------------------------------------------------

MOVE_ATTEMPTS = 5
# A move whose new rank would be longer than this rebalances the list first (ranks hold RANK_MAX_LENGTH).
REBALANCE_AT = 100
RANKED_MODELS: tuple[type[BacklogItem], ...] = (Epic, Feature, Story, TechDebtItem)


def item_move(*, item: Item, before: Item | None = None, after: Item | None = None) -> Item:
    """Place `item` just before `before` or just after `after`, writing only `item`'s rank.

    Two people dropping into the same gap at once compute the same rank; the unique
    (product, rank) constraint refuses the second write, which then recomputes.

    A normal move still writes that one row. Ranks grow by about one character for every five
    drops into the same narrow gap; only when the new rank would pass REBALANCE_AT (100)
    characters, which takes hundreds of such drops, does the move first rewrite the ranks of the
    product's items of that kind (ranks_rebalance, in its own transaction once the move's locks
    are released) and then compute the rank again.
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
    rebalanced = False
    for _ in range(MOVE_ATTEMPTS):
        try:
            with transaction.atomic():
                rank = _rank_next_to(model, item=item, anchor_pk=anchor.pk, place_before=before is not None)
                if len(rank) <= REBALANCE_AT or rebalanced:
                    model.objects.filter(pk=item.pk).update(rank=rank)
                    item.rank = rank
                    return item
        except IntegrityError:
            continue
        # The rank would be too long. The transaction above has ended without writing, so the
        # rebalance does not wait on locks this move holds.
        ranks_rebalance(product_id=item.product_id, model=model)
        rebalanced = True
    raise ApplicationError("The list kept changing while moving the item; try again.")


@transaction.atomic
def ranks_rebalance(*, product_id: int, model: type[BacklogItem]) -> dict[int, str]:
    """Rewrite the ranks of one product's items of `model` evenly (core.ranks.initial_ranks), in the
    same order; returns the new rank of each item by id.

    Locks the product row first, as creating an item does (so none is added meanwhile and a
    creator's "after the last rank" sees the new ranks), then the items, in primary-key order as
    item_move locks them. Like a move, it writes only ranks: no history, no updated_at.
    """
    if model not in RANKED_MODELS:
        raise TypeError(f"{model.__name__} has no product-wide rank; use one of the backlog item models.")
    Product.objects.select_for_update().filter(pk=product_id).exists()
    rows = list(
        model.objects.select_for_update().filter(product_id=product_id).order_by("pk").values_list("pk", "rank")
    )
    # Python compares these ASCII strings byte by byte, as the "C" collation of the rank column does.
    pks = [pk for pk, _ in sorted(rows, key=lambda row: row[1])]
    return dict(zip(pks, ranks_rewrite(model, pks), strict=True))


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
    *,
    product: Product,
    name: str,
    start_date: date,
    end_date: date,
    goal: str = "",
    capacity_points: int = 0,
    actor: AbstractBaseUser | None = None,
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
    duplicate = f"{product.name} already has a sprint called {name}."
    if Sprint.objects.filter(product=product, name=name).exists():
        raise ValidationError({"name": duplicate})
    sprint._history_user = actor
    save_or_field_error(sprint, constraint="sprint_unique_name_per_product", field="name", message=duplicate)
    return sprint


@transaction.atomic
def sprint_start(*, sprint: Sprint, actor: AbstractBaseUser | None = None) -> Sprint:
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.state != Sprint.State.PLANNED:
        raise ApplicationError(f"{sprint.name} is {sprint.get_state_display().lower()}, not planned.", field="state")
    active = Sprint.objects.filter(product_id=sprint.product_id, state=Sprint.State.ACTIVE).first()
    if active:
        raise ApplicationError(f"Close {active.name} before starting {sprint.name}.", field="state")
    sprint.state = Sprint.State.ACTIVE
    sprint._history_user = actor
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
    sprint._history_user = actor
    sprint.save(update_fields=["state", "updated_at"])
    return sprint


SPRINT_EDITABLE_FIELDS = frozenset({"name", "goal", "start_date", "end_date", "capacity_points"})


@transaction.atomic
def sprint_update(*, sprint: Sprint, actor: AbstractBaseUser | None, **changes: Any) -> Sprint:
    """Rename a sprint or change its dates, goal or capacity; its state changes only through start and close."""
    unknown = set(changes) - SPRINT_EDITABLE_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    sprint = Sprint.objects.select_for_update(of=("self",)).select_related("product").get(pk=sprint.pk)
    for field, value in changes.items():
        setattr(sprint, field, value)
    sprint.full_clean(validate_constraints=False)
    duplicate = f"{sprint.product.name} already has a sprint called {sprint.name}."
    if Sprint.objects.filter(product_id=sprint.product_id, name=sprint.name).exclude(pk=sprint.pk).exists():
        raise ValidationError({"name": duplicate})
    sprint._history_user = actor
    save_or_field_error(sprint, constraint="sprint_unique_name_per_product", field="name", message=duplicate)
    return sprint


@transaction.atomic
def sprint_delete(*, sprint: Sprint, actor: AbstractBaseUser | None) -> None:
    """Delete a planned sprint, sending its stories back to the backlog (each with its history).

    Active and closed sprints are the team's record of what it committed to and finished: close
    an active sprint instead; a closed one stays.
    """
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.state != Sprint.State.PLANNED:
        raise ApplicationError(
            f"{sprint.name} is {sprint.get_state_display().lower()}; only a planned sprint can be deleted."
        )
    for story in Story.objects.select_for_update().filter(sprint_id=sprint.pk).order_by("pk"):
        story.sprint = None
        story._history_user = actor
        story.save(update_fields=["sprint", "updated_at"])
    sprint._history_user = actor
    sprint.delete()


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
    status: WorkflowStatus | None = None,
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
        status=status,
    )
    return _save_new_item(item, actor=actor, labels=labels)


@transaction.atomic
def tech_debt_update(
    *, item: TechDebtItem, actor: AbstractBaseUser | None, labels: Sequence[str] | None = None, **changes: Any
) -> TechDebtItem:
    """Change a debt item's description, costs, epic, status or owner (and its labels when given)."""
    return _update_item(item, actor=actor, editable=TECH_DEBT_EDITABLE_FIELDS, labels=labels, changes=changes)


@transaction.atomic
def tech_debt_delete(*, item: TechDebtItem, actor: AbstractBaseUser | None) -> None:
    """Delete a debt item; the story that pays it off, if it was scheduled, stays in the backlog."""
    item = TechDebtItem.objects.select_for_update(of=("self",)).select_related("product").get(pk=item.pk)
    _delete_item(item, actor=actor, children={})


@transaction.atomic
def tech_debt_schedule(*, item: TechDebtItem, actor: AbstractBaseUser | None, sprint: Sprint | None = None) -> Story:
    """Turn a debt item into the story that pays it off (once), optionally planned into a sprint."""
    # The product row first, then the item: creating the story locks the product, and ranks_rebalance
    # takes the product before the items; the other order could deadlock with it.
    Product.objects.select_for_update().filter(pk=item.product_id).exists()
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
