"""labels_resolve: a product's labels by name, created once."""

import pytest
from django.core.exceptions import ValidationError

from backlog.models import Label, Story
from backlog.services import labels_resolve, story_create


def test_missing_labels_are_created_once(product):
    # given
    # when the same names are resolved twice, with blanks, padding and repeats
    first = labels_resolve(product=product, names=["ux", " api ", "", "ux", "  "])
    second = labels_resolve(product=product, names=["api", "ux"])
    # then
    assert [label.name for label in first] == ["api", "ux"]
    assert [label.pk for label in second] == [label.pk for label in first]
    assert list(Label.objects.filter(product=product).values_list("name", flat=True)) == ["api", "ux"]


def test_existing_labels_are_reused_and_only_the_missing_one_created(product):
    # given
    existing = Label.objects.create(product=product, name="api")
    # when
    labels = labels_resolve(product=product, names=["api", "mobile"])
    # then
    assert labels[0].pk == existing.pk
    assert list(Label.objects.filter(product=product).values_list("name", flat=True)) == ["api", "mobile"]


def test_another_products_label_of_the_same_name_is_not_reused(product, other_product):
    # given
    theirs = Label.objects.create(product=other_product, name="api")
    # when
    (label,) = labels_resolve(product=product, names=["api"])
    # then
    assert label.pk != theirs.pk
    assert label.product == product
    assert Label.objects.filter(name="api").count() == 2


def test_no_names_resolve_to_no_labels(product):
    # given / when
    labels = labels_resolve(product=product, names=[])
    # then
    assert labels == []
    assert not Label.objects.exists()


def test_a_name_longer_than_50_characters_is_refused_naming_labels_and_nothing_is_created(product):
    # given a valid name and one of 51 characters
    long_name = "checkout-" + "x" * 42
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        labels_resolve(product=product, names=["api", long_name])
    assert excinfo.value.message_dict == {"labels": ["Keep labels to 50 characters; “checkout-xxxxxxxxxxx…” has 51."]}
    assert not Label.objects.exists()


def test_each_name_too_long_gets_its_own_message(product):
    # given
    names = ["a" * 60, "b" * 51]
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        labels_resolve(product=product, names=names)
    assert excinfo.value.message_dict == {
        "labels": [
            f"Keep labels to 50 characters; “{'a' * 20}…” has 60.",
            f"Keep labels to 50 characters; “{'b' * 20}…” has 51.",
        ]
    }


def test_a_name_of_exactly_50_characters_once_trimmed_is_accepted(product):
    # given
    name = "y" * 50
    # when
    (label,) = labels_resolve(product=product, names=[f"  {name}  "])
    # then
    assert Label.objects.get(pk=label.pk).name == name


def test_a_story_created_with_a_label_too_long_is_not_created(product):
    # given / when / then
    with pytest.raises(ValidationError) as excinfo:
        story_create(product=product, actor=None, title="Saved cards", labels=["z" * 51])
    assert list(excinfo.value.message_dict) == ["labels"]
    assert not Story.objects.exists()
    assert not Label.objects.exists()
