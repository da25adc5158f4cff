"""stories_set_sprint: plan stories into an open sprint of their product, or back to the backlog."""

import pytest
from django.core.exceptions import ValidationError

from backlog.models import Story
from backlog.services import sprint_close, sprint_start, stories_set_sprint
from backlog.tests.factories import SprintFactory, StoryFactory


def test_stories_move_into_the_sprint(product, editor):
    # given
    sprint = SprintFactory(product=product, name="S1")
    first, second, left_out = (StoryFactory(product=product) for _ in range(3))
    # when
    moved = stories_set_sprint(product=product, actor=editor, story_ids=[first.pk, second.pk], sprint=sprint)
    # then
    assert moved == 2
    assert dict(Story.objects.values_list("pk", "sprint__name")) == {first.pk: "S1", second.pk: "S1", left_out.pk: None}
    assert Story.objects.get(pk=first.pk).history.first().history_user == editor


def test_only_the_products_stories_move(product, other_product, editor):
    # given a story of another product slipped into the list of ids
    sprint = SprintFactory(product=product, name="S1")
    mine = StoryFactory(product=product)
    theirs = StoryFactory(product=other_product)
    # when
    moved = stories_set_sprint(product=product, actor=editor, story_ids=[mine.pk, theirs.pk], sprint=sprint)
    # then
    assert moved == 1
    assert Story.objects.get(pk=mine.pk).sprint == sprint
    assert Story.objects.get(pk=theirs.pk).sprint is None


def test_stories_go_back_to_the_backlog(product, editor):
    # given
    sprint = SprintFactory(product=product, name="S1")
    story = StoryFactory(product=product, sprint=sprint)
    # when
    moved = stories_set_sprint(product=product, actor=editor, story_ids=[story.pk], sprint=None)
    # then
    assert moved == 1
    assert Story.objects.get(pk=story.pk).sprint is None


def test_a_closed_sprint_is_refused_naming_sprint(product, editor):
    # given
    closed = sprint_close(sprint=sprint_start(sprint=SprintFactory(product=product, name="S1")))
    story = StoryFactory(product=product)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        stories_set_sprint(product=product, actor=editor, story_ids=[story.pk], sprint=closed)
    assert excinfo.value.message_dict == {"sprint": ["S1 is closed; plan into an open sprint."]}
    assert Story.objects.get(pk=story.pk).sprint is None


def test_another_products_sprint_is_refused_naming_sprint(product, other_product, editor):
    # given
    foreign = SprintFactory(product=other_product, name="G1")
    story = StoryFactory(product=product)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        stories_set_sprint(product=product, actor=editor, story_ids=[story.pk], sprint=foreign)
    assert excinfo.value.message_dict == {"sprint": ["This sprint belongs to another product."]}
    assert Story.objects.get(pk=story.pk).sprint is None
