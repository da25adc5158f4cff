"""The computed confidence signal: each reason fires on the evidence made for it, and only then."""

import datetime
import itertools

import pytest
from django.db import connection

from backlog.tests.factories import EpicFactory, StoryFactory
from decisions.services import decision_choose_option, signoff_request
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from roadmap.confidence import ConfidenceSignal, Reason, confidence_signals
from roadmap.models import Confidence, Lane, RoadmapItem
from roadmap.selectors import roadmap_item_progress
from roadmap.services import dependency_add, roadmap_item_update
from roadmap.tests.factories import RoadmapItemFactory
from roadmap.tests.helpers import approve, items_with_work, query_count

TODAY = datetime.date(2026, 2, 2)
MAR_1 = datetime.date(2026, 3, 1)
MAR_15 = datetime.date(2026, 3, 15)
MAR_31 = datetime.date(2026, 3, 31)


def reasons(signal: ConfidenceSignal) -> list[tuple[str, str, int]]:
    return [(r.code, r.message, r.weight) for r in signal.reasons]


def signal_of(item: RoadmapItem, today: datetime.date = TODAY) -> ConfidenceSignal:
    return confidence_signals([item], today=today)[item.pk]


def estimated_epic(product, *, estimated: int, unestimated: int = 0):
    epic = EpicFactory(product=product)
    for _ in range(estimated):
        StoryFactory(epic=epic, points=3)
    for _ in range(unestimated):
        StoryFactory(epic=epic, points=None)
    return epic


# --- Levels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weights", "level"),
    [
        ((), Confidence.ON_TRACK),
        ((1,), Confidence.AT_RISK),
        ((2,), Confidence.AT_RISK),
        ((1, 1), Confidence.AT_RISK),
        ((1, 2), Confidence.OFF_TRACK),
        ((2, 2), Confidence.OFF_TRACK),
    ],
)
def test_the_level_follows_the_score(weights, level):
    # given
    signal = ConfidenceSignal([Reason(f"r{n}", "", weight) for n, weight in enumerate(weights)])

    # then
    assert (signal.score, signal.level) == (sum(weights), level)


def test_an_item_with_estimated_work_and_nothing_pending_is_on_track(roadmap, product):
    # given
    item = RoadmapItemFactory(
        roadmap=roadmap, lane=Lane.NOW, end_date=MAR_31, epics=[estimated_epic(product, estimated=2)]
    )

    # when
    signal = signal_of(item)

    # then
    assert reasons(signal) == []
    assert (signal.score, signal.level, signal.label) == (0, Confidence.ON_TRACK, "On track")


# --- Estimates -----------------------------------------------------------------------------------


def test_low_estimate_coverage_fires_below_80_percent(roadmap, product):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, epics=[estimated_epic(product, estimated=3, unestimated=1)])

    # when
    signal = signal_of(item)

    # then
    assert reasons(signal) == [("low_estimates", "Only 3 of 4 stories are estimated (75%).", 1)]
    assert signal.level == Confidence.AT_RISK


def test_low_estimate_coverage_does_not_fire_at_80_percent(roadmap, product):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, epics=[estimated_epic(product, estimated=4, unestimated=1)])

    # then
    assert reasons(signal_of(item)) == []


def test_an_item_in_now_without_stories_fires_no_stories(roadmap, product):
    # given
    bare = RoadmapItemFactory(roadmap=roadmap, title="Bare", lane=Lane.NOW)
    empty_epic = RoadmapItemFactory(
        roadmap=roadmap, title="Empty epic", lane=Lane.NOW, epics=[EpicFactory(product=product)]
    )

    # when
    signals = confidence_signals([bare, empty_epic], today=TODAY)

    # then
    expected = [("no_stories", "It is in Now but no stories are linked to it yet.", 1)]
    assert reasons(signals[bare.pk]) == expected
    assert reasons(signals[empty_epic.pk]) == expected


@pytest.mark.parametrize("lane", [Lane.NEXT, Lane.LATER])
def test_an_item_without_stories_outside_now_has_no_reason(roadmap, lane):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, lane=lane)

    # then
    assert reasons(signal_of(item)) == []


# --- Dependencies --------------------------------------------------------------------------------


def test_an_open_dependency_fires(roadmap, tech_roadmap):
    # given
    vault = RoadmapItemFactory(roadmap=tech_roadmap, title="Token vault")
    checkout = RoadmapItemFactory(roadmap=roadmap, title="Checkout")
    dependency_add(blocker=vault, blocked=checkout)

    # when
    signals = confidence_signals([vault, checkout], today=TODAY)

    # then
    assert reasons(signals[checkout.pk]) == [("dependency_open", "Depends on “Token vault”, not done yet.", 1)]
    assert reasons(signals[vault.pk]) == []


