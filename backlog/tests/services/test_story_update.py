"""story_update and story_set_status: every rule checked on edit, completion stamped and cleared."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backlog.models import StatusCategory, Story, WorkflowStatus
from backlog.services import sprint_close, sprint_start, story_set_status, story_update
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory
from core.errors import ApplicationError


@pytest.fixture
def story(product):
    return StoryFactory(product=product, title="Pay by card", points=3)


def test_editable_fields_are_saved_with_history(story, editor, contributor):
    # given
    # when
    updated = story_update(story=story, actor=editor, title="Pay by card or wallet", points=5, assignee=contributor)
    # then
    story.refresh_from_db()
    assert (story.title, story.points, story.assignee) == ("Pay by card or wallet", 5, contributor)
    assert updated.title == "Pay by card or wallet"
    latest = story.history.first()
    assert (latest.title, latest.history_user) == ("Pay by card or wallet", editor)


@pytest.mark.parametrize("field", ["product", "number", "rank", "completed_at", "created_by", "nonsense"])
def test_unknown_or_protected_fields_are_refused(story, editor, field):
    # given
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        story_update(story=story, actor=editor, title="Changed", **{field: None})
    assert excinfo.value.message == f"These fields cannot be changed here: {field}."
    story.refresh_from_db()
    assert story.title == "Pay by card"


def test_assignee_from_another_workspace_is_refused_naming_assignee(story, editor, outsider):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_update(story=story, actor=editor, assignee=outsider)
    assert excinfo.value.message_dict == {"assignee": ["Assign only members of this workspace."]}
    story.refresh_from_db()
    assert story.assignee is None


def test_owner_from_another_workspace_is_refused_naming_owner(story, editor, outsider):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_update(story=story, actor=editor, owner=outsider)
    assert excinfo.value.message_dict == {"owner": ["Assign only members of this workspace."]}
    story.refresh_from_db()
    assert story.owner is None


def test_moving_under_another_products_feature_is_refused_naming_feature(story, editor, other_product):
    # given
    foreign_feature = FeatureFactory(epic=EpicFactory(product=other_product))
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_update(story=story, actor=editor, feature=foreign_feature)
    assert excinfo.value.message_dict == {"feature": ["This feature belongs to another product."]}
    story.refresh_from_db()
    assert story.feature is None


def test_giving_a_story_under_an_epic_a_feature_as_well_is_refused(product, editor):
    # given
    epic = EpicFactory(product=product)
    story = StoryFactory(epic=epic)
    feature = FeatureFactory(epic=epic)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_update(story=story, actor=editor, feature=feature)
    assert list(excinfo.value.message_dict) == ["epic"]
    story.refresh_from_db()
    assert (story.epic, story.feature) == (epic, None)


def test_moving_a_story_from_an_epic_to_a_feature(product, editor):
    # given
    epic = EpicFactory(product=product)
    story = StoryFactory(epic=epic)
    feature = FeatureFactory(epic=epic)
    # when
    story_update(story=story, actor=editor, epic=None, feature=feature)
    # then
    story.refresh_from_db()
    assert (story.epic, story.feature, story.parent_epic_id) == (None, feature, epic.pk)


def test_moving_into_a_closed_sprint_is_refused_naming_sprint(story, product, editor):
    # given
    closed = SprintFactory(product=product, name="Over")
    sprint_close(sprint=sprint_start(sprint=closed))
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_update(story=story, actor=editor, sprint=closed)
    assert excinfo.value.message_dict == {"sprint": ["Over is closed; plan into an open sprint."]}
    story.refresh_from_db()
    assert story.sprint is None


def test_a_finished_story_in_a_closed_sprint_can_still_be_edited(product, editor, statuses):
    # given a done story left in its sprint when the sprint closed
    sprint = SprintFactory(product=product, name="Over")
    story = StoryFactory(product=product, sprint=sprint, status=statuses["Done"])
    sprint_close(sprint=sprint_start(sprint=sprint))
    # when
    story_update(story=story, actor=editor, sprint=sprint, title="Renamed after the sprint")
    # then
    story.refresh_from_db()
    assert (story.title, story.sprint) == ("Renamed after the sprint", sprint)


def test_completed_at_is_set_on_entering_done_and_cleared_on_leaving(story, editor, statuses):
    # given a story in To do
    before = timezone.now()
    # when it moves to Done
    done = story_set_status(story=story, actor=editor, status=statuses["Done"])
    # then
    assert before <= done.completed_at <= timezone.now()
    assert Story.objects.get(pk=story.pk).completed_at == done.completed_at
    # when it goes back to In review (a category other than done)
    reopened = story_set_status(story=story, actor=editor, status=statuses["In review"])
    # then
    assert reopened.completed_at is None
    assert Story.objects.get(pk=story.pk).completed_at is None


def test_completed_at_is_kept_when_the_status_stays_done(story, editor, statuses, product):
    # given a done story and a second done-category status
    second_done = WorkflowStatus.objects.create(
        product=product, name="Released", category=StatusCategory.DONE, position=4
    )
    stamped = story_set_status(story=story, actor=editor, status=statuses["Done"]).completed_at
    # when it moves between done statuses, and an unrelated field changes
    story_set_status(story=story, actor=editor, status=second_done)
    story_update(story=story, actor=editor, title="Shipped")
    # then
    story.refresh_from_db()
    assert (story.status, story.completed_at) == (second_done, stamped)


def test_moving_between_unfinished_statuses_leaves_completed_at_empty(story, editor, statuses):
    # given
    # when
    updated = story_set_status(story=story, actor=editor, status=statuses["In progress"])
    # then
    assert (updated.status, updated.completed_at) == (statuses["In progress"], None)


def test_story_set_status_refuses_another_products_status_naming_status(story, editor, statuses, other_statuses):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        story_set_status(story=story, actor=editor, status=other_statuses["Done"])
    assert excinfo.value.message_dict == {"status": ["This workflow status belongs to another product."]}
    story.refresh_from_db()
    assert (story.status, story.completed_at) == (statuses["To do"], None)


def test_labels_are_replaced_by_the_given_names(story, editor):
    # given
    story_update(story=story, actor=editor, labels=["api", "ux"])
    # when
    story_update(story=story, actor=editor, labels=["ux", "mobile"])
    # then
    assert list(story.labels.values_list("name", flat=True)) == ["mobile", "ux"]
