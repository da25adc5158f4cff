"""Change impact: what rests on a changed requirement or decision is flagged once and its people told."""

import pytest
from django.core.exceptions import ValidationError

from activity.models import Notification
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions.models import DecisionRecord, ReviewFlag
from decisions.services import (
    decision_choose_option,
    decision_supersede,
    requirement_create,
    requirement_delete,
    requirement_update,
    review_flag_clear,
    signoff_approve,
    signoff_request,
)
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.models import Role


@pytest.fixture
def people(member_factory):
    return {name: member_factory(Role.CONTRIBUTOR, user__username=name) for name in ("fay", "sam", "sue", "rob", "ned")}


@pytest.fixture
def traced(product, editor, people):
    """REQ-1 delivered by a feature (owner fay) and a story (owner sue, assignee sam); its PRD serves a
    roadmap item (owner rob). An unrelated story (assignee ned) is not linked."""
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic, owner=people["fay"])
    story = StoryFactory(epic=epic, owner=people["sue"], assignee=people["sam"])
    unrelated = StoryFactory(epic=epic, assignee=people["ned"])
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product), owner=people["rob"])
    prd = PRDFactory(product=product, actor=editor, roadmap_items=[item])
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card", features=[feature], stories=[story])
    return {"feature": feature, "story": story, "unrelated": unrelated, "item": item, "requirement": requirement}


def open_flags() -> list[tuple]:
    return [
        (flag.target, flag.requirement_id, flag.decision_id)
        for flag in ReviewFlag.objects.open().select_related("epic", "feature", "story", "roadmap_item").order_by("pk")
    ]


def flag_notifications() -> list[tuple[str, object]]:
    return [
        (n.recipient.username, n.target)
        for n in Notification.objects.filter(kind=Notification.Kind.REVIEW_FLAG).order_by("pk")
    ]


def test_changing_a_requirement_flags_what_delivers_it_and_the_prds_roadmap_items(traced, editor):
    # given
    requirement = traced["requirement"]

    # when
    requirement_update(requirement=requirement, actor=editor, description="Visa, Mastercard and Amex")

    # then
    assert open_flags() == [
        (traced["feature"], requirement.pk, None),
        (traced["story"], requirement.pk, None),
        (traced["item"], requirement.pk, None),
    ]
    flag = ReviewFlag.objects.filter(story=traced["story"]).get()
    assert (flag.reason, flag.raised_by, flag.product_id) == (
        "REQ-1 “Pay by card” changed.",
        editor,
        requirement.product_id,
    )


def test_changing_a_requirement_notifies_owners_and_assignees_of_the_flagged_items(traced, editor):
    # when
    requirement_update(requirement=traced["requirement"], actor=editor, title="Pay by card or wallet")

    # then
    assert flag_notifications() == [
        ("fay", traced["feature"]),
        ("sue", traced["story"]),
        ("sam", traced["story"]),
        ("rob", traced["item"]),
    ]


def test_a_second_change_keeps_one_open_flag_per_item_and_tells_nobody_twice(traced, editor):
    # given
    requirement_update(requirement=traced["requirement"], actor=editor, title="Pay by card or wallet")

    # when
    requirement_update(requirement=traced["requirement"], actor=editor, priority="should")

    # then
    assert ReviewFlag.objects.count() == 3
    assert len(open_flags()) == 3
    assert len(flag_notifications()) == 4


def test_an_update_that_changes_nothing_flags_nothing(traced, editor):
    # given
    versions_before = traced["requirement"].prd.versions.count()

    # when
    requirement_update(requirement=traced["requirement"], actor=editor, title="  Pay by card ", priority="must")

    # then
    assert open_flags() == []
    assert flag_notifications() == []
    assert traced["requirement"].prd.versions.count() == versions_before


def test_the_actor_is_not_notified_about_their_own_change(product, editor):
    # given: the editor owns the feature they change the requirement of
    feature = FeatureFactory(epic=EpicFactory(product=product), owner=editor)
    prd = PRDFactory(product=product, actor=editor)
    requirement = requirement_create(prd=prd, actor=editor, title="Pay by card", features=[feature])

    # when
    requirement_update(requirement=requirement, actor=editor, title="Pay by wallet")

    # then
    assert len(open_flags()) == 1
    assert flag_notifications() == []


def test_review_flag_clear_records_who_and_when_then_a_new_change_flags_again(traced, editor, people):
    # given
    requirement_update(requirement=traced["requirement"], actor=editor, title="Pay by card or wallet")
    story_flag = ReviewFlag.objects.get(story=traced["story"])

    # when
    cleared = review_flag_clear(flag=story_flag, actor=people["sam"], note="Still fits")

    # then
    story_flag.refresh_from_db()
    assert (story_flag.cleared_by, story_flag.clear_note, story_flag.is_open) == (people["sam"], "Still fits", False)
    assert story_flag.cleared_at == cleared.cleared_at
    assert story_flag.cleared_at is not None
    assert [target for target, _, _ in open_flags()] == [traced["feature"], traced["item"]]

    # when
    requirement_update(requirement=traced["requirement"], actor=editor, title="Pay by card only")

    # then
    story_flags = ReviewFlag.objects.filter(story=traced["story"]).order_by("pk")
    assert [flag.is_open for flag in story_flags] == [False, True]
    assert story_flags[1].reason == "REQ-1 “Pay by card only” changed."
    assert len(open_flags()) == 3


def test_clearing_a_cleared_flag_is_refused(traced, editor, people):
    # given
    requirement_update(requirement=traced["requirement"], actor=editor, title="Pay by card or wallet")
    flag = review_flag_clear(flag=ReviewFlag.objects.get(story=traced["story"]), actor=people["sam"])

    # when
    with pytest.raises(ValidationError) as refused:
        review_flag_clear(flag=flag, actor=editor)

    # then
    assert list(refused.value.message_dict) == ["flag"]
    flag.refresh_from_db()
    assert flag.cleared_by == people["sam"]


def test_removing_a_requirement_flags_what_delivered_it(traced, editor):
    # when
    requirement_delete(requirement=traced["requirement"], actor=editor)

    # then
    flags = list(ReviewFlag.objects.open().order_by("pk"))
    assert [flag.target for flag in flags] == [traced["feature"], traced["story"], traced["item"]]
    assert {flag.reason for flag in flags} == {"REQ-1 “Pay by card” was removed from the PRD."}


def test_accepting_a_superseding_decision_flags_the_old_records_epics_and_roadmap_items(
    product, editor, viewer, people
):
    # given
    epic = EpicFactory(product=product, owner=people["fay"])
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product), owner=people["rob"])
    old = DecisionRecordFactory(product=product, actor=editor, epics=[epic], roadmap_items=[item])
    decision_choose_option(record=old, actor=editor, option=old.options.first())
    approval = signoff_request(document=old, actor=editor, approver=viewer, role="leadership")
    signoff_approve(signoff=approval, actor=viewer)
    successor = decision_supersede(record=old, actor=editor)
    decision_choose_option(record=successor, actor=editor, option=successor.options.last())
    pending = signoff_request(document=successor, actor=editor, approver=viewer, role="leadership")
    assert open_flags() == []

    # when
    signoff_approve(signoff=pending, actor=viewer)

    # then
    assert open_flags() == [(epic, None, old.pk), (item, None, old.pk)]
    assert {flag.reason for flag in ReviewFlag.objects.all()} == {f"ADR-1 “{old.title}” was superseded by ADR-2."}
    assert flag_notifications() == [("fay", epic), ("rob", item)]
    old.refresh_from_db()
    assert old.status == DecisionRecord.Status.SUPERSEDED
