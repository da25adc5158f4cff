"""Fixtures for the backlog tree and item pages: a small backlog (epic → feature → stories)."""

from dataclasses import dataclass

import pytest

from backlog.models import Epic, Feature, Story
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory


@dataclass
class Backlog:
    epic: Epic
    feature: Feature
    stories: list[Story]
    loose: Story  # directly under the epic


@pytest.fixture
def backlog(product, editor) -> Backlog:
    epic = EpicFactory(product=product, title="Checkout", actor=editor)
    feature = FeatureFactory(epic=epic, title="Card payments", actor=editor)
    stories = [StoryFactory(feature=feature, title=title, actor=editor) for title in ("Alpha", "Bravo", "Charlie")]
    loose = StoryFactory(epic=epic, title="Loose end", actor=editor)
    return Backlog(epic=epic, feature=feature, stories=stories, loose=loose)
