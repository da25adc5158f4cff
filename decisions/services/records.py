"""Decision records (MADR): drafting, options, participants, supersession and amendment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q

from backlog.models import Epic
from core.errors import ApplicationError
from roadmap.models import RoadmapItem
from workspaces.models import Product
from workspaces.services import product_next_numbers

from ..models import PRD, DecisionOption, DecisionParticipant, DecisionRecord
from .reviews import IN_REVIEW_STATES, review_restart_after_change

RECORD_TEXT_FIELDS = frozenset(DecisionRecord.CONTENT_FIELDS)
OPTION_FIELDS = frozenset({"title", "description", "pros", "cons", "cost", "risk"})


def _lock_record(record_id: int) -> DecisionRecord:
    """The record, fresh and locked (only its own row): taken before its options or sign-offs."""
    return DecisionRecord.objects.select_for_update(of=("self",)).select_related("product__workspace").get(pk=record_id)


def _refuse_if_frozen(record: DecisionRecord) -> None:
    if record.is_frozen:
        raise ApplicationError(
            f"{record.key} is {record.get_status_display().lower()} and its content is frozen; "
            "propose a new record that supersedes or amends it.",
            extra={"frozen": True},
        )


def _refuse_if_under_review(record: DecisionRecord) -> None:
    """Sign-off is only asked on a chosen option; an edit under review must not take it away."""
    if record.status in IN_REVIEW_STATES[DecisionRecord]:
        raise ApplicationError(
            f"{record.key} is {record.get_status_display().lower()}: choose another option instead of none.",
            field="chosen_option",
        )


@transaction.atomic
def decision_create(
    *,
    product: Product,
    actor: AbstractBaseUser | None,
    title: str,
    context: str = "",
    decision_drivers: str = "",
    outcome: str = "",
    consequences: str = "",
    confirmation: str = "",
    owner: AbstractBaseUser | None = None,
    options: Sequence[dict[str, Any]] = (),
    epics: Iterable[Epic] = (),
    roadmap_items: Iterable[RoadmapItem] = (),
    prds: Iterable[PRD] = (),
    deciders: Iterable[AbstractBaseUser] = (),
    consulted: Iterable[AbstractBaseUser] = (),
    informed: Iterable[AbstractBaseUser] = (),
    _supersedes: DecisionRecord | None = None,
    _amends: DecisionRecord | None = None,
) -> DecisionRecord:
    owner = owner or actor
    record = DecisionRecord(
        product=product,
        title=title.strip(),
        context=context,
        decision_drivers=decision_drivers,
        outcome=outcome,
        consequences=consequences,
        confirmation=confirmation,
        owner=owner,
        supersedes=_supersedes,
        amends=_amends,
    )
    record.full_clean(exclude=["number"], validate_constraints=False)
    members = set(product.workspace.memberships.values_list("user_id", flat=True))
    if owner is not None and owner.pk not in members:
        raise ValidationError({"owner": "The owner must be a member of this workspace."})
    (record.number,) = product_next_numbers(product_id=product.pk, field="last_decision_number")
    record._history_user = actor
    record.save()
    for position, data in enumerate(options):
        _option_save(DecisionOption(record=record, position=position), data)
    _set_links(record, epics=epics, roadmap_items=roadmap_items, prds=prds)
    for field, part, people in (
        ("deciders", DecisionParticipant.Part.DECIDER, deciders),
        ("consulted", DecisionParticipant.Part.CONSULTED, consulted),
        ("informed", DecisionParticipant.Part.INFORMED, informed),
    ):
        for person in people:
            if person.pk not in members:
                # Keyed by the argument's name, as the forms and the API call the field.
                raise ValidationError({field: f"{person} is not a member of this workspace."})
            DecisionParticipant.objects.get_or_create(record=record, user=person, part=part)
    return record


def _set_links(
    record: DecisionRecord, *, epics: Iterable[Epic], roadmap_items: Iterable[RoadmapItem], prds: Iterable[PRD]
) -> None:
    epics, roadmap_items, prds = list(epics), list(roadmap_items), list(prds)
    for field, objects in (("epics", epics), ("prds", prds)):
        for obj in objects:
            if obj.product_id != record.product_id:
                raise ValidationError({field: f"{obj} belongs to another product."})
    for item in roadmap_items:
        if item.roadmap.product_id != record.product_id:
            raise ValidationError({"roadmap_items": f"{item} belongs to another product."})
    record.epics.set(epics)
    record.roadmap_items.set(roadmap_items)
    record.prds.set(prds)


def _option_save(option: DecisionOption, data: dict[str, Any]) -> DecisionOption:
    unknown = set(data) - OPTION_FIELDS
    if unknown:
        raise ApplicationError(f"Unknown option fields: {', '.join(sorted(unknown))}.", field="options")
    for field, value in data.items():
        setattr(option, field, value)
    option.full_clean(validate_constraints=False)
    if DecisionOption.objects.filter(record_id=option.record_id, title=option.title).exclude(pk=option.pk).exists():
        raise ValidationError({"title": f"This record already has an option called “{option.title}”."})
    option.save()
    return option


@transaction.atomic
def decision_update(*, record: DecisionRecord, actor: AbstractBaseUser | None, **changes: Any) -> DecisionRecord:
    """Edit the text of a record that is not yet accepted; a record under review goes back to review."""
    unknown = set(changes) - RECORD_TEXT_FIELDS
    if unknown:
        raise ApplicationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    record = _lock_record(record.pk)
    _refuse_if_frozen(record)
    for field, value in changes.items():
        setattr(record, field, value)
    record.full_clean(exclude=["number"], validate_constraints=False)
    record._history_user = actor
    record.save()
    review_restart_after_change(document=record, actor=actor)
    return record


@transaction.atomic
def decision_set_links(
    *, record: DecisionRecord, epics: Iterable[Epic], roadmap_items: Iterable[RoadmapItem], prds: Iterable[PRD]
) -> DecisionRecord:
    """Links are not part of the signed content: they can change even after acceptance."""
    _set_links(record, epics=epics, roadmap_items=roadmap_items, prds=prds)
    return record


@transaction.atomic
def decision_set_participants(
    *,
    record: DecisionRecord,
    actor: AbstractBaseUser | None,
    deciders: Iterable[AbstractBaseUser] | None = None,
    consulted: Iterable[AbstractBaseUser] | None = None,
    informed: Iterable[AbstractBaseUser] | None = None,
) -> DecisionRecord:
    """Replace who decides, is consulted or is informed (a list left as None stays as it is).

    Participants are not part of the signed content, but they are part of what was decided:
    an accepted record keeps them (frozen), as it keeps its text.
    """
    record = _lock_record(record.pk)
    _refuse_if_frozen(record)
    members = set(record.product.workspace.memberships.values_list("user_id", flat=True))
    for field, part, people in (
        ("deciders", DecisionParticipant.Part.DECIDER, deciders),
        ("consulted", DecisionParticipant.Part.CONSULTED, consulted),
        ("informed", DecisionParticipant.Part.INFORMED, informed),
    ):
        if people is None:
            continue
        people = list(people)
        for person in people:
            if person.pk not in members:
                raise ValidationError({field: f"{person} is not a member of this workspace."})
        wanted = {person.pk for person in people}
        record.participants.filter(part=part).exclude(user_id__in=wanted).delete()
        existing = set(record.participants.filter(part=part).values_list("user_id", flat=True))
        DecisionParticipant.objects.bulk_create(
            DecisionParticipant(record=record, user_id=user_id, part=part) for user_id in sorted(wanted - existing)
        )
    return record


@transaction.atomic
def decision_delete(*, record: DecisionRecord, actor: AbstractBaseUser | None) -> None:
    """Delete a record nobody was asked to sign off and no other record rests on.

    A record with sign-offs carries an audit trail (and an accepted one has one by definition);
    a record that another supersedes or amends is that record's history. Both are refused.
    """
    record = _lock_record(record.pk)
    if record.signoffs.exists():
        raise ApplicationError(f"{record.key} has sign-offs, and their audit trail is kept: it cannot be deleted.")
    successors = sorted(
        DecisionRecord.objects.filter(Q(supersedes=record) | Q(amends=record)).values_list("number", flat=True)
    )
    if successors:
        names = ", ".join(f"ADR-{number}" for number in successors)
        raise ApplicationError(f"{record.key} cannot be deleted: {names} supersedes or amends it.")
    record._history_user = actor
    record.delete()


@transaction.atomic
def decision_option_add(*, record: DecisionRecord, actor: AbstractBaseUser | None, **data: Any) -> DecisionOption:
    record = _lock_record(record.pk)
    _refuse_if_frozen(record)
    last = record.options.aggregate(last=Max("position"))["last"]
    option = _option_save(DecisionOption(record=record, position=0 if last is None else last + 1), data)
    review_restart_after_change(document=record, actor=actor)
    return option


@transaction.atomic
def decision_option_update(*, option: DecisionOption, actor: AbstractBaseUser | None, **data: Any) -> DecisionOption:
    record = _lock_record(option.record_id)
    _refuse_if_frozen(record)
    option = _option_save(DecisionOption.objects.get(pk=option.pk), data)
    review_restart_after_change(document=record, actor=actor)
    return option


@transaction.atomic
def decision_option_remove(*, option: DecisionOption, actor: AbstractBaseUser | None) -> None:
    record = _lock_record(option.record_id)
    _refuse_if_frozen(record)
    if record.chosen_option_id == option.pk:
        _refuse_if_under_review(record)
        record.chosen_option = None
        record.save(update_fields=["chosen_option", "updated_at"])
    option.delete()
    review_restart_after_change(document=record, actor=actor)


@transaction.atomic
def decision_choose_option(
    *, record: DecisionRecord, actor: AbstractBaseUser | None, option: DecisionOption | None
) -> DecisionRecord:
    record = _lock_record(record.pk)
    _refuse_if_frozen(record)
    if option is not None and option.record_id != record.pk:
        raise ValidationError({"chosen_option": "The chosen option must be one of this record's options."})
    if option is None and record.chosen_option_id is not None:
        _refuse_if_under_review(record)
    record.chosen_option = option
    record._history_user = actor
    record.save(update_fields=["chosen_option", "updated_at"])
    review_restart_after_change(document=record, actor=actor)
    return record


def _successor_of(
    *, original: DecisionRecord, actor: AbstractBaseUser | None, title: str | None, relation: str
) -> DecisionRecord:
    if original.status != DecisionRecord.Status.ACCEPTED:
        raise ApplicationError(
            f"Only an accepted record can be {relation}; {original.key} is {original.get_status_display().lower()}."
            " Edit it instead.",
        )
    options = [option.snapshot() for option in original.options.order_by("position", "pk")]
    record = decision_create(
        product=original.product,
        actor=actor,
        title=title or original.title,
        context=original.context,
        decision_drivers=original.decision_drivers,
        outcome=original.outcome,
        consequences=original.consequences,
        confirmation=original.confirmation,
        options=options,
        epics=original.epics.all(),
        roadmap_items=original.roadmap_items.all(),
        prds=original.prds.all(),
        **({"_supersedes": original} if relation == "superseded" else {"_amends": original}),
    )
    for participant in original.participants.all():
        DecisionParticipant.objects.get_or_create(record=record, user=participant.user, part=participant.part)
    return record


@transaction.atomic
def decision_supersede(
    *, record: DecisionRecord, actor: AbstractBaseUser | None, title: str | None = None
) -> DecisionRecord:
    """Start a new record that will replace an accepted one once it is accepted itself."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if DecisionRecord.objects.filter(supersedes=record).exists():
        successor = DecisionRecord.objects.get(supersedes=record)
        raise ApplicationError(f"{record.key} is already being superseded by {successor.key}.")
    return _successor_of(original=record, actor=actor, title=title, relation="superseded")


@transaction.atomic
def decision_amend(
    *, record: DecisionRecord, actor: AbstractBaseUser | None, title: str | None = None
) -> DecisionRecord:
    """Start a record that amends an accepted one; both stay in force once the amendment is accepted."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    return _successor_of(original=record, actor=actor, title=title or f"Amend: {record.title}", relation="amended")
