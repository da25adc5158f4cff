"""A baseline freezes a roadmap's items under a name that is required and unique per roadmap."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from roadmap.models import Baseline, Confidence, Lane
from roadmap.services import baseline_create, milestone_create, roadmap_item_update
from roadmap.tests.factories import RoadmapItemFactory


def test_baseline_create_freezes_every_item_of_the_roadmap_in_rank_order(roadmap, tech_roadmap, product, editor):
    # given
    release = milestone_create(product=product, name="2026.1", date=datetime.date(2026, 3, 31))
    checkout = RoadmapItemFactory(
        roadmap=roadmap,
        title="Checkout",
        lane=Lane.NOW,
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 31),
        milestone=release,
    )
    refunds = RoadmapItemFactory(roadmap=roadmap, title="Refunds", confidence=Confidence.AT_RISK)
    RoadmapItemFactory(roadmap=tech_roadmap, title="Token vault")

    # when
    baseline = baseline_create(roadmap=roadmap, name="  Q1 review ", actor=editor)

    # then
    baseline.refresh_from_db()
    assert (baseline.name, baseline.roadmap, baseline.created_by) == ("Q1 review", roadmap, editor)
    assert baseline.snapshot == [
        {
            "id": checkout.pk,
            "title": "Checkout",
            "lane": "now",
            "status": "planned",
            "start_date": "2026-03-01",
            "end_date": "2026-03-31",
            "confidence": "on_track",
            "milestone_id": release.pk,
        },
        {
            "id": refunds.pk,
            "title": "Refunds",
            "lane": "next",
            "status": "planned",
            "start_date": None,
            "end_date": None,
            "confidence": "at_risk",
            "milestone_id": None,
        },
    ]


def test_a_baseline_stays_as_it_was_when_the_roadmap_changes(roadmap, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Checkout")
    baseline = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)
    frozen = list(baseline.snapshot)

    # when
    roadmap_item_update(item=item, actor=editor, title="One-click checkout", lane=Lane.LATER)
    RoadmapItemFactory(roadmap=roadmap, title="Refunds")

    # then
    baseline.refresh_from_db()
    assert baseline.snapshot == frozen
    assert [row["title"] for row in baseline.snapshot] == ["Checkout"]


def test_a_baseline_of_an_empty_roadmap_freezes_no_items(roadmap, editor):
    # when
    baseline = baseline_create(roadmap=roadmap, name="Kick-off", actor=editor)

    # then
    baseline.refresh_from_db()
    assert baseline.snapshot == []


@pytest.mark.parametrize("name", ["", "   "])
def test_baseline_create_requires_a_name(roadmap, editor, name):
    # when
    with pytest.raises(ValidationError) as error:
        baseline_create(roadmap=roadmap, name=name, actor=editor)

    # then
    assert error.value.message_dict == {"name": ["Name the baseline, for example 'Q3 planning review'."]}
    assert not Baseline.objects.exists()


def test_baseline_create_refuses_a_name_the_roadmap_already_has(roadmap, editor):
    # given
    first = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)

    # when
    with pytest.raises(ValidationError) as error:
        baseline_create(roadmap=roadmap, name=" Q1 review", actor=editor)

    # then
    assert error.value.message_dict == {"name": ["Payments 2026 already has a baseline called Q1 review."]}
    assert list(Baseline.objects.all()) == [first]


def test_another_roadmap_may_reuse_a_baseline_name(roadmap, tech_roadmap, editor):
    # given
    baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)

    # when
    baseline_create(roadmap=tech_roadmap, name="Q1 review", actor=editor)

    # then
    assert sorted(Baseline.objects.values_list("roadmap__name", "name")) == [
        ("Payments 2026", "Q1 review"),
        ("Payments platform", "Q1 review"),
    ]


def test_baseline_create_refuses_a_name_longer_than_the_column_naming_name(roadmap, editor):
    # when
    with pytest.raises(ValidationError) as error:
        baseline_create(roadmap=roadmap, name="x" * 121, actor=editor)

    # then
    assert error.value.message_dict == {"name": ["Ensure this value has at most 120 characters (it has 121)."]}
    assert not Baseline.objects.exists()
