"""product_next_numbers: numbers reserved from a product's counter, never handed out twice."""

import pytest
from django.db import transaction

from core.errors import ApplicationError
from workspaces.models import Product
from workspaces.services import product_next_numbers


def test_numbers_continue_from_the_counter(product):
    # given
    # when
    with transaction.atomic():
        first = product_next_numbers(product_id=product.pk, field="last_requirement_number", count=3)
        second = product_next_numbers(product_id=product.pk, field="last_requirement_number")
    # then
    assert (first, second) == ([1, 2, 3], [4])
    stored = Product.objects.get(pk=product.pk)
    assert (stored.last_requirement_number, stored.last_item_number, stored.last_decision_number) == (4, 0, 0)


def test_an_unknown_product_is_refused(db):
    # given / when / then
    with pytest.raises(ApplicationError, match=r"^No such product\.$"), transaction.atomic():
        product_next_numbers(product_id=999_999, field="last_item_number")
