"""Item keys (PAY-12): one sequence per product, shared by every kind of item, never reused."""

import pytest
from django.core.exceptions import ValidationError

from backlog.models import Story
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory, TechDebtItemFactory
from workspaces.models import Product
from workspaces.tests.factories import ProductFactory


def test_keys_are_sequential_across_kinds_of_item(product):
    # given a product with no items yet
    # when an epic, a feature, a story and a tech-debt item are created in turn
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    story = StoryFactory(feature=feature)
    debt = TechDebtItemFactory(product=product)
    # then
    assert [epic.key, feature.key, story.key, debt.key] == ["PAY-1", "PAY-2", "PAY-3", "PAY-4"]
    assert Product.objects.get(pk=product.pk).last_item_number == 4


def test_each_product_has_its_own_sequence(product, workspace, other_product):
    # given two more products: one in the same workspace, one in another
    orders = ProductFactory(workspace=workspace, name="Orders", key="ORD")
    # when stories are created in turn across the three products
    keys = [
        StoryFactory(product=product).key,
        StoryFactory(product=orders).key,
        StoryFactory(product=product).key,
        StoryFactory(product=other_product).key,
        StoryFactory(product=orders).key,
    ]
    # then
    assert keys == ["PAY-1", "ORD-1", "PAY-2", "GPAY-1", "ORD-2"]


def test_a_deleted_items_number_is_never_reused(product):
    # given three stories, the last of which is deleted
    StoryFactory(product=product)
    StoryFactory(product=product)
    StoryFactory(product=product).delete()
    # when
    story = StoryFactory(product=product)
    # then
    assert story.key == "PAY-4"
    assert list(Story.objects.filter(product=product).values_list("number", flat=True).order_by("number")) == [1, 2, 4]


def test_an_item_refused_by_validation_does_not_use_up_a_number(product, other_product):
    # given a story that fails validation (its epic is another product's)
    foreign_epic = EpicFactory(product=other_product)
    with pytest.raises(ValidationError):
        StoryFactory(product=product, epic=foreign_epic)
    # when
    story = StoryFactory(product=product)
    # then
    assert story.key == "PAY-1"


def test_new_items_go_to_the_bottom_of_their_kinds_list(product):
    # given
    first, second, third = (StoryFactory(product=product) for _ in range(3))
    # when
    order = list(Story.objects.filter(product=product).values_list("pk", flat=True))
    # then
    assert order == [first.pk, second.pk, third.pk]
    assert first.rank < second.rank < third.rank