def test_a_dependency_on_a_done_item_does_not_fire(roadmap, tech_roadmap, editor):
    # given
    vault = RoadmapItemFactory(roadmap=tech_roadmap, title="Token vault", end_date=MAR_15)
    checkout = RoadmapItemFactory(roadmap=roadmap, title="Checkout", start_date=MAR_1)
    dependency_add(blocker=vault, blocked=checkout)

    # when
    roadmap_item_update(item=vault, actor=editor, status=RoadmapItem.Status.DONE)

    # then
    assert reasons(signal_of(checkout)) == []


def test_a_blocker_ending_after_the_item_starts_is_late_and_weighs_2(roadmap, tech_roadmap):
    # given
    vault = RoadmapItemFactory(roadmap=tech_roadmap, title="Token vault", end_date=MAR_15)
    checkout = RoadmapItemFactory(roadmap=roadmap, title="Checkout", start_date=MAR_1)
    dependency_add(blocker=vault, blocked=checkout)

    # when
    signal = signal_of(checkout)

    # then
    assert reasons(signal) == [
        (
            "dependency_late",
            "Depends on “Token vault”, planned to end 15 Mar 2026, after this starts (01 Mar 2026).",
            2,
        )
    ]
    assert signal.level == Confidence.AT_RISK


def test_a_blocker_ending_the_day_the_item_starts_is_open_not_late(roadmap, tech_roadmap):
    # given
    vault = RoadmapItemFactory(roadmap=tech_roadmap, title="Token vault", end_date=MAR_1)
    checkout = RoadmapItemFactory(roadmap=roadmap, title="Checkout", start_date=MAR_1)
    dependency_add(blocker=vault, blocked=checkout)

    # then
    assert reasons(signal_of(checkout)) == [("dependency_open", "Depends on “Token vault”, not done yet.", 1)]


# --- PRDs and decisions --------------------------------------------------------------------------


def test_an_unsigned_prd_linked_to_the_item_fires(roadmap, product, editor, viewer):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Checkout")
    draft = PRDFactory(product=product, actor=editor, title="Checkout v2", roadmap_items=[item])
    in_review = PRDFactory(product=product, actor=editor, title="Refunds", roadmap_items=[item])
    signoff_request(document=in_review, actor=editor, approver=viewer, role="leadership")
    PRDFactory(product=product, actor=editor, title="Unlinked")

    # when
    signal = signal_of(item)

    # then
    assert draft.status == "draft"
    assert reasons(signal) == [
        ("prd_unsigned", "PRD “Checkout v2” is not signed off (draft).", 1),
        ("prd_unsigned", "PRD “Refunds” is not signed off (in review).", 1),
    ]


def test_an_approved_prd_does_not_fire_even_beside_an_unsigned_one(roadmap, tech_roadmap, product, editor, viewer):
    # given
    only_approved = RoadmapItemFactory(roadmap=roadmap, title="Only approved")
    mixed = RoadmapItemFactory(roadmap=tech_roadmap, title="Mixed")
    approved = PRDFactory(product=product, actor=editor, title="Checkout v2", roadmap_items=[only_approved, mixed])
    approve(approved, requester=editor, approver=viewer)
    PRDFactory(product=product, actor=editor, title="Refunds", roadmap_items=[mixed])

    # when
    signals = confidence_signals([only_approved, mixed], today=TODAY)

    # then
    assert approved.status == "approved"
    assert reasons(signals[only_approved.pk]) == []
    assert reasons(signals[mixed.pk]) == [("prd_unsigned", "PRD “Refunds” is not signed off (draft).", 1)]


def test_an_open_decision_linked_to_the_item_fires(roadmap, product, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Checkout")
    DecisionRecordFactory(product=product, actor=editor, title="Queue for payment events", roadmap_items=[item])
    DecisionRecordFactory(product=product, actor=editor, title="Card vault vendor", roadmap_items=[item])
    DecisionRecordFactory(product=product, actor=editor, title="Unlinked")

    # when
    signal = signal_of(item)

    # then
    assert reasons(signal) == [
        ("decision_open", "Decision ADR-1 “Queue for payment events” is still open.", 1),
        ("decision_open", "Decision ADR-2 “Card vault vendor” is still open.", 1),
    ]


def test_a_decision_in_review_is_open_and_an_accepted_one_is_not(roadmap, product, editor, viewer):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Checkout")
    accepted = DecisionRecordFactory(product=product, actor=editor, title="Queue", roadmap_items=[item])
    approve(accepted, requester=editor, approver=viewer)
    in_review = DecisionRecordFactory(product=product, actor=editor, title="Vendor", roadmap_items=[item])
    decision_choose_option(record=in_review, actor=editor, option=in_review.options.first())
    signoff_request(document=in_review, actor=editor, approver=viewer, role="leadership")

    # when
    signal = signal_of(item)

    # then
    assert accepted.status == "accepted"
    assert reasons(signal) == [("decision_open", "Decision ADR-2 “Vendor” is still open.", 1)]


# --- Dates ---------------------------------------------------------------------------------------


def test_an_end_date_in_the_past_fires_overdue_with_weight_2(roadmap):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, start_date=MAR_1, end_date=MAR_31)

    # when
    signal = signal_of(item, today=datetime.date(2026, 4, 1))

    # then
    assert reasons(signal) == [("overdue", "The end date (31 Mar 2026) has passed and it is not done.", 2)]
    assert signal.level == Confidence.AT_RISK


