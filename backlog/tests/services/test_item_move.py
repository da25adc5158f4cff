"""item_move: a drag rewrites one row's rank, never renumbers the list, and stays inside one product."""

import random
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backlog.models import Epic, Story
from backlog.services import item_move
from backlog.tests.factories import EpicFactory, StoryFactory
from core.errors import ApplicationError

WRITE = re.compile(r"^\s*(UPDATE|INSERT|DELETE)\b", re.IGNORECASE)


def order(product) -> list[int]:
    return list(Story.objects.filter(product=product).values_list("pk", flat=True))


@pytest.fixture
def stories(product):
    """Four stories a, b, c, d in that order."""
    return [StoryFactory(product=product, title=title) for title in "abcd"]


def test_a_move_writes_exactly_one_row(product, stories):
    # given
    _, b, _, d = stories
    rows_before = dict(Story.objects.values_list("pk", "rank"))
    stamps_before = dict(Story.objects.values_list("pk", "updated_at"))
    # when
    with CaptureQueriesContext(connection) as captured:
        item_move(item=d, before=b)
    # then the only data-changing statement is one UPDATE of backlog_story that matched one row
    writes = [query["sql"] for query in captured.captured_queries if WRITE.match(query["sql"])]
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "backlog_story" SET "rank" = ')
    assert writes[0].endswith(f'WHERE "backlog_story"."id" = {d.pk}')
    rows_after = dict(Story.objects.values_list("pk", "rank"))
    assert {pk for pk in rows_after if rows_after[pk] != rows_before[pk]} == {d.pk}
    assert dict(Story.objects.values_list("pk", "updated_at")) == stamps_before
    assert d.rank == rows_after[d.pk]


def test_move_before_an_item(product, stories):
    # given
    a, b, c, d = stories
    # when
    item_move(item=d, before=b)
    # then
    assert order(product) == [a.pk, d.pk, b.pk, c.pk]


def test_move_after_an_item(product, stories):
    # given
    a, b, c, d = stories
    # when
    item_move(item=a, after=c)
    # then
    assert order(product) == [b.pk, c.pk, a.pk, d.pk]


def test_move_to_the_top_and_to_the_bottom(product, stories):
    # given
    a, b, c, d = stories
    # when
    item_move(item=c, before=a)
    item_move(item=b, after=d)
    # then
    assert order(product) == [c.pk, a.pk, d.pk, b.pk]


def test_move_to_where_the_item_already_is_keeps_the_order(product, stories):
    # given
    a, b, c, d = stories
    # when b goes after a, where it already is
    item_move(item=b, after=a)
    # then
    assert order(product) == [a.pk, b.pk, c.pk, d.pk]


def test_moving_next_to_itself_is_a_no_op(product, stories, django_assert_num_queries):
    # given
    a, b, c, d = stories
    rank = Story.objects.get(pk=b.pk).rank
    # when
    with django_assert_num_queries(0):
        moved = item_move(item=b, before=b)
    # then
    assert moved is b
    assert Story.objects.get(pk=b.pk).rank == rank
    assert order(product) == [a.pk, b.pk, c.pk, d.pk]


def test_moving_against_another_products_item_is_refused(product, other_product, stories):
    # given
    a = stories[0]
    foreign = StoryFactory(product=other_product)
    ranks = dict(Story.objects.values_list("pk", "rank"))
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        item_move(item=a, after=foreign)
    assert excinfo.value.field == "after"
    assert excinfo.value.message == "Items can only be ranked against a story of the same product."
    assert dict(Story.objects.values_list("pk", "rank")) == ranks


def test_moving_against_another_kind_of_item_is_refused(product, stories):
    # given
    epic = EpicFactory(product=product)
    ranks = dict(Story.objects.values_list("pk", "rank"))
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        item_move(item=stories[0], before=epic)
    assert excinfo.value.field == "before"
    assert dict(Story.objects.values_list("pk", "rank")) == ranks


@pytest.mark.parametrize("where", [{}, {"before": "b", "after": "c"}])
def test_a_move_needs_exactly_one_anchor(product, stories, where):
    # given
    by_title = {story.title: story for story in stories}
    anchors = {side: by_title[title] for side, title in where.items()}
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        item_move(item=by_title["a"], **anchors)
    assert excinfo.value.message == "Say where the item goes: before one item or after another."
    assert order(product) == [story.pk for story in stories]


def test_epics_move_the_same_way(product):
    # given
    first, second, third = (EpicFactory(product=product) for _ in range(3))
    # when
    item_move(item=third, before=first)
    # then
    assert list(Epic.objects.filter(product=product).values_list("pk", flat=True)) == [third.pk, first.pk, second.pk]


def test_many_random_moves_keep_a_total_order(product, other_product):
    # given thirty stories, and a story of another product that must not be disturbed
    items = [StoryFactory(product=product) for _ in range(30)]
    foreign = StoryFactory(product=other_product)
    foreign_rank = Story.objects.get(pk=foreign.pk).rank
    expected = [item.pk for item in items]
    by_pk = {item.pk: item for item in items}
    rng = random.Random(4242)
    # when
    for _ in range(200):
        item_pk, anchor_pk = rng.sample(expected, 2)
        place_before = rng.random() < 0.5
        item_move(item=by_pk[item_pk], **{"before" if place_before else "after": by_pk[anchor_pk]})
        expected.remove(item_pk)
        expected.insert(expected.index(anchor_pk) + (0 if place_before else 1), item_pk)
    # then the database order is the order the moves asked for, with unique, valid ranks
    rows = list(Story.objects.filter(product=product).values_list("pk", "rank"))
    assert [pk for pk, _ in rows] == expected
    ranks = [rank for _, rank in rows]
    assert len(set(ranks)) == 30
    assert ranks == sorted(ranks)
    assert all(not rank.endswith("0") and len(rank) <= 128 for rank in ranks)
    assert Story.objects.get(pk=foreign.pk).rank == foreign_rank


def test_moving_next_to_an_item_deleted_meanwhile_is_refused(product, stories):
    # given the anchor was deleted after the caller loaded it
    a, b, c, d = stories
    Story.objects.filter(pk=c.pk).delete()
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        item_move(item=a, after=c)
    assert excinfo.value.message == "The item to place it next to no longer exists."
    assert order(product) == [a.pk, b.pk, d.pk]
