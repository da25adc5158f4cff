"""Many people ranking the same list at once: afterwards a total order, and every move that succeeded shows.

Eight threads, each with its own database connection, move random stories of one feature after or before
random siblings through `item_move` for six rounds of half a second, on committed data (`transaction=True`),
while the stories of another feature sit interleaved with them in the product's rank order; the list is
read and checked after every round. The checks are those of the HTTP load test (bench/load.py,
`check_moves`, whose docstring states the exact rule): the list keeps the same stories once each in one
order of unique ranks, and every move that returned is still visible in the order read after its round
unless a move that may have committed after it moved one of its two stories (for the order) or moved a
story next to one of them (for adjacency). The rule itself is tested at the end on histories written by
hand.
"""

import random
import threading
import time

import pytest
from django.db import connection

from backlog.models import Story
from backlog.services import item_move
from backlog.services import ranks as rank_moves
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from bench.load import Move, MoveCheck, check_moves
from core.errors import ApplicationError

THREADS = 8
ROUNDS = 6
SECONDS_PER_ROUND = 0.5


@pytest.fixture
def lists(product):
    """Feature A with 24 stories and feature B with 8, created interleaved (B's stories sit between A's)."""
    epic = EpicFactory(product=product)
    a, b = FeatureFactory(epic=epic, title="A"), FeatureFactory(epic=epic, title="B")
    for n in range(32):
        StoryFactory(feature=b if n % 4 == 3 else a, title=f"{'B' if n % 4 == 3 else 'A'}{n}")
    return a, b


def order_of(feature) -> list[int]:
    return list(Story.objects.filter(feature=feature).order_by("rank").values_list("pk", flat=True))


def contend(story_ids: list[int], *, seed: int, clock_zero: float, deadline: float) -> list[Move]:
    """Random moves within the list until the deadline, each recorded as the bench records them."""
    rng = random.Random(seed)
    moves = []
    try:
        while time.perf_counter() < deadline:
            item_id, anchor_id = rng.sample(story_ids, 2)
            place = rng.choice(("after", "before"))
            sent = time.perf_counter() - clock_zero
            item, anchor = Story.objects.get(pk=item_id), Story.objects.get(pk=anchor_id)
            try:
                item_move(item=item, **{place: anchor})
                outcome = "moved"
            except ApplicationError:  # "the list kept changing": refused in words, nothing written
                outcome = "refused"
            moves.append(Move(item_id, anchor_id, place, sent, time.perf_counter() - clock_zero, outcome, user=seed))
    finally:
        connection.close()
    return moves


def run_round(story_ids: list[int], number: int) -> tuple[list[Move], list[BaseException]]:
    """THREADS people moving stories of the list at once for SECONDS_PER_ROUND; returns when all have their answer."""
    results: list[list[Move]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []
    clock_zero = time.perf_counter()
    deadline = clock_zero + SECONDS_PER_ROUND

    def work(index: int) -> None:
        try:
            results[index] = contend(story_ids, seed=number * 100 + index, clock_zero=clock_zero, deadline=deadline)
        except BaseException as exc:  # the test asserts on what escaped
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS_PER_ROUND + 60)
    assert not any(thread.is_alive() for thread in threads)
    return [move for moves in results for move in moves], errors


def contend_in_rounds(product, feature) -> tuple[list[Move], MoveCheck]:
    """ROUNDS rounds; after each the list is read and that round's moves checked against it (bench/load.py
    does the same: a final order only vouches for the moves nothing overtook, so more reads check more)."""
    story_ids = order_of(feature)
    order, moves, check = story_ids, [], MoveCheck()
    for number in range(ROUNDS):
        round_moves, errors = run_round(story_ids, number)
        assert errors == []
        assert_total_order(product, feature, set(story_ids))
        final = order_of(feature)
        check.add(check_moves(order, final, round_moves))
        moves += round_moves
        order = final
    return moves, check


def assert_total_order(product, feature, expected_ids: set[int]) -> None:
    ranks = list(Story.objects.filter(feature=feature).order_by("rank").values_list("rank", flat=True))
    assert len(ranks) == len(expected_ids)
    assert len(set(ranks)) == len(ranks)
    assert ranks == sorted(ranks)  # Python's order is the "C" collation's for these ASCII ranks
    product_ranks = list(Story.objects.filter(product=product).values_list("rank", flat=True))
    assert len(set(product_ranks)) == len(product_ranks)
    assert set(order_of(feature)) == expected_ids


@pytest.mark.django_db(transaction=True)
def test_eight_people_ranking_one_list_leave_a_total_order_with_every_success_shown(product, lists):
    # given
    a, b = lists
    other_before = list(Story.objects.filter(feature=b).order_by("rank").values("pk", "rank"))
    # when
    moves, check = contend_in_rounds(product, a)
    # then nothing but refusals in words escaped (asserted per round), most moves landed, and every
    # success the order read after its round can show is shown
    assert sum(m.outcome == "moved" for m in moves) > ROUNDS * THREADS
    assert check.violations == []
    assert check.ok
    assert check.order_checked >= ROUNDS
    # and the other list was not touched: same stories, same ranks (a move writes its item's rank only)
    assert list(Story.objects.filter(feature=b).order_by("rank").values("pk", "rank")) == other_before


