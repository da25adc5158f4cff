"""product_create: keys and names are unique per workspace, even when two requests create one at once."""

import pytest

from core.errors import ApplicationError
from core.tests.helpers import miss_duplicate_checks
from workspaces.models import Product
from workspaces.services import product_create


def test_a_taken_key_that_slips_past_the_check_is_refused_naming_key(product, monkeypatch):
    # given Payments (PAY), unseen by the service's checks
    miss_duplicate_checks(monkeypatch, Product)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        product_create(workspace=product.workspace, name="Payouts", key="pay")
    assert (excinfo.value.field, excinfo.value.message) == (
        "key",
        "Another product in this workspace already uses the key PAY.",
    )
    assert list(Product.objects.filter(workspace=product.workspace).values_list("key", flat=True)) == ["PAY"]


def test_a_taken_name_that_slips_past_the_check_is_refused_naming_name(product, monkeypatch):
    # given Payments (PAY), unseen by the service's checks
    miss_duplicate_checks(monkeypatch, Product)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        product_create(workspace=product.workspace, name=" Payments ", key="PAYM")
    assert (excinfo.value.field, excinfo.value.message) == (
        "name",
        "Another product in this workspace is already called Payments.",
    )
    assert list(Product.objects.filter(workspace=product.workspace).values_list("key", flat=True)) == ["PAY"]
