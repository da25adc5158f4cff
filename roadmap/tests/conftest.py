"""Fixtures for the roadmap tests: the Payments product's product and technology roadmaps."""

import pytest

from backlog.models import StatusCategory, WorkflowStatus
from roadmap.models import Roadmap
from roadmap.tests.factories import RoadmapFactory


@pytest.fixture
def roadmap(product) -> Roadmap:
    return RoadmapFactory(product=product, name="Payments 2026")


@pytest.fixture
def tech_roadmap(product) -> Roadmap:
    return RoadmapFactory(product=product, name="Payments platform", kind=Roadmap.Kind.TECHNOLOGY)


@pytest.fixture
def done_status(product) -> WorkflowStatus:
    """The product's status in the Done category (the default workflow has exactly one)."""
    return product.statuses.get(category=StatusCategory.DONE)
