"""Fixtures for the board and sprint pages: a product with an active sprint and stories in it."""

import pytest
from django.urls import reverse

from backlog import services
from backlog.tests.factories import SprintFactory, StoryFactory


@pytest.fixture
def sprint(product, editor):
    sprint = SprintFactory(product=product, name="Sprint 7", capacity_points=10, goal="Ship card vaulting")
    return services.sprint_start(sprint=sprint, actor=editor)


@pytest.fixture
def make_stories(product, statuses):
    """n stories in `status` (a name), optionally in a sprint, each with a label and an assignee."""

    def make(n: int, status: str = "To do", **kwargs):
        return [StoryFactory(product=product, status=statuses[status], labels=["api"], **kwargs) for _ in range(n)]

    return make


def url(name: str, product, *args) -> str:
    return reverse(f"backlog:{name}", args=[product.pk, *args])
