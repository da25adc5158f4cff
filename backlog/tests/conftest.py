"""Fixtures for the backlog tests: the product's workflow statuses by name."""

import pytest

from backlog.models import WorkflowStatus


@pytest.fixture
def statuses(product) -> dict[str, WorkflowStatus]:
    """The default workflow of `product`: To do, In progress, In review, Done."""
    return {status.name: status for status in WorkflowStatus.objects.filter(product=product)}


@pytest.fixture
def other_statuses(other_product) -> dict[str, WorkflowStatus]:
    return {status.name: status for status in WorkflowStatus.objects.filter(product=other_product)}