@pytest.mark.django_db(transaction=True)
def test_ranking_one_list_while_ranks_are_rebalanced_keeps_every_success(product, lists, monkeypatch):
    # given ranks that "grow too long" after a few drops, so that moves rebalance the product's stories
    # (every rank rewritten, in order) while other moves run
    a, b = lists
    longest = max(len(rank) for rank in Story.objects.filter(product=product).values_list("rank", flat=True))
    monkeypatch.setattr(rank_moves, "REBALANCE_AT", longest + 1)
    rebalances = []
    rebalance = rank_moves.ranks_rebalance

    def counting_rebalance(**kwargs):
        rebalances.append(kwargs["product_id"])
        return rebalance(**kwargs)

    monkeypatch.setattr(rank_moves, "ranks_rebalance", counting_rebalance)
    other_before = order_of(b)
    # when
    moves, check = contend_in_rounds(product, a)
    # then
    assert rebalances
    assert sum(m.outcome == "moved" for m in moves) > ROUNDS * THREADS
    assert check.violations == []
    assert check.ok
    assert check.order_checked >= ROUNDS
    assert order_of(b) == other_before


# --- The rule, on histories written by hand ----------------------------------------------------------


def moved(item: int, place: str, anchor: int, sent: float, received: float) -> Move:
    return Move(item, anchor, place, sent, received, "moved")


def test_a_success_the_final_order_contradicts_is_a_violation():
    # given 3 after 1 answered 200 and nothing else happened, but 3 ended up first
    moves = [moved(3, "after", 1, 0.0, 0.1)]
    # when
    check = check_moves([1, 2, 3], [3, 1, 2], moves)
    # then
    assert (check.order_checked, len(check.violations)) == (1, 1)
    assert "move 3 after 1" in check.violations[0]
    assert not check.ok


def test_a_success_that_lost_its_place_next_to_the_anchor_is_a_violation():
    # given 3 before 1 answered 200 and nothing was moved next to 1 or 3 since, but 2 sits between them
    check = check_moves([1, 2, 3], [3, 2, 1], [moved(3, "before", 1, 0.0, 0.1)])
    # then the order holds, the adjacency does not
    assert (check.order_checked, check.adjacency_checked, len(check.violations)) == (1, 1, 1)


def test_a_move_overtaken_by_a_later_move_of_its_story_is_not_held_against_the_order():
    # given 3 after 1, then (sent after the first was answered) 3 before 1
    moves = [moved(3, "after", 1, 0.0, 0.1), moved(3, "before", 1, 0.15, 0.2)]
    # when
    check = check_moves([1, 2, 3], [3, 1, 2], moves)
    # then only the later move is checked, and it holds
    assert (check.order_checked, check.adjacency_checked, check.violations) == (1, 1, [])


def test_overlapping_moves_of_the_same_story_are_both_left_unchecked():
    # given two moves of 3 whose requests overlapped: either may have committed last
    moves = [moved(3, "after", 1, 0.0, 0.3), moved(3, "before", 1, 0.1, 0.2)]
    # when
    check = check_moves([1, 2, 3], [3, 1, 2], moves)
    # then
    assert (check.order_checked, check.violations) == (0, [])


def test_a_story_moved_next_to_the_pair_leaves_the_order_checked_but_not_the_adjacency():
    # given 3 after 1, then 2 after 1 (anchored on 1): 1, 2, 3 is right
    moves = [moved(3, "after", 1, 0.0, 0.1), moved(2, "after", 1, 0.2, 0.3)]
    # when
    check = check_moves([1, 2, 3], [1, 2, 3], moves)
    # then
    assert (check.order_checked, check.adjacency_checked, check.violations) == (2, 1, [])


def test_refused_moves_are_ignored_and_unanswered_ones_may_have_landed_any_time():
    # given 3 after 1 answered 200; a refused move of 3 later; an unanswered move of 1 that began earlier
    moves = [
        moved(3, "after", 1, 0.5, 0.6),
        Move(3, 2, "before", 0.7, 0.8, "refused"),
        Move(1, 3, "after", 0.0, float("inf"), "error"),
    ]
    # when
    check = check_moves([1, 2, 3], [2, 3, 1], moves)
    # then the unanswered move may have come last: nothing is held against the final order
    assert (check.order_checked, check.violations) == (0, [])


def test_a_list_that_lost_or_doubled_a_story_is_not_a_total_order():
    # when
    check = check_moves([1, 2, 3], [1, 1, 2, 4], [])
    # then
    assert (check.missing, check.extra, check.duplicates) == ([3], [4], [1])
    assert not check.ok
