"""Roadmaps, milestones, goals and baselines keep unique names, even when two requests create one at once.

The services check for a duplicate first; when that check misses a row another request has just
inserted, the unique constraint refuses the INSERT and the caller still gets the field error.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.tests.helpers import miss_duplicate_checks
from roadmap.models import Baseline, Goal, Milestone, Roadmap
from roadmap.services import baseline_create, goal_create, milestone_create, roadmap_create

MAR_31 = datetime.date(2026, 3, 31)


def test_roadmap_create_duplicate_past_the_check_is_a_name_error(roadmap, product, monkeypatch):
    # given "Payments 2026", unseen by the check
    miss_duplicate_checks(monkeypatch, Roadmap)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        roadmap_create(product=product, name="Payments 2026")
    assert excinfo.value.message_dict == {"name": ["Payments already has a roadmap called Payments 2026."]}
    assert Roadmap.objects.filter(product=product, name="Payments 2026").count() == 1


def test_milestone_create_duplicate_past_the_check_is_a_name_error(product, monkeypatch):
    # given
    milestone_create(product=product, name="2026.1", date=MAR_31)
    miss_duplicate_checks(monkeypatch, Milestone)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        milestone_create(product=product, name="2026.1", date=MAR_31)
    assert excinfo.value.message_dict == {"name": ["Payments already has a milestone called 2026.1."]}
    assert Milestone.objects.filter(product=product).count() == 1


def test_goal_create_duplicate_past_the_check_is_a_title_error(product, monkeypatch):
    # given
    goal_create(product=product, title="Lift conversion")
    miss_duplicate_checks(monkeypatch, Goal)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        goal_create(product=product, title="Lift conversion")
    assert excinfo.value.message_dict == {"title": ["Payments already has a goal called Lift conversion."]}
    assert Goal.objects.filter(product=product).count() == 1


def test_baseline_create_duplicate_past_the_check_is_a_name_error(roadmap, editor, monkeypatch):
    # given
    baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)
    miss_duplicate_checks(monkeypatch, Baseline)
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)
    assert excinfo.value.message_dict == {"name": ["Payments 2026 already has a baseline called Q1 review."]}
    assert Baseline.objects.filter(roadmap=roadmap).count() == 1
