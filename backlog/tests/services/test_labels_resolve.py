"""labels_resolve: a product's labels by name, created once."""

from backlog.models import Label
from backlog.services import labels_resolve


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
