"""Decision records: ADR numbers, review to acceptance, frozen once accepted, superseded and amended."""

import pytest
from django.core.exceptions import ValidationError

from activity.models import Notification
from backlog.tests.factories import EpicFactory
from core.errors import ApplicationError
from decisions.models import DecisionRecord, SignOff
from decisions.services import (
    current_hash,
    decision_amend,
    decision_choose_option,
    decision_create,
    decision_option_add,
    decision_option_remove,
    decision_option_update,
    decision_supersede,
    decision_update,
    signoff_approve,
    signoff_reject,
    signoff_request,
)
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from decisions.tests.helpers import signoff_states, trail
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.models import Role


@pytest.fixture
def architect(member_factory):
    return member_factory(Role.CONTRIBUTOR, user__username="archie")


def in_review(record: DecisionRecord, *, editor, approvers) -> list[SignOff]:
    """Choose the first option and ask each approver."""
    decision_choose_option(record=record, actor=editor, option=record.options.order_by("position").first())
    return [
        signoff_request(document=record, actor=editor, approver=approver, role="architecture") for approver in approvers
    ]


def accepted(record: DecisionRecord, *, editor, approver) -> DecisionRecord:
    (signoff,) = in_review(record, editor=editor, approvers=[approver])
    signoff_approve(signoff=signoff, actor=approver)
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED
    return record


def test_records_are_numbered_adr_1_adr_2_per_product(product, other_product, editor, outsider):
    # when
    keys = [
        DecisionRecordFactory(product=product, actor=editor).key,
        DecisionRecordFactory(product=product, actor=editor).key,
        DecisionRecordFactory(product=other_product, actor=outsider).key,
        DecisionRecordFactory(product=product, actor=editor).key,
    ]

    # then
    assert keys == ["ADR-1", "ADR-2", "ADR-1", "ADR-3"]


def test_decision_create_stores_options_links_and_participants(product, editor, viewer, architect):
    # given
    epic = EpicFactory(product=product)
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    prd = PRDFactory(product=product, actor=editor)

    # when
    record = decision_create(
        product=product,
        actor=editor,
        title="Queue for payment events",
        options=[{"title": "Kafka", "cost": "high", "pros": "Replay"}, {"title": "SQS", "risk": "low"}],
        epics=[epic],
        roadmap_items=[item],
        prds=[prd],
        deciders=[architect],
        informed=[viewer],
    )

    # then
    assert (record.status, record.owner, record.chosen_option) == (DecisionRecord.Status.PROPOSED, editor, None)
    assert list(record.options.values_list("title", "cost", "risk", "pros", "position")) == [
        ("Kafka", "high", "medium", "Replay", 0),
        ("SQS", "medium", "low", "", 1),
    ]
    assert list(record.epics.all()) == [epic]
    assert list(record.roadmap_items.all()) == [item]
    assert list(record.prds.all()) == [prd]
    assert set(record.participants.values_list("user__username", "part")) == {
        ("archie", "decider"),
        ("vic", "informed"),
    }


def test_decision_create_refuses_an_epic_of_another_product_naming_the_field(product, other_product, editor):
    # when
    with pytest.raises(ValidationError) as refused:
        decision_create(product=product, actor=editor, title="Queue", epics=[EpicFactory(product=other_product)])

    # then
    assert list(refused.value.message_dict) == ["epics"]
    assert not DecisionRecord.objects.exists()


def test_signoff_request_needs_a_chosen_option(record, editor, viewer):
    # when
    with pytest.raises(ApplicationError) as refused:
        signoff_request(document=record, actor=editor, approver=viewer, role="architecture")

    # then
    assert refused.value.field == "chosen_option"
    assert not SignOff.objects.exists()
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.PROPOSED


def test_the_record_is_accepted_with_decided_at_once_every_signoff_is_approved(record, editor, viewer, architect):
    # given
    by_viewer, by_architect = in_review(record, editor=editor, approvers=[viewer, architect])
    record.refresh_from_db()
    assert (record.status, record.decided_at) == (DecisionRecord.Status.IN_REVIEW, None)

    # when
    signoff_approve(signoff=by_viewer, actor=viewer)

    # then
    record.refresh_from_db()
    assert (record.status, record.decided_at) == (DecisionRecord.Status.IN_REVIEW, None)

    # when
    signoff_approve(signoff=by_architect, actor=architect)

    # then
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED
    assert record.decided_at is not None
    assert by_architect.content_hash == current_hash(record)


def test_a_rejection_rejects_the_record(record, editor, viewer):
    # given
    (signoff,) = in_review(record, editor=editor, approvers=[viewer])

    # when
    signoff_reject(signoff=signoff, actor=viewer, comment="Too costly")

    # then
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.REJECTED
    assert record.decided_at is not None


