"""Tech debt: a first-class item, paid off by exactly one remediation story."""

import pytest

from backlog.models import Story, TechDebtItem
from backlog.services import tech_debt_create, tech_debt_schedule
from backlog.tests.factories import EpicFactory, SprintFactory
from core.errors import ApplicationError


def test_tech_debt_create(product, editor):
    # given
    epic = EpicFactory(product=product)
    # when
    item = tech_debt_create(
        product=product,
        actor=editor,
        title="Replace the hand-rolled retry loop",
        kind=TechDebtItem.Kind.CODE,
        impact=TechDebtItem.Impact.HIGH,
        cost_of_delay=8,
        remediation_points=5,
        epic=epic,
        labels=["resilience"],
    )
    # then
    stored = TechDebtItem.objects.get(pk=item.pk)
    assert (stored.key, stored.impact, stored.cost_of_delay, stored.epic) == ("PAY-2", "high", 8, epic)
    assert list(stored.labels.values_list("name", flat=True)) == ["resilience"]


def test_scheduling_creates_one_remediation_story(product, editor, contributor):
    # given
    epic = EpicFactory(product=product)
    sprint = SprintFactory(product=product, name="S1")
    item = tech_debt_create(
        product=product,
        actor=editor,
        title="Upgrade the payment SDK",
        description="v2 is end of life",
        remediation_points=5,
        epic=epic,
        owner=contributor,
    )
    # when
    story = tech_debt_schedule(item=item, actor=editor, sprint=sprint)
    # then
    story = Story.objects.get(pk=story.pk)
    assert (story.title, story.description, story.points) == (
        "Pay off: Upgrade the payment SDK",
        "v2 is end of life",
        5,
    )
    assert (story.epic, story.sprint, story.owner, story.created_by) == (epic, sprint, contributor, editor)
    assert list(story.labels.values_list("name", flat=True)) == ["tech-debt"]
    assert TechDebtItem.objects.get(pk=item.pk).remediation_story == story


def test_scheduling_twice_is_refused(product, editor):
    # given
    item = tech_debt_create(product=product, actor=editor, title="Flaky tests")
    first = tech_debt_schedule(item=item, actor=editor)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        tech_debt_schedule(item=item, actor=editor)
    assert excinfo.value.message == f"{item.key} is already scheduled as {first.key}."
    assert list(Story.objects.values_list("pk", flat=True)) == [first.pk]
    assert TechDebtItem.objects.get(pk=item.pk).remediation_story_id == first.pk
