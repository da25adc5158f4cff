"""items_import: a batch of new items follows the one-by-one services' rules in a bounded number of statements."""

import pytest

from backlog.imports import items_import
from backlog.models import Epic, Story
from backlog.services import story_create
from backlog.signals import item_changed
from backlog.tests.factories import EpicFactory, StoryFactory
from webhooks.models import OutboxEvent
from webhooks.services import endpoint_create
from workspaces.models import Product


def stories(product, n, **kwargs):
    return [Story(title=f"Imported {i}", **kwargs) for i in range(n)]


def test_items_are_numbered_and_appended_below_the_backlog_in_the_given_order(product, statuses):
    # given: a backlog that already has a story
    epic = EpicFactory(product=product)
    first = StoryFactory(epic=epic)
    # when
    result = items_import(product=product, items=stories(product, 3, epic=epic), actor=None, origin="jira")
    # then
    assert result.refused == {}
    ranked = list(Story.objects.filter(product=product).order_by("rank").values_list("title", flat=True))
    assert ranked == [first.title, "Imported 0", "Imported 1", "Imported 2"]
    assert [s.number for s in result.created] == [3, 4, 5]  # the epic is 1, the first story 2
    assert Product.objects.get(pk=product.pk).last_item_number == 5
    assert {s.status_id for s in result.created} == {statuses["To do"].pk}  # the default status
    # and a story created one by one afterwards continues both sequences
    later = story_create(product=product, actor=None, title="Later", epic=epic)
    assert later.number == 6 and later.rank > max(s.rank for s in result.created)


def test_labels_history_done_stamp_and_members(product, editor, statuses):
    # given
    epic = EpicFactory(product=product)
    items = [
        Story(title="Done one", epic=epic, status=statuses["Done"], assignee=editor, points=5),
        Story(title="Open one", epic=epic),
    ]
    # when
    result = items_import(
        product=product, items=items, labels=[["api", " billing "], ["api"]], actor=editor, origin="jira"
    )
    # then
    done, open_ = result.created
    assert sorted(done.labels.values_list("name", flat=True)) == ["api", "billing"]
    assert list(open_.labels.values_list("name", flat=True)) == ["api"]
    assert done.completed_at is not None and open_.completed_at is None
    assert Story.objects.get(pk=done.pk).assignee == editor
    record = done.history.get()
    assert (record.history_type, record.history_user, record.title) == ("+", editor, "Done one")


def test_an_item_that_breaks_a_rule_is_refused_in_words_and_the_others_are_created(product, outsider, other_product):
    # given: an assignee from another workspace, an over-long label, a story too big, a parent of another product
    epic = EpicFactory(product=product)
    foreign_epic = EpicFactory(product=other_product)
    items = [
        Story(title="Fine", epic=epic),
        Story(title="Outsider", epic=epic, assignee=outsider),
        Story(title="Long label", epic=epic),
        Story(title="Huge", epic=epic, points=400),
        Story(title="Elsewhere", epic=foreign_epic),
    ]
    labels = [[], [], ["x" * 200], [], []]
    # when
    result = items_import(product=product, items=items, labels=labels, actor=None, origin="jira")
    # then
    assert [s.title for s in result.created] == ["Fine"]
    assert set(result.refused) == {1, 2, 3, 4}
    assert "Assign only members of this workspace." in result.refused[1].message_dict["assignee"]
    assert "Keep labels to" in result.refused[2].message_dict["labels"][0]
    assert "Split a story bigger than 100 points." in result.refused[3].message_dict["points"]
    assert "belongs to another product" in result.refused[4].message_dict["epic"][0]
    # no number was spent on the refused ones
    assert Product.objects.get(pk=product.pk).last_item_number == 2


def test_subscribers_get_one_event_per_story_and_receivers_hear_the_origin(product):
    # given: an endpoint subscribed to story.created, and a receiver listening
    endpoint_create(workspace=product.workspace, actor=None, url="https://example.com/hook", events=["story.created"])
    heard = []

    def listen(sender, *, item, kind, origin, **kwargs):
        heard.append((item.title, kind, origin))

    item_changed.connect(listen)
    try:
        epic = EpicFactory(product=product)
        heard.clear()
        # when
        items_import(product=product, items=stories(product, 2, epic=epic), actor=None, origin="jira")
    finally:
        item_changed.disconnect(listen)
    # then
    events = OutboxEvent.objects.filter(workspace=product.workspace, kind="story.created")
    assert sorted(e.payload["story"]["title"] for e in events) == ["Imported 0", "Imported 1"]
    assert heard == [("Imported 0", "created", "jira"), ("Imported 1", "created", "jira")]


@pytest.mark.parametrize("size", [5, 100])
def test_a_batch_costs_the_same_statements_whatever_its_size(product, size, django_assert_max_num_queries):
    # given
    epic = EpicFactory(product=product)
    items = stories(product, size, epic=epic)
    labels = [["api", f"l{i % 3}"] for i in range(size)]
    # when / then: validation, numbers, last rank, items, history, labels, link rows — no per-item query
    with django_assert_max_num_queries(14):
        result = items_import(product=product, items=items, labels=labels, actor=None, origin="jira")
    assert len(result.created) == size


def test_one_kind_per_call(product):
    with pytest.raises(ValueError, match="one kind"):
        items_import(product=product, items=[Epic(title="E"), Story(title="S")], actor=None, origin="jira")


def test_an_empty_batch_writes_nothing(product, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the savepoint and its release
        assert items_import(product=product, items=[], actor=None, origin="jira").created == []
