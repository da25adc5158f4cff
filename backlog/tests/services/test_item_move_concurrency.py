"""Two people dragging at once: both moves land and the list keeps a total order.

Each test runs two threads, each with its own database connection, on committed data
(`transaction=True`). A barrier inside the move holds both threads at the point the race is about;
when the code under test serialises the threads instead, the barrier times out and they go on one
after the other.
"""

import contextlib
import threading

import pytest
from django.db import connection

from backlog.models import Story
from backlog.services import item_move
from backlog.services import ranks as rank_moves
from backlog.tests.factories import StoryFactory

BARRIER_TIMEOUT = 1


def run_in_threads(*moves):
    """Run each `move()` in its own thread with its own connection; return the exceptions raised."""
    errors = []

    def work(move):
        try:
            move()
        except Exception as exc:  # the test asserts on what escaped
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(move,)) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.fixture
def meet_after_ranking(monkeypatch):
    """Hold each thread's first rank computation until the other thread has computed its own."""
    barrier = threading.Barrier(2)
    seen = threading.local()
    calls = []
    compute = rank_moves._rank_next_to

    def rank_next_to(*args, **kwargs):
        rank = compute(*args, **kwargs)
        calls.append(rank)
        if not getattr(seen, "waited", False):
            seen.waited = True
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=BARRIER_TIMEOUT)
        return rank

    monkeypatch.setattr(rank_moves, "_rank_next_to", rank_next_to)
    return calls


def assert_total_order(product, expected_count):
    ranks = list(Story.objects.filter(product=product).values_list("rank", flat=True))
    assert len(ranks) == expected_count
    assert len(set(ranks)) == expected_count
    assert ranks == sorted(ranks)


@pytest.mark.django_db(transaction=True)
def test_two_moves_into_the_same_gap_both_land(product, meet_after_ranking):
    # given p, q and two stories x, y that two people drop between p and q at the same moment,
    # one "after p", the other "before q": both compute the same rank
    p, q, x, y = (StoryFactory(product=product, title=title) for title in "pqxy")
    # when
    errors = run_in_threads(lambda: item_move(item=x, after=p), lambda: item_move(item=y, before=q))
    # then no error escaped, the loser recomputed once, and both sit between p and q
    assert errors == []
    assert meet_after_ranking[0] == meet_after_ranking[1]
    assert len(meet_after_ranking) == 3
    order = list(Story.objects.filter(product=product).values_list("title", flat=True))
    assert order[0] == "p"
    assert order[3] == "q"
    assert set(order[1:3]) == {"x", "y"}
    assert_total_order(product, 4)


@pytest.mark.django_db(transaction=True)
def test_two_moves_after_the_same_item_both_land(product):
    # given two people dropping different stories right after the same one, with no barrier
    p, _, x, y = (StoryFactory(product=product, title=title) for title in "pqxy")
    # when
    errors = run_in_threads(lambda: item_move(item=x, after=p), lambda: item_move(item=y, after=p))
    # then
    assert errors == []
    order = list(Story.objects.filter(product=product).values_list("title", flat=True))
    assert (order[0], order[3]) == ("p", "q")
    assert set(order[1:3]) == {"x", "y"}
    assert_total_order(product, 4)


@pytest.mark.django_db(transaction=True)
def test_two_crossing_moves_do_not_deadlock(product, meet_after_ranking):
    # given one person drags x after y while another drags y after x
    _, x, y, _ = (StoryFactory(product=product, title=title) for title in "axyb")
    # when
    errors = run_in_threads(lambda: item_move(item=x, after=y), lambda: item_move(item=y, after=x))
    # then both moves land, one after the other, whichever came first
    assert errors == []
    order = list(Story.objects.filter(product=product).values_list("title", flat=True))
    assert (order[0], order[3]) == ("a", "b")
    assert set(order[1:3]) == {"x", "y"}
    assert_total_order(product, 4)
