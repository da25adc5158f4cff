"""criterion_add: a new acceptance criterion goes last, continuing the positions the story started at 0."""

import pytest
from django.core.exceptions import ValidationError

from backlog.models import AcceptanceCriterion
from backlog.services import criterion_add
from backlog.tests.factories import StoryFactory


def positions(story) -> list[tuple[str, int]]:
    return list(story.acceptance_criteria.order_by("position", "pk").values_list("text", "position"))


def test_a_criterion_added_to_a_story_without_any_takes_position_0(product):
    # given
    story = StoryFactory(product=product)
    # when
    criterion = criterion_add(story=story, text=" Visa works ")
    # then
    assert (criterion.text, criterion.position) == ("Visa works", 0)
    assert positions(story) == [("Visa works", 0)]


def test_a_criterion_added_after_the_story_was_created_with_some_goes_last(product):
    # given criteria at 0 and 1, from story_create
    story = StoryFactory(product=product, acceptance_criteria=["Visa works", "Mastercard works"])
    # when
    criterion_add(story=story, text="Amex works")
    criterion_add(story=story, text="Refunds work")
    # then
    assert positions(story) == [("Visa works", 0), ("Mastercard works", 1), ("Amex works", 2), ("Refunds work", 3)]


def test_a_story_whose_only_criterion_sits_at_0_gets_1_next(product):
    # given
    story = StoryFactory(product=product, acceptance_criteria=["Visa works"])
    # when
    criterion = criterion_add(story=story, text="Mastercard works")
    # then
    assert criterion.position == 1
    assert positions(story) == [("Visa works", 0), ("Mastercard works", 1)]


def test_a_blank_criterion_is_refused_naming_text_and_nothing_is_added(product):
    # given
    story = StoryFactory(product=product)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        criterion_add(story=story, text="   ")
    assert excinfo.value.message_dict == {"text": ["Write the criterion."]}
    assert not AcceptanceCriterion.objects.exists()
