"""Updates and deletes of roadmaps, items, milestones and goals: rules, history user, what goes along."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.errors import ApplicationError
from roadmap.models import Baseline, Dependency, Goal, Milestone, Roadmap, RoadmapItem
from roadmap.services import (
    baseline_create,
    dependency_add,
    goal_create,
    goal_delete,
    goal_update,
    milestone_create,
    milestone_delete,
    milestone_update,
    roadmap_create,
    roadmap_delete,
    roadmap_item_delete,
    roadmap_update,
)
from roadmap.tests.factories import RoadmapItemFactory

JUN_30 = datetime.date(2030, 6, 30)


def test_roadmap_create_and_update_record_the_actor(product, editor, viewer):
    # when
    roadmap = roadmap_create(product=product, name="Payments", actor=editor)
    roadmap = roadmap_update(roadmap=roadmap, actor=viewer, name="Payments 2030", kind="technology")

    # then
    assert [(h.name, h.history_user) for h in roadmap.history.order_by("history_id")] == [
        ("Payments", editor),
        ("Payments 2030", viewer),
    ]
    assert Roadmap.objects.get(pk=roadmap.pk).kind == "technology"


def test_roadmap_update_refuses_a_taken_name_and_other_fields(roadmap, tech_roadmap, editor):
    with pytest.raises(ValidationError) as taken:
        roadmap_update(roadmap=roadmap, actor=editor, name=tech_roadmap.name)
    with pytest.raises(ApplicationError) as fixed:
        roadmap_update(roadmap=roadmap, actor=editor, product=tech_roadmap.product)
    assert taken.value.message_dict == {"name": ["Payments already has a roadmap called Payments platform."]}
    assert fixed.value.message == "These fields cannot be changed here: product."
    assert Roadmap.objects.get(pk=roadmap.pk).name == "Payments 2026"


def test_roadmap_delete_refuses_while_items_remain_then_takes_baselines_along(roadmap, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap)
    baseline_create(roadmap=roadmap, name="Q2", actor=editor)

    # when / then
    with pytest.raises(ApplicationError) as refused:
        roadmap_delete(roadmap=roadmap, actor=editor)
    assert refused.value.extra == {"items": 1}
    roadmap_item_delete(item=item, actor=editor)
    roadmap_delete(roadmap=roadmap, actor=editor)
    assert not Roadmap.objects.filter(pk=roadmap.pk).exists()
    assert not Baseline.objects.exists()


def test_item_delete_takes_its_dependencies_and_records_who(roadmap, editor):
    # given
    a, b, c = (RoadmapItemFactory(roadmap=roadmap) for _ in range(3))
    dependency_add(blocker=a, blocked=b)
    dependency_add(blocker=b, blocked=c)

    # when
    roadmap_item_delete(item=b, actor=editor)

    # then
    assert not Dependency.objects.exists()
    last = RoadmapItem.history.filter(id=b.pk).latest()
    assert (last.history_type, last.history_user) == ("-", editor)
    roadmap_item_delete(item=b, actor=editor)  # deleting it again does nothing


def test_milestone_update_and_delete(product, roadmap, editor):
    # given
    release = milestone_create(product=product, name="2030.2", date=JUN_30, is_reached=True, actor=editor)
    milestone_create(product=product, name="2030.3", date=JUN_30)
    item = RoadmapItemFactory(roadmap=roadmap, milestone=release)

    # when
    with pytest.raises(ValidationError) as taken:
        milestone_update(milestone=release, actor=editor, name="2030.3")
    release = milestone_update(milestone=release, actor=editor, kind="release", is_reached=False)
    milestone_delete(milestone=release, actor=editor)

    # then
    assert taken.value.message_dict == {"name": ["Payments already has a milestone called 2030.3."]}
    assert not Milestone.objects.filter(pk=release.pk).exists()
    assert Milestone.history.filter(id=release.pk).latest().history_user == editor
    item = RoadmapItem.objects.get(pk=item.pk)
    assert item.milestone_id is None
    assert item.history.latest().history_user == editor


def test_goal_update_and_delete(product, roadmap, editor):
    # given
    goal = goal_create(product=product, title="Fewer failed payments")
    goal_create(product=product, title="Faster checkout")
    item = RoadmapItemFactory(roadmap=roadmap, goals=[goal])

    # when
    with pytest.raises(ValidationError):
        goal_update(goal=goal, actor=editor, title="Faster checkout")
    goal = goal_update(goal=goal, actor=editor, target="< 1%")
    goal_delete(goal=goal, actor=editor)

    # then
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert list(item.goals.all()) == []