def test_an_accepted_record_is_frozen(record, editor, viewer):
    # given
    record = accepted(record, editor=editor, approver=viewer)
    hash_before = current_hash(record)
    other_option = record.options.order_by("position").last()

    # when
    attempts = [
        lambda: decision_update(record=record, actor=editor, context="Rewritten"),
        lambda: decision_option_add(record=record, actor=editor, title="RabbitMQ"),
        lambda: decision_option_update(option=other_option, actor=editor, pros="Cheap"),
        lambda: decision_option_remove(option=other_option, actor=editor),
        lambda: decision_choose_option(record=record, actor=editor, option=other_option),
    ]
    refusals = []
    for attempt in attempts:
        with pytest.raises(ApplicationError) as refused:
            attempt()
        refusals.append(refused.value.extra)

    # then
    assert refusals == [{"frozen": True}] * 5
    record.refresh_from_db()
    assert (record.context, record.status) == ("We need to choose.", DecisionRecord.Status.ACCEPTED)
    assert current_hash(record) == hash_before
    assert list(record.options.values_list("title", flat=True)) == ["Option A", "Option B"]


def test_asking_for_signoff_on_an_accepted_record_is_refused(record, editor, viewer, architect):
    # given
    record = accepted(record, editor=editor, approver=viewer)

    # when
    with pytest.raises(ApplicationError):
        signoff_request(document=record, actor=editor, approver=architect, role="architecture")

    # then
    assert [approver for approver, _, _ in signoff_states(record)] == ["vic"]


def test_editing_a_record_in_review_makes_its_signoffs_stale_and_asks_again(record, editor, viewer, architect):
    # given
    by_viewer, by_architect = in_review(record, editor=editor, approvers=[viewer, architect])
    signoff_approve(signoff=by_viewer, actor=viewer)
    old_hash = by_viewer.content_hash

    # when
    decision_update(record=record, actor=editor, context="The broker we run is end of life.")

    # then
    record.refresh_from_db()
    new_hash = current_hash(record)
    assert new_hash != old_hash
    assert signoff_states(record) == [
        ("vic", "stale", old_hash),
        ("archie", "stale", old_hash),
        ("vic", "pending", new_hash),
        ("archie", "pending", new_hash),
    ]
    assert record.status == DecisionRecord.Status.IN_REVIEW
    with pytest.raises(ApplicationError) as refused:
        signoff_approve(signoff=by_architect, actor=architect)
    assert refused.value.extra["stale"] is True


@pytest.mark.parametrize(
    "edit",
    ["add option", "change option", "choose other option"],
)
def test_every_content_edit_of_a_record_in_review_asks_again(record, editor, viewer, edit):
    # given
    (signoff,) = in_review(record, editor=editor, approvers=[viewer])
    second = record.options.order_by("position").last()

    # when
    if edit == "add option":
        decision_option_add(record=record, actor=editor, title="RabbitMQ")
    elif edit == "change option":
        decision_option_update(option=second, actor=editor, cons="Vendor lock-in")
    else:
        decision_choose_option(record=record, actor=editor, option=second)

    # then
    record.refresh_from_db()
    assert signoff_states(record) == [
        ("vic", "stale", signoff.content_hash),
        ("vic", "pending", current_hash(record)),
    ]


def test_editing_a_rejected_record_sends_it_back_to_review(record, editor, viewer):
    # given
    (signoff,) = in_review(record, editor=editor, approvers=[viewer])
    signoff_reject(signoff=signoff, actor=viewer, comment="Say why not SQS")

    # when
    decision_update(record=record, actor=editor, outcome="SQS cannot replay events.")

    # then
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.IN_REVIEW
    assert [state for _, state, _ in signoff_states(record)] == ["stale", "pending"]


def test_the_chosen_option_of_a_record_in_review_cannot_be_dropped(record, editor, viewer):
    # given
    (signoff,) = in_review(record, editor=editor, approvers=[viewer])
    chosen = record.options.order_by("position").first()

    # when
    for attempt in (
        lambda: decision_choose_option(record=record, actor=editor, option=None),
        lambda: decision_option_remove(option=chosen, actor=editor),
    ):
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.field == "chosen_option"

    # then: a record can never be accepted without a decision in it
    record.refresh_from_db()
    assert record.chosen_option == chosen
    assert signoff_states(record) == [("vic", "pending", signoff.content_hash)]


def test_the_chosen_option_of_a_proposed_record_can_be_dropped(record, editor):
    # given
    chosen = record.options.order_by("position").first()
    decision_choose_option(record=record, actor=editor, option=chosen)

    # when
    decision_option_remove(option=chosen, actor=editor)

    # then
    record.refresh_from_db()
    assert record.chosen_option is None
    assert list(record.options.values_list("title", flat=True)) == ["Option B"]


def test_choosing_an_option_of_another_record_is_refused(product, record, editor):
    # given
    foreign_option = DecisionRecordFactory(product=product, actor=editor).options.first()

    # when
    with pytest.raises(ValidationError) as refused:
        decision_choose_option(record=record, actor=editor, option=foreign_option)

    # then
    assert list(refused.value.message_dict) == ["chosen_option"]
    record.refresh_from_db()
    assert record.chosen_option is None


