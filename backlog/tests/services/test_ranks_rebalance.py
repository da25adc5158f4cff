"""ranks_rebalance: one product's items of one kind get short, even ranks again, in the same order.

item_move calls it only when a new rank would pass 100 characters; a normal move still writes one row.
"""

import re
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backlog.models import Epic, Sprint, Story
from backlog.services import item_move, ranks_rebalance
from backlog.services import items as item_services
from backlog.tests.factories import EpicFactory, StoryFactory
from core.ranks import initial_ranks, rank_between

WRITE = re.compile(r"^\s*(UPDATE|INSERT|DELETE)\b", re.IGNORECASE)


def titles(product) -> list[str]:
    return list(Story.objects.filter(product=product).order_by("rank").values_list("title", flat=True))


def ranks(product) -> dict[str, str]:
    return dict(Story.objects.filter(product=product).values_list("title", "rank"))


def set_ranks(**by_title: str) -> None:
    for title, rank in by_title.items():
        Story.objects.filter(title=title).update(rank=rank)


@pytest.fixture
def stories(product):
    """Four stories a, b, c, d in that order."""
    return [StoryFactory(product=product, title=title) for title in "abcd"]


def test_rebalance_spreads_the_ranks_evenly_in_the_same_order(product, stories):
    # given uneven ranks, some long, in the order d, a, c, b
    set_ranks(d="2", a="2" + "z" * 60 + "1", c="k" + "0" * 80 + "5", b="w")
    # when
    new_ranks = ranks_rebalance(product_id=product.pk, model=Story)
    # then
    assert titles(product) == ["d", "a", "c", "b"]
    assert ranks(product) == dict(zip("dacb", initial_ranks(4), strict=True))
    assert new_ranks == {story.pk: ranks(product)[story.title] for story in stories}


def test_rebalance_touches_only_that_products_items_of_that_kind(product, other_product, stories):
    # given the product's epics and another product's stories
    EpicFactory(product=product)
    StoryFactory(product=other_product, title="theirs")
    set_ranks(theirs="y" * 90 + "1")
    epics_before = dict(Epic.objects.values_list("pk", "rank"))
    theirs_before = dict(Story.objects.filter(product=other_product).values_list("pk", "rank"))
    # when
    ranks_rebalance(product_id=product.pk, model=Story)
    # then
    assert dict(Epic.objects.values_list("pk", "rank")) == epics_before
    assert dict(Story.objects.filter(product=other_product).values_list("pk", "rank")) == theirs_before


def test_rebalance_writes_ranks_only_no_history_no_timestamps(product, stories):
    # given
    stamps_before = dict(Story.objects.values_list("pk", "updated_at"))
    history_before = Story.history.count()
    # when
    with CaptureQueriesContext(connection) as captured:
        ranks_rebalance(product_id=product.pk, model=Story)
    # then two UPDATE statements (placeholders, then the ranks), nothing else written
    writes = [query["sql"] for query in captured.captured_queries if WRITE.match(query["sql"])]
    assert len(writes) == 2
    assert all(sql.startswith('UPDATE "backlog_story" SET "rank" = (CASE WHEN') for sql in writes)
    assert dict(Story.objects.values_list("pk", "updated_at")) == stamps_before
    assert Story.history.count() == history_before


def test_rebalancing_a_product_without_items_changes_nothing(product):
    # given / when / then
    assert ranks_rebalance(product_id=product.pk, model=Epic) == {}


def test_only_backlog_items_can_be_rebalanced(product):
    # given / when / then
    with pytest.raises(TypeError) as excinfo:
        ranks_rebalance(product_id=product.pk, model=Sprint)
    assert str(excinfo.value) == "Sprint has no product-wide rank; use one of the backlog item models."


def test_a_move_whose_rank_would_pass_100_characters_rebalances_first(product, stories):
    # given a and b so close that a rank between them takes more than 100 characters
    set_ranks(a="h", b="h" + "0" * 99 + "1", c="m", d="t")
    assert len(rank_between("h", "h" + "0" * 99 + "1")) == 102
    even = initial_ranks(4)
    # when
    item_move(item=stories[3], after=stories[0])
    # then the list was rebalanced (a, b, c, d), then d went between a and b
    assert titles(product) == ["a", "d", "b", "c"]
    assert ranks(product) == {"a": even[0], "b": even[1], "c": even[2], "d": rank_between(even[0], even[1])}
    assert stories[3].rank == rank_between(even[0], even[1])


def test_a_move_whose_rank_is_100_characters_writes_one_row(product, stories):
    # given a and b whose rank in between is exactly 100 characters long
    set_ranks(a="h", b="h" + "0" * 98 + "2", c="m", d="t")
    before = ranks(product)
    # when
    with CaptureQueriesContext(connection) as captured:
        item_move(item=stories[3], after=stories[0])
    # then
    writes = [query["sql"] for query in captured.captured_queries if WRITE.match(query["sql"])]
    assert len(writes) == 1
    after = ranks(product)
    assert {title for title in after if after[title] != before[title]} == {"d"}
    assert len(after["d"]) == 100
    assert titles(product) == ["a", "d", "b", "c"]


def test_hundreds_of_drops_into_the_same_gap_keep_ranks_short(product, stories):
    # given
    a, _, c, d = stories
    # when c and d are dropped right after a, turn by turn, 300 times each
    for _ in range(300):
        item_move(item=c, after=a)
        item_move(item=d, after=a)
    # then the order is right and no rank ever grew past 100 characters
    assert titles(product) == ["a", "d", "c", "b"]
    assert max(len(rank) for rank in ranks(product).values()) <= 100


@pytest.mark.django_db(transaction=True)
def test_a_rebalance_waits_for_an_item_being_created_and_ranks_it_too(product, stories, monkeypatch):
    # given someone creating story e, holding the product row (its number) until told to commit
    numbered, release = threading.Event(), threading.Event()
    next_numbers = item_services.workspace_services.product_next_numbers

    def next_numbers_then_wait(**kwargs):
        numbers = next_numbers(**kwargs)
        numbered.set()
        release.wait(timeout=10)
        return numbers

    monkeypatch.setattr(item_services.workspace_services, "product_next_numbers", next_numbers_then_wait)
    errors = []

    def run(work):
        try:
            work()
        except Exception as exc:  # the test asserts on what escaped
            errors.append(exc)
        finally:
            connection.close()

    creator = threading.Thread(target=run, args=(lambda: StoryFactory(product=product, title="e"),))
    rebalancer = threading.Thread(target=run, args=(lambda: ranks_rebalance(product_id=product.pk, model=Story),))
    creator.start()
    assert numbered.wait(timeout=10)
    # when the rebalance starts while e is being created
    rebalancer.start()
    wait_until_a_backend_waits_for_a_lock()
    release.set()
    creator.join(timeout=30)
    rebalancer.join(timeout=30)
    # then the rebalance waited for e and spread all five stories
    assert errors == []
    assert titles(product) == ["a", "b", "c", "d", "e"]
    assert ranks(product) == dict(zip("abcde", initial_ranks(5), strict=True))


def wait_until_a_backend_waits_for_a_lock() -> None:
    """Poll PostgreSQL until another session of this database waits for a lock (at most 10 s).

    Each query in its own transaction (autocommit): pg_stat_activity is a snapshot per transaction.
    """
    with connection.cursor() as cursor:
        for _ in range(200):
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.05)
    raise AssertionError("the rebalance never waited for the product lock")
