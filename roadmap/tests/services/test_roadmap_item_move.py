"""Moving a roadmap item between lanes and next to another item writes that one row, once."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ApplicationError
from roadmap.models import Lane, RoadmapItem
from roadmap.services import roadmap_item_move
from roadmap.tests.factories import RoadmapItemFactory
from roadmap.tests.helpers import data_changing


def lanes(roadmap) -> dict[str, list[str]]:
    """Titles per lane, in rank order, as the board shows them."""
    board: dict[str, list[str]] = {lane: [] for lane in Lane.values}
    for title, lane in RoadmapItem.objects.filter(roadmap=roadmap).order_by("rank").values_list("title", "lane"):
        board[lane].append(title)
    return board


@pytest.fixture
def board(roadmap) -> dict[str, RoadmapItem]:
    """Now: A, B · Next: C, D · Later: E (created in that order)."""
    layout = [("A", Lane.NOW), ("B", Lane.NOW), ("C", Lane.NEXT), ("D", Lane.NEXT), ("E", Lane.LATER)]
    return {title: RoadmapItemFactory(roadmap=roadmap, title=title, lane=lane) for title, lane in layout}


def test_the_board_starts_in_creation_order(roadmap, board):
    assert lanes(roadmap) == {"now": ["A", "B"], "next": ["C", "D"], "later": ["E"]}


def test_moving_to_another_lane_puts_the_item_at_its_bottom_with_one_update(roadmap, board):
    # when
    with CaptureQueriesContext(connection) as queries:
        moved = roadmap_item_move(item=board["A"], lane=Lane.NEXT)

    # then
    writes = data_changing(queries)
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "roadmap_roadmapitem"')
    assert moved.lane == Lane.NEXT
    assert lanes(roadmap) == {"now": ["B"], "next": ["C", "D", "A"], "later": ["E"]}


def test_moving_before_an_item_of_another_lane_takes_its_lane_and_place_with_one_update(roadmap, board):
    # when
    with CaptureQueriesContext(connection) as queries:
        roadmap_item_move(item=board["E"], before=board["D"])

    # then
    assert len(data_changing(queries)) == 1
    assert lanes(roadmap) == {"now": ["A", "B"], "next": ["C", "E", "D"], "later": []}


def test_moving_after_an_item_with_its_lane_named_places_it_right_after_with_one_update(roadmap, board):
    # when
    with CaptureQueriesContext(connection) as queries:
        roadmap_item_move(item=board["D"], lane=Lane.NOW, after=board["A"])

    # then
    assert len(data_changing(queries)) == 1
    assert lanes(roadmap) == {"now": ["A", "D", "B"], "next": ["C"], "later": ["E"]}


def test_moving_before_the_first_item_of_a_lane_makes_it_first(roadmap, board):
    # when
    roadmap_item_move(item=board["B"], before=board["A"])

    # then
    assert lanes(roadmap) == {"now": ["B", "A"], "next": ["C", "D"], "later": ["E"]}


def test_moving_writes_no_other_row(roadmap, board):
    # given
    before = dict(RoadmapItem.objects.exclude(pk=board["C"].pk).values_list("pk", "rank"))

    # when
    roadmap_item_move(item=board["C"], before=board["A"])

    # then
    assert dict(RoadmapItem.objects.exclude(pk=board["C"].pk).values_list("pk", "rank")) == before


def test_repeated_moves_into_the_same_gap_keep_ranks_apart(roadmap, board):
    # when
    for _ in range(20):
        roadmap_item_move(item=board["E"], after=board["A"])
        roadmap_item_move(item=board["D"], after=board["A"])

    # then
    assert lanes(roadmap) == {"now": ["A", "D", "E", "B"], "next": ["C"], "later": []}


def test_moving_an_item_next_to_itself_changes_nothing_and_writes_nothing(roadmap, board):
    # when
    with CaptureQueriesContext(connection) as queries:
        roadmap_item_move(item=board["A"], before=board["A"])

    # then
    assert data_changing(queries) == []
    assert lanes(roadmap) == {"now": ["A", "B"], "next": ["C", "D"], "later": ["E"]}


def test_moving_next_to_an_item_of_another_lane_than_the_one_named_is_refused(roadmap, board):
    # when
    with pytest.raises(ApplicationError) as error:
        roadmap_item_move(item=board["A"], lane=Lane.LATER, before=board["C"])

    # then
    assert (error.value.field, error.value.message) == (
        "before",
        "Place the item next to an item of the lane it moves to.",
    )
    assert lanes(roadmap) == {"now": ["A", "B"], "next": ["C", "D"], "later": ["E"]}


def test_moving_next_to_an_item_of_another_roadmap_is_refused(roadmap, tech_roadmap, board):
    # given
    elsewhere = RoadmapItemFactory(roadmap=tech_roadmap, title="Elsewhere", lane=Lane.NOW)

    # when
    with pytest.raises(ApplicationError) as error:
        roadmap_item_move(item=board["A"], after=elsewhere)

    # then
    assert (error.value.field, error.value.message) == ("after", "Items can only be ranked within their roadmap.")
    assert lanes(roadmap) == {"now": ["A", "B"], "next": ["C", "D"], "later": ["E"]}


def test_moving_both_before_and_after_is_refused(roadmap, board):
    # when
    with pytest.raises(ApplicationError) as error:
        roadmap_item_move(item=board["E"], before=board["B"], after=board["A"])

    # then
    assert error.value.field == "before"
    assert lanes(roadmap) == {"now": ["A", "B"], "next": ["C", "D"], "later": ["E"]}


def test_moving_to_an_unknown_lane_is_refused(roadmap, board):
    # when
    with pytest.raises(ValidationError) as error:
        roadmap_item_move(item=board["A"], lane="someday")

    # then
    assert error.value.message_dict == {"lane": ["Choose one of now, next, later."]}
    assert lanes(roadmap) == {"now": ["A", "B"], "next": ["C", "D"], "later": ["E"]}