def test_an_item_ending_today_is_not_overdue(roadmap):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, start_date=MAR_1, end_date=MAR_31)

    # then
    assert reasons(signal_of(item, today=MAR_31)) == []


def test_overdue_with_an_open_dependency_is_off_track(roadmap, tech_roadmap):
    # given
    vault = RoadmapItemFactory(roadmap=tech_roadmap, title="Token vault")
    checkout = RoadmapItemFactory(roadmap=roadmap, title="Checkout", end_date=MAR_1)
    dependency_add(blocker=vault, blocked=checkout)

    # when
    signal = signal_of(checkout, today=MAR_15)

    # then
    assert [r.code for r in signal.reasons] == ["dependency_open", "overdue"]
    assert (signal.score, signal.level, signal.label) == (3, Confidence.OFF_TRACK, "Off track")


# --- Done items ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "codes"),
    [
        (
            RoadmapItem.Status.IN_PROGRESS,
            ["low_estimates", "dependency_late", "prd_unsigned", "decision_open", "overdue"],
        ),
        (RoadmapItem.Status.DONE, []),
    ],
)
def test_a_done_item_has_no_reasons_whatever_the_evidence(roadmap, tech_roadmap, product, editor, status, codes):
    # given
    vault = RoadmapItemFactory(roadmap=tech_roadmap, title="Token vault", end_date=MAR_31)
    item = RoadmapItemFactory(
        roadmap=roadmap,
        title="Checkout",
        lane=Lane.NOW,
        start_date=MAR_1,
        end_date=MAR_15,
        status=status,
        epics=[estimated_epic(product, estimated=1, unestimated=1)],
    )
    dependency_add(blocker=vault, blocked=item)
    PRDFactory(product=product, actor=editor, title="Checkout v2", roadmap_items=[item])
    DecisionRecordFactory(product=product, actor=editor, title="Queue", roadmap_items=[item])

    # when
    signal = signal_of(item, today=datetime.date(2026, 4, 1))

    # then
    assert [r.code for r in signal.reasons] == codes


# --- Query count ---------------------------------------------------------------------------------


def with_evidence(items, *, product, editor):
    """Give every item a blocker, an unsigned PRD and an open decision."""
    for blocker, blocked in itertools.pairwise(items):
        dependency_add(blocker=blocker, blocked=blocked)
    PRDFactory(product=product, actor=editor, roadmap_items=items)
    DecisionRecordFactory(product=product, actor=editor, roadmap_items=items)
    return items


def test_signals_run_five_queries_for_5_items_and_no_more_for_50(
    roadmap, tech_roadmap, product, editor, django_assert_max_num_queries
):
    # given
    few = with_evidence(items_with_work(roadmap, 5), product=product, editor=editor)
    many = with_evidence(items_with_work(tech_roadmap, 50), product=product, editor=editor)
    measured, few_signals = query_count(connection, confidence_signals, few, today=TODAY)

    # when
    with django_assert_max_num_queries(measured):
        many_signals = confidence_signals(many, today=TODAY)

    # then
    assert measured == 5
    assert [r.code for r in few_signals[few[1].pk].reasons] == [
        "low_estimates",
        "dependency_open",
        "prd_unsigned",
        "decision_open",
    ]
    assert all(len(many_signals[item.pk].reasons) == 4 for item in many[1:])
    assert [r.code for r in many_signals[many[0].pk].reasons] == ["low_estimates", "prd_unsigned", "decision_open"]


def test_signals_reuse_progress_passed_in_and_run_three_queries(roadmap, product, editor):
    # given
    items = items_with_work(roadmap, 5)
    progress = roadmap_item_progress(items)

    # when
    measured, signals = query_count(connection, confidence_signals, items, today=TODAY, progress=progress)

    # then
    assert measured == 3
    assert [r.code for r in signals[items[0].pk].reasons] == ["low_estimates"]
