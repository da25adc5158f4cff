"""story_create: the hierarchy stays inside one product, assignees are members, done stories are stamped."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backlog.models import Sprint, Story
from backlog.services import sprint_close, sprint_start, story_create
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory
from workspaces.models import Product


def assert_nothing_created(product):
    assert not Story.objects.filter(product=product).exists()
    assert Product.objects.get(pk=product.pk).last_item_number == 0


def test_story_under_a_feature_takes_the_defaults(product, editor, statuses):
    # given
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    # when
    story = story_create(
        product=product,
        actor=editor,
        title="Pay by card",
        feature=feature,
        statement="As a buyer I want to pay by card so that I check out faster",
        acceptance_criteria=["Visa works", "  ", " Mastercard works "],
        labels=["checkout"],
    )
    # then
    story = Story.objects.get(pk=story.pk)
    assert (story.key, story.status, story.priority, story.created_by) == ("PAY-3", statuses["To do"], 3, editor)
    assert story.parent_epic_id == epic.pk
    assert story.completed_at is None
    assert list(story.acceptance_criteria.values_list("text", "position")) == [
        ("Visa works", 0),
        ("Mastercard works", 2),
    ]
    assert list(story.labels.values_list("name", flat=True)) == ["checkout"]
    assert story.history.get().history_user == editor


def test_story_under_another_products_epic_is_refused_naming_epic(product, other_product, editor):
    # given
    foreign_epic = EpicFactory(product=other_product)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Sneaky", epic=foreign_epic)
    assert excinfo.value.message_dict == {"epic": ["This epic belongs to another product."]}
    assert_nothing_created(product)


def test_story_under_another_products_feature_is_refused_naming_feature(product, other_product, editor):
    # given
    foreign_feature = FeatureFactory(epic=EpicFactory(product=other_product))
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Sneaky", feature=foreign_feature)
    assert excinfo.value.message_dict == {"feature": ["This feature belongs to another product."]}
    assert_nothing_created(product)


def test_story_in_another_products_sprint_is_refused_naming_sprint(product, other_product, editor):
    # given
    foreign_sprint = SprintFactory(product=other_product)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Sneaky", sprint=foreign_sprint)
    assert excinfo.value.message_dict == {"sprint": ["This sprint belongs to another product."]}
    assert_nothing_created(product)


def test_story_with_another_products_status_is_refused_naming_status(product, editor, other_statuses):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Sneaky", status=other_statuses["Done"])
    assert excinfo.value.message_dict == {"status": ["This workflow status belongs to another product."]}
    assert_nothing_created(product)


def test_story_under_both_an_epic_and_a_feature_is_refused_naming_epic(product, editor):
    # given
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Two parents", epic=epic, feature=feature)
    assert excinfo.value.message_dict == {"epic": ["A story sits under a feature or directly under an epic, not both."]}
    assert not Story.objects.exists()


def test_story_bigger_than_100_points_is_refused_naming_points(product, editor):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Everything", points=101)
    assert excinfo.value.message_dict == {"points": ["Split a story bigger than 100 points."]}
    assert_nothing_created(product)


def test_assignee_from_another_workspace_is_refused_naming_assignee(product, editor, outsider):
    # given the outsider is a member of another workspace only
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Outsourced", assignee=outsider)
    assert excinfo.value.message_dict == {"assignee": ["Assign only members of this workspace."]}
    assert_nothing_created(product)


def test_owner_from_another_workspace_is_refused_naming_owner(product, editor, outsider):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Outsourced", owner=outsider)
    assert excinfo.value.message_dict == {"owner": ["Assign only members of this workspace."]}
    assert_nothing_created(product)


def test_any_member_of_the_workspace_can_be_assigned(product, editor, viewer, contributor):
    # given
    # when
    story = story_create(product=product, actor=editor, title="Shared", assignee=contributor, owner=viewer)
    # then
    story.refresh_from_db()
    assert (story.assignee, story.owner) == (contributor, viewer)


def test_story_created_done_is_stamped_completed(product, editor, statuses):
    # given
    before = timezone.now()
    # when
    story = story_create(product=product, actor=editor, title="Already shipped", status=statuses["Done"])
    # then the returned story and the stored row carry the same completion time
    after = timezone.now()
    assert story.completed_at is not None
    assert before <= story.completed_at <= after
    assert Story.objects.get(pk=story.pk).completed_at == story.completed_at


def test_story_planned_into_a_closed_sprint_is_refused_naming_sprint(product, editor):
    # given a sprint that is over
    sprint = SprintFactory(product=product, name="Done and dusted")
    sprint_close(sprint=sprint_start(sprint=sprint))
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=editor, title="Too late", sprint=sprint)
    assert excinfo.value.message_dict == {"sprint": ["Done and dusted is closed; plan into an open sprint."]}
    assert_nothing_created(product)


def test_story_planned_into_an_open_sprint(product, editor):
    # given
    sprint = SprintFactory(product=product, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2026, 11, 13))
    # when
    story = story_create(product=product, actor=editor, title="Planned", sprint=sprint)
    # then
    assert Story.objects.get(pk=story.pk).sprint == sprint
    assert Sprint.objects.get(pk=sprint.pk).state == Sprint.State.PLANNED
