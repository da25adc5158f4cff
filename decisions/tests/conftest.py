"""Fixtures for the decisions tests: a PRD and a decision record owned by the editor."""

import pytest

from decisions.models import PRD, DecisionRecord
from decisions.tests.factories import DecisionRecordFactory, PRDFactory


@pytest.fixture
def prd(product, editor) -> PRD:
    return PRDFactory(product=product, actor=editor, title="Checkout v2")


@pytest.fixture
def record(product, editor) -> DecisionRecord:
    return DecisionRecordFactory(product=product, actor=editor, title="Queue for payment events")
