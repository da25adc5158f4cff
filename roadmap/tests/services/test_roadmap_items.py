"""Roadmap items: dates in order, links within the product, owners from the workspace, known fields only."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from backlog.tests.factories import EpicFactory
from core.errors import ApplicationError
from roadmap.models import Confidence, Goal, Lane, Milestone, RoadmapItem
from roadmap.services import goal_create, milestone_create, roadmap_item_create, roadmap_item_update
from roadmap.tests.factories import RoadmapItemFactory
from workspaces.tests.factories import UserFactory

MAR_1 = datetime.date(2026, 3, 1)
MAR_31 = datetime.date(2026, 3, 31)
FEB_28 = datetime.date(2026, 2, 28)


def test_roadmap_item_create_saves_the_item_with_its_links_at_the_bottom_of_the_roadmap(roadmap, product, editor):
    # given
    first = RoadmapItemFactory(roadmap=roadmap, title="First")
    epic = EpicFactory(product=product, title="Wallets")
    goal = goal_create(product=product, title="Grow conversion")
    release = milestone_create(product=product, name="2026.1", date=MAR_31, kind=Milestone.Kind.RELEASE)

    # when
    item = roadmap_item_create(
        roadmap=roadmap,
        actor=editor,
        title="Apple Pay",
        lane=Lane.NOW,
        start_date=MAR_1,
        end_date=MAR_31,
        owner=editor,
        milestone=release,
        epics=[epic],
        goals=[goal],
    )

    # then
    item.refresh_from_db()
    assert (item.title, item.lane, item.start_date, item.end_date, item.owner, item.milestone) == (
        "Apple Pay",
        Lane.NOW,
        MAR_1,
        MAR_31,
        editor,
        release,
    )
    assert (item.status, item.confidence) == (RoadmapItem.Status.PLANNED, Confidence.ON_TRACK)
    assert list(item.epics.all()) == [epic]
    assert list(item.goals.all()) == [goal]
    assert list(RoadmapItem.objects.filter(roadmap=roadmap).values_list("title", flat=True)) == ["First", "Apple Pay"]
    assert item.rank > first.rank
    assert item.history.get().history_user == editor


def test_an_item_ending_on_its_start_day_is_accepted(roadmap):
    # when
    item = RoadmapItemFactory(roadmap=roadmap, start_date=MAR_1, end_date=MAR_1)

    # then
    assert (item.start_date, item.end_date) == (MAR_1, MAR_1)


def test_roadmap_item_create_refuses_an_end_before_the_start(roadmap):
    # when
    with pytest.raises(ValidationError) as error:
        RoadmapItemFactory(roadmap=roadmap, title="Backwards", start_date=MAR_1, end_date=FEB_28)

    # then
    assert error.value.message_dict == {"end_date": ["The end date must be on or after the start date."]}
    assert not RoadmapItem.objects.exists()


def test_roadmap_item_update_refuses_an_end_before_the_start_and_keeps_the_dates(roadmap, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, start_date=MAR_1, end_date=MAR_31)

    # when
    with pytest.raises(ValidationError) as error:
        roadmap_item_update(item=item, actor=editor, end_date=FEB_28)

    # then
    assert error.value.message_dict == {"end_date": ["The end date must be on or after the start date."]}
    item.refresh_from_db()
    assert (item.start_date, item.end_date) == (MAR_1, MAR_31)


def test_the_database_refuses_an_end_before_the_start_written_around_the_service(roadmap):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, start_date=MAR_1, end_date=MAR_31)

    # when
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        RoadmapItem.objects.filter(pk=item.pk).update(end_date=FEB_28)

    # then
    assert "roadmapitem_ends_after_start" in str(error.value)
    item.refresh_from_db()
    assert item.end_date == MAR_31


def test_roadmap_item_create_refuses_an_epic_of_another_product(roadmap, other_product):
    # given
    foreign_epic = EpicFactory(product=other_product, title="Fraud rules")

    # when
    with pytest.raises(ValidationError) as error:
        RoadmapItemFactory(roadmap=roadmap, title="Borrowed", epics=[foreign_epic])

    # then
    assert error.value.message_dict == {"epics": ["GPAY-1 Fraud rules belongs to another product."]}
    assert not RoadmapItem.objects.exists()


def test_roadmap_item_update_refuses_an_epic_of_another_product_and_keeps_the_links(
    roadmap, product, other_product, editor
):
    # given
    own_epic = EpicFactory(product=product, title="Wallets")
    item = RoadmapItemFactory(roadmap=roadmap, epics=[own_epic])
    foreign_epic = EpicFactory(product=other_product, title="Fraud rules")

    # when
    with pytest.raises(ValidationError) as error:
        roadmap_item_update(item=item, actor=editor, epics=[own_epic, foreign_epic])

    # then
    assert error.value.message_dict == {"epics": ["GPAY-1 Fraud rules belongs to another product."]}
    assert list(item.epics.all()) == [own_epic]


def test_roadmap_item_create_refuses_a_goal_of_another_product(roadmap, other_product):
    # given
    foreign_goal = goal_create(product=other_product, title="Fewer chargebacks")

    # when
    with pytest.raises(ValidationError) as error:
        RoadmapItemFactory(roadmap=roadmap, goals=[foreign_goal])

    # then
    assert error.value.message_dict == {"goals": ["Fewer chargebacks belongs to another product."]}
    assert not RoadmapItem.objects.exists()
    assert Goal.objects.count() == 1


def test_roadmap_item_create_refuses_a_milestone_of_another_product(roadmap, other_product):
    # given
    foreign_release = milestone_create(product=other_product, name="G-2026.1", date=MAR_31)

    # when
    with pytest.raises(ValidationError) as error:
        RoadmapItemFactory(roadmap=roadmap, milestone=foreign_release)

    # then
    assert error.value.message_dict == {"milestone": ["This milestone belongs to another product."]}
    assert not RoadmapItem.objects.exists()


def test_roadmap_item_update_refuses_a_milestone_of_another_product(roadmap, product, other_product, editor):
    # given
    own_release = milestone_create(product=product, name="2026.1", date=MAR_31)
    item = RoadmapItemFactory(roadmap=roadmap, milestone=own_release)
    foreign_release = milestone_create(product=other_product, name="G-2026.1", date=MAR_31)

    # when
    with pytest.raises(ValidationError) as error:
        roadmap_item_update(item=item, actor=editor, milestone=foreign_release)

    # then
    assert error.value.message_dict == {"milestone": ["This milestone belongs to another product."]}
    item.refresh_from_db()
    assert item.milestone == own_release


def test_roadmap_item_create_refuses_an_owner_from_outside_the_workspace(roadmap, outsider):
    # when
    with pytest.raises(ValidationError) as error:
        RoadmapItemFactory(roadmap=roadmap, owner=outsider)

    # then
    assert error.value.message_dict == {"owner": ["Choose a member of this workspace."]}
    assert not RoadmapItem.objects.exists()


def test_roadmap_item_update_refuses_an_owner_who_belongs_to_no_workspace_and_keeps_the_owner(roadmap, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, owner=editor)
    stranger = UserFactory(username="stranger")

    # when
    with pytest.raises(ValidationError) as error:
        roadmap_item_update(item=item, actor=editor, owner=stranger)

    # then
    assert error.value.message_dict == {"owner": ["Choose a member of this workspace."]}
    item.refresh_from_db()
    assert item.owner == editor


def test_roadmap_item_update_accepts_any_member_as_owner(roadmap, editor, contributor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, owner=editor)

    # when
    roadmap_item_update(item=item, actor=editor, owner=contributor)

    # then
    item.refresh_from_db()
    assert item.owner == contributor


def test_roadmap_item_update_refuses_unknown_fields_and_changes_nothing(roadmap, tech_roadmap, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Apple Pay")
    rank = item.rank

    # when
    with pytest.raises(ApplicationError) as error:
        roadmap_item_update(item=item, actor=editor, title="Google Pay", roadmap=tech_roadmap, rank="1")

    # then
    assert error.value.message == "These fields cannot be changed here: rank, roadmap."
    item.refresh_from_db()
    assert (item.title, item.roadmap, item.rank) == ("Apple Pay", roadmap, rank)


def test_roadmap_item_update_writes_the_changes_and_their_history(roadmap, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Apple Pay", actor=editor)

    # when
    roadmap_item_update(
        item=item, actor=editor, title="Wallet payments", confidence=Confidence.AT_RISK, status="in_progress"
    )

    # then
    item.refresh_from_db()
    assert (item.title, item.confidence, item.status) == ("Wallet payments", Confidence.AT_RISK, "in_progress")
    latest = item.history.first()
    assert (latest.history_type, latest.history_user, latest.title) == ("~", editor, "Wallet payments")
    assert item.history.count() == 2
