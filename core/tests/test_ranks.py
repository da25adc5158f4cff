"""Lexicographic ranks: a rank always fits between two others, stays valid and never needs a renumbering."""

import random

import pytest

from core.ranks import DIGITS, initial_ranks, rank_after, rank_before, rank_between


def assert_valid(rank: str) -> None:
    assert rank
    assert not rank.endswith("0")
    assert set(rank) <= set(DIGITS)


def test_first_rank_of_an_empty_list_is_the_middle_digit():
    # given an empty list
    # when
    rank = rank_between(None, None)
    # then
    assert rank == "i"


def test_rank_after_and_before_a_rank():
    # given
    rank = "i"
    # when
    after, before = rank_after(rank), rank_before(rank)
    # then
    assert before < rank < after
    assert (before, after) == ("hzzz", "i001")  # one step of 36² at six digits each way


def test_rank_after_the_last_digit_stays_short():
    # given the highest single-character rank
    # when
    rank = rank_after("z")
    # then
    assert rank == "z001"
    assert rank > "z"


def test_rank_after_the_very_end_grows_a_character():
    assert rank_after("zzzzzz") == "zzzzzzi"


def test_rank_between_adjacent_ranks_goes_one_level_deeper():
    # given two ranks with no single-character rank between them
    # when
    rank = rank_between("a", "b")
    # then
    assert rank == "ai"


def test_rank_below_the_lowest_digit_never_ends_in_zero():
    # given the lowest rank a list can start with
    # when
    rank = rank_before("1")
    # then
    assert rank == "0zzz"
    assert rank < "1"
    assert rank_before("000001") == "000000i"  # no room left to count down: one level deeper


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("a", "a1"),
        ("a", "a01"),
        ("a", "a0i"),
        ("az", "b"),
        (None, "001"),
        ("zzzz", None),
        ("1", "2"),
        ("y", "z1"),
    ],
)
def test_rank_between_tight_neighbours_sorts_strictly_between(before, after):
    # given two neighbours with little or no room between them
    # when
    rank = rank_between(before, after)
    # then
    assert_valid(rank)
    assert (before or "") < rank
    if after is not None:
        assert rank < after


def test_many_random_inserts_keep_the_list_sorted_and_unique():
    # given a list that grows by inserts at random places, each computed only from its two neighbours
    rng = random.Random(20261102)
    ranks: list[str] = []
    # when
    for _ in range(2000):
        position = rng.randint(0, len(ranks))
        before = ranks[position - 1] if position > 0 else None
        after = ranks[position] if position < len(ranks) else None
        ranks.insert(position, rank_between(before, after))
    # then the inserted order is the sorted order, with no ties and no invalid rank
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 2000
    for rank in ranks:
        assert_valid(rank)


def test_inserts_always_at_the_top_stay_valid_and_short():
    # given a list where every new item goes first (the worst case for a bottom-heavy scheme)
    ranks = ["i"]
    # when
    for _ in range(300):
        ranks.insert(0, rank_before(ranks[0]))
    # then
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 301
    for rank in ranks:
        assert_valid(rank)
    assert max(len(rank) for rank in ranks) <= 64


def test_inserts_always_into_the_same_gap_stay_sorted():
    # given two neighbours and new items always dropped right after the first one
    low, high = "a", "b"
    ranks = [low, high]
    # when
    for _ in range(200):
        ranks.insert(1, rank_between(ranks[0], ranks[1]))
    # then
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == 202
    for rank in ranks:
        assert_valid(rank)


@pytest.mark.parametrize(("before", "after"), [("b", "a"), ("a", "a"), ("ai", "a")])
def test_rank_between_refuses_neighbours_out_of_order(before, after):
    # given neighbours in the wrong order (or equal)
    # when / then
    with pytest.raises(ValueError, match="out of order"):
        rank_between(before, after)


@pytest.mark.parametrize(("before", "after"), [("a0", None), (None, "b0"), ("A", None), (None, "b-")])
def test_rank_between_refuses_invalid_ranks(before, after):
    # given a rank that ends in 0 or uses a character outside the base-36 digits
    # when / then
    with pytest.raises(ValueError, match=r"ends in 0|invalid rank character"):
        rank_between(before, after)


@pytest.mark.parametrize("count", [1, 2, 35, 36, 100, 1295, 1296, 5000])
def test_initial_ranks_are_sorted_unique_and_valid(count):
    # given a bulk load of `count` items
    # when
    ranks = initial_ranks(count)
    # then
    assert len(ranks) == count
    assert ranks == sorted(ranks)
    assert len(set(ranks)) == count
    for rank in ranks:
        assert_valid(rank)


def test_initial_ranks_leave_room_before_between_and_after():
    # given evenly spread ranks
    ranks = initial_ranks(10)
    # when an item is ranked before the first, between two and after the last
    first = rank_before(ranks[0])
    middle = rank_between(ranks[4], ranks[5])
    last = rank_after(ranks[-1])
    # then
    assert first < ranks[0]
    assert ranks[4] < middle < ranks[5]
    assert ranks[-1] < last


def test_initial_ranks_of_nothing_is_empty():
    # given / when / then
    assert initial_ranks(0) == []


def test_appending_thousands_keeps_ranks_short_and_ordered():
    ranks = [rank_after(None)]
    for _ in range(5_000):
        ranks.append(rank_after(ranks[-1]))
    assert ranks == sorted(ranks) and len(set(ranks)) == len(ranks)
    assert max(len(rank) for rank in ranks) <= 6
    assert not any(rank.endswith("0") for rank in ranks)


def test_prepending_thousands_keeps_ranks_short_and_ordered():
    ranks = [rank_before(None)]
    for _ in range(5_000):
        ranks.append(rank_before(ranks[-1]))
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == len(ranks)
    assert max(len(rank) for rank in ranks) <= 8
    assert not any(rank.endswith("0") for rank in ranks)


def test_appended_neighbours_leave_room_for_moves_between_them():
    first = rank_after("i")
    second = rank_after(first)
    middle = rank_between(first, second)
    assert first < middle < second and len(middle) <= 6
