"""A baseline diff lists exactly what moved on the roadmap since the baseline, each change in its bucket."""

import datetime

from roadmap.models import Confidence, Lane, RoadmapItem
from roadmap.selectors import BaselineDiff, Change, baseline_diff
from roadmap.services import (
    baseline_create,
    item_snapshot,
    milestone_create,
    roadmap_item_move,
    roadmap_item_update,
)
from roadmap.tests.factories import RoadmapItemFactory

MAR_1 = datetime.date(2026, 3, 1)
MAR_31 = datetime.date(2026, 3, 31)
APR_15 = datetime.date(2026, 4, 15)


def test_a_fresh_baseline_diffs_empty(roadmap, editor):
    # given
    RoadmapItemFactory(roadmap=roadmap, title="Checkout", start_date=MAR_1, end_date=MAR_31)
    RoadmapItemFactory(roadmap=roadmap, title="Refunds", lane=Lane.NOW)
    baseline = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)

    # when
    diff = baseline_diff(baseline)

    # then
    assert diff == BaselineDiff()
    assert diff.is_empty is True


def test_the_diff_lists_exactly_the_items_added_removed_redated_relaned_reconfidenced_and_retitled(
    roadmap, tech_roadmap, editor
):
    # given
    RoadmapItemFactory(roadmap=roadmap, title="Untouched", start_date=MAR_1, end_date=MAR_31)
    dropped = RoadmapItemFactory(roadmap=roadmap, title="Dropped", lane=Lane.LATER)
    slipped = RoadmapItemFactory(roadmap=roadmap, title="Slipped", start_date=MAR_1, end_date=MAR_31)
    pulled_in = RoadmapItemFactory(roadmap=roadmap, title="Pulled in", lane=Lane.NEXT)
    shaky = RoadmapItemFactory(roadmap=roadmap, title="Shaky")
    renamed = RoadmapItemFactory(roadmap=roadmap, title="Wallets")
    baseline = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)
    dropped_snapshot = item_snapshot(dropped)

    # when
    added = RoadmapItemFactory(roadmap=roadmap, title="New idea", lane=Lane.LATER)
    RoadmapItemFactory(roadmap=tech_roadmap, title="Elsewhere")
    dropped.delete()
    roadmap_item_update(item=slipped, actor=editor, end_date=APR_15)
    roadmap_item_move(item=pulled_in, lane=Lane.NOW)
    roadmap_item_update(item=shaky, actor=editor, confidence=Confidence.OFF_TRACK)
    roadmap_item_update(item=renamed, actor=editor, title="Apple Pay and Google Pay")
    diff = baseline_diff(baseline)

    # then
    assert diff.added == [item_snapshot(RoadmapItem.objects.get(pk=added.pk))]
    assert diff.added[0]["title"] == "New idea"
    assert diff.removed == [dropped_snapshot]
    assert diff.redated == [
        Change(
            slipped.pk,
            "Slipped",
            {"start_date": "2026-03-01", "end_date": "2026-03-31"},
            {"start_date": "2026-03-01", "end_date": "2026-04-15"},
        )
    ]
    assert diff.relaned == [Change(pulled_in.pk, "Pulled in", {"lane": "next"}, {"lane": "now"})]
    assert diff.confidence_changed == [
        Change(shaky.pk, "Shaky", {"confidence": "on_track"}, {"confidence": "off_track"})
    ]
    assert diff.retitled == [
        Change(renamed.pk, "Apple Pay and Google Pay", {"title": "Wallets"}, {"title": "Apple Pay and Google Pay"})
    ]
    assert diff.status_changed == []
    assert diff.is_empty is False


def test_an_item_changed_in_several_ways_appears_in_each_bucket(roadmap, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Checkout", lane=Lane.NEXT, start_date=MAR_1)
    baseline = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)

    # when
    roadmap_item_update(item=item, actor=editor, lane=Lane.LATER, start_date=APR_15, status="in_progress")
    diff = baseline_diff(baseline)

    # then
    assert diff.redated == [
        Change(
            item.pk,
            "Checkout",
            {"start_date": "2026-03-01", "end_date": None},
            {"start_date": "2026-04-15", "end_date": None},
        )
    ]
    assert diff.relaned == [Change(item.pk, "Checkout", {"lane": "next"}, {"lane": "later"})]
    assert diff.status_changed == [Change(item.pk, "Checkout", {"status": "planned"}, {"status": "in_progress"})]
    assert (diff.added, diff.removed, diff.confidence_changed, diff.retitled) == ([], [], [], [])


def test_changes_are_listed_in_item_order(roadmap, editor):
    # given
    items = [RoadmapItemFactory(roadmap=roadmap, title=f"Item {n}", lane=Lane.LATER) for n in range(4)]
    baseline = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)

    # when
    for item in reversed(items):
        roadmap_item_move(item=item, lane=Lane.NOW)
    diff = baseline_diff(baseline)

    # then
    assert [change.item_id for change in diff.relaned] == sorted(item.pk for item in items)


def test_moving_items_between_milestones_is_listed_with_the_milestone_ids(roadmap, product, editor):
    # given one item per case: moved to another release, taken off its release, put on one, untouched
    march = milestone_create(product=product, name="2026.1", date=MAR_31)
    april = milestone_create(product=product, name="2026.2", date=APR_15)
    moved = RoadmapItemFactory(roadmap=roadmap, title="Moved", milestone=march)
    dropped = RoadmapItemFactory(roadmap=roadmap, title="Dropped", milestone=march)
    planned = RoadmapItemFactory(roadmap=roadmap, title="Planned")
    RoadmapItemFactory(roadmap=roadmap, title="Untouched", milestone=april)
    baseline = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)

    # when
    roadmap_item_update(item=moved, actor=editor, milestone=april)
    roadmap_item_update(item=dropped, actor=editor, milestone=None)
    roadmap_item_update(item=planned, actor=editor, milestone=april)
    diff = baseline_diff(baseline)

    # then
    assert diff.milestone_changed == [
        Change(moved.pk, "Moved", {"milestone_id": march.pk}, {"milestone_id": april.pk}),
        Change(dropped.pk, "Dropped", {"milestone_id": march.pk}, {"milestone_id": None}),
        Change(planned.pk, "Planned", {"milestone_id": None}, {"milestone_id": april.pk}),
    ]
    assert (diff.redated, diff.relaned, diff.retitled, diff.status_changed, diff.confidence_changed) == (
        [],
        [],
        [],
        [],
        [],
    )
    assert diff.is_empty is False


def test_a_milestone_deleted_since_the_baseline_shows_as_taken_off(roadmap, product, editor):
    # given an item on a release that is then deleted (the item's milestone is set to null)
    release = milestone_create(product=product, name="2026.1", date=MAR_31)
    item = RoadmapItemFactory(roadmap=roadmap, title="Checkout", milestone=release)
    baseline = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)
    release_id = release.pk

    # when
    release.delete()
    diff = baseline_diff(baseline)

    # then
    assert diff.milestone_changed == [Change(item.pk, "Checkout", {"milestone_id": release_id}, {"milestone_id": None})]
