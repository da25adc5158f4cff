"""roadmap_ranks_rebalance: a roadmap's items get short, even ranks again, in the same order and lanes.

roadmap_item_move calls it only when a new rank would pass 100 characters; a normal move writes one row.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.ranks import initial_ranks, rank_after, rank_between
from roadmap.models import Lane, RoadmapItem
from roadmap.services import roadmap_item_move, roadmap_ranks_rebalance
from roadmap.tests.factories import RoadmapItemFactory
from roadmap.tests.helpers import data_changing


def ranks(roadmap) -> dict[str, str]:
    return dict(RoadmapItem.objects.filter(roadmap=roadmap).values_list("title", "rank"))


def board(roadmap) -> list[tuple[str, str]]:
    return list(RoadmapItem.objects.filter(roadmap=roadmap).order_by("rank").values_list("title", "lane"))


def set_ranks(roadmap, **by_title: str) -> None:
    for title, rank in by_title.items():
        RoadmapItem.objects.filter(roadmap=roadmap, title=title).update(rank=rank)


@pytest.fixture
def items(roadmap) -> dict[str, RoadmapItem]:
    """Now: A, B · Next: C, D (created in that order)."""
    layout = [("A", Lane.NOW), ("B", Lane.NOW), ("C", Lane.NEXT), ("D", Lane.NEXT)]
    return {title: RoadmapItemFactory(roadmap=roadmap, title=title, lane=lane) for title, lane in layout}


def test_rebalance_spreads_the_ranks_evenly_keeping_order_and_lanes(roadmap, items):
    # given uneven ranks, in the order C, A, D, B
    set_ranks(roadmap, C="1", A="1" + "z" * 70 + "1", D="5" + "0" * 90 + "1", B="x")
    # when
    new_ranks = roadmap_ranks_rebalance(roadmap_id=roadmap.pk)
    # then
    assert board(roadmap) == [("C", "next"), ("A", "now"), ("D", "next"), ("B", "now")]
    assert ranks(roadmap) == dict(zip("CADB", initial_ranks(4), strict=True))
    assert new_ranks == {item.pk: ranks(roadmap)[title] for title, item in items.items()}


def test_rebalance_leaves_other_roadmaps_alone(roadmap, tech_roadmap, items):
    # given
    RoadmapItemFactory(roadmap=tech_roadmap, title="Vault")
    set_ranks(tech_roadmap, Vault="k" * 99 + "1")
    # when
    roadmap_ranks_rebalance(roadmap_id=roadmap.pk)
    # then
    assert ranks(tech_roadmap) == {"Vault": "k" * 99 + "1"}


def test_a_move_whose_rank_would_pass_100_characters_rebalances_first(roadmap, items):
    # given A and B so close that a rank between them takes more than 100 characters
    set_ranks(roadmap, A="h", B="h" + "0" * 99 + "1", C="m", D="t")
    even = initial_ranks(4)
    # when D is dropped into Now, right after A
    moved = roadmap_item_move(item=items["D"], after=items["A"])
    # then the roadmap was rebalanced (A, B, C, D), then D went between A and B
    assert board(roadmap) == [("A", "now"), ("D", "now"), ("B", "now"), ("C", "next")]
    assert ranks(roadmap) == {"A": even[0], "B": even[1], "C": even[2], "D": rank_between(even[0], even[1])}
    assert (moved.rank, moved.lane) == (rank_between(even[0], even[1]), "now")


def test_a_move_to_the_bottom_of_a_lane_after_a_rebalance_uses_the_new_ranks(roadmap, items):
    # given a roadmap whose last rank is so long that the next one would pass 100 characters
    set_ranks(roadmap, A="1", B="2", C="3", D="z" * 101)
    even = initial_ranks(4)
    # when A is dropped into Later without a neighbour: it goes to the bottom
    moved = roadmap_item_move(item=items["A"], lane=Lane.LATER)
    # then
    assert board(roadmap) == [("B", "now"), ("C", "next"), ("D", "next"), ("A", "later")]
    assert moved.rank == ranks(roadmap)["A"] == rank_after(even[3])
    assert (ranks(roadmap)["B"], ranks(roadmap)["C"], ranks(roadmap)["D"]) == (even[1], even[2], even[3])


def test_the_last_item_kept_at_the_bottom_takes_its_rebalanced_rank(roadmap, items):
    # given D, last, with a rank longer than 100 characters
    set_ranks(roadmap, D="z" * 101)
    items["D"].refresh_from_db()
    # when D is dropped at the bottom of its own lane again
    moved = roadmap_item_move(item=items["D"], lane=Lane.NEXT)
    # then the roadmap was rebalanced and D keeps its new, short rank at the bottom
    assert ranks(roadmap) == dict(zip("ABCD", initial_ranks(4), strict=True))
    assert moved.rank == initial_ranks(4)[3]


def test_a_normal_move_still_writes_one_row(roadmap, items):
    # given
    before = ranks(roadmap)
    # when
    with CaptureQueriesContext(connection) as context:
        roadmap_item_move(item=items["D"], after=items["A"])
    # then
    assert len(data_changing(context)) == 1
    after = ranks(roadmap)
    assert {title for title in after if after[title] != before[title]} == {"D"}