def test_decision_supersede_starts_a_proposed_copy_with_options_and_links(product, editor, viewer, architect):
    # given
    epic = EpicFactory(product=product)
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    prd = PRDFactory(product=product, actor=editor)
    record = DecisionRecordFactory(
        product=product,
        actor=editor,
        options=[{"title": "Kafka", "pros": "Replay", "cost": "high"}, {"title": "SQS", "risk": "low"}],
        epics=[epic],
        roadmap_items=[item],
        prds=[prd],
        deciders=[architect],
    )
    record = accepted(record, editor=editor, approver=viewer)

    # when
    successor = decision_supersede(record=record, actor=editor, title="Queue for payment events, again")

    # then
    assert (successor.key, successor.status, successor.supersedes) == ("ADR-2", "proposed", record)
    assert successor.title == "Queue for payment events, again"
    assert successor.context == record.context
    assert [o.snapshot() for o in successor.options.order_by("position")] == [
        o.snapshot() for o in record.options.order_by("position")
    ]
    assert successor.chosen_option is None
    assert (list(successor.epics.all()), list(successor.roadmap_items.all()), list(successor.prds.all())) == (
        [epic],
        [item],
        [prd],
    )
    assert list(successor.participants.values_list("user__username", "part")) == [("archie", "decider")]
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED


def test_the_old_record_is_superseded_when_its_successor_is_accepted(record, editor, viewer):
    # given
    record = accepted(record, editor=editor, approver=viewer)
    successor = decision_supersede(record=record, actor=editor)
    (signoff,) = in_review(successor, editor=editor, approvers=[viewer])

    # when
    signoff_approve(signoff=signoff, actor=viewer)

    # then
    record.refresh_from_db()
    successor.refresh_from_db()
    assert (record.status, successor.status) == (DecisionRecord.Status.SUPERSEDED, DecisionRecord.Status.ACCEPTED)
    assert record.superseded_by == successor
    changed = Notification.objects.get(kind=Notification.Kind.DECISION_CHANGED)
    assert (changed.recipient, changed.target, changed.message) == (
        editor,
        record,
        f"ADR-1 was superseded by ADR-2 “{successor.title}”.",
    )


def test_a_superseded_record_is_frozen_too(record, editor, viewer):
    # given
    record = accepted(record, editor=editor, approver=viewer)
    successor = decision_supersede(record=record, actor=editor)
    accepted(successor, editor=editor, approver=viewer)

    # when
    with pytest.raises(ApplicationError) as refused:
        decision_update(record=record, actor=editor, title="Sneaky edit")

    # then
    assert refused.value.extra == {"frozen": True}


@pytest.mark.parametrize("state", ["proposed", "in_review", "rejected"])
def test_superseding_a_record_that_is_not_accepted_is_refused(record, editor, viewer, state):
    # given
    if state != "proposed":
        (signoff,) = in_review(record, editor=editor, approvers=[viewer])
    if state == "rejected":
        signoff_reject(signoff=signoff, actor=viewer, comment="No")

    # when
    with pytest.raises(ApplicationError):
        decision_supersede(record=record, actor=editor)

    # then
    assert DecisionRecord.objects.count() == 1
    record.refresh_from_db()
    assert record.status == state


def test_a_record_is_superseded_by_one_record_only(record, editor, viewer):
    # given
    record = accepted(record, editor=editor, approver=viewer)
    decision_supersede(record=record, actor=editor)

    # when
    with pytest.raises(ApplicationError, match="already being superseded by ADR-2"):
        decision_supersede(record=record, actor=editor)

    # then
    assert DecisionRecord.objects.count() == 2


def test_decision_amend_starts_an_amendment_and_both_stay_in_force(record, editor, viewer):
    # given
    record = accepted(record, editor=editor, approver=viewer)

    # when
    amendment = decision_amend(record=record, actor=editor)
    accepted(amendment, editor=editor, approver=viewer)

    # then
    assert (amendment.key, amendment.title, amendment.amends) == ("ADR-2", "Amend: Queue for payment events", record)
    assert amendment.supersedes is None
    record.refresh_from_db()
    assert record.status == DecisionRecord.Status.ACCEPTED
    assert list(record.amendments.all()) == [amendment]


def test_amending_a_proposed_record_is_refused(record, editor):
    # when
    with pytest.raises(ApplicationError):
        decision_amend(record=record, actor=editor)

    # then
    assert DecisionRecord.objects.count() == 1


def test_the_audit_trail_of_a_record_names_the_option_content_it_approved(record, editor, viewer):
    # given
    (signoff,) = in_review(record, editor=editor, approvers=[viewer])
    record.refresh_from_db()
    hash_with_option_a = current_hash(record)

    # when
    signoff_approve(signoff=signoff, actor=viewer, comment="Kafka it is")

    # then
    assert trail([signoff]) == [
        ("requested", "eddie", "architecture", "", hash_with_option_a),
        ("approved", "vic", "architecture", "Kafka it is", hash_with_option_a),
    ]
