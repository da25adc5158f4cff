"""product_create: a product with its default workflow; keys and names unique per workspace."""

import pytest
from django.core.exceptions import ValidationError

from backlog.models import StatusCategory, WorkflowStatus
from backlog.services import product_create
from core.errors import ApplicationError
from workspaces.models import Product


def test_a_new_product_gets_the_default_workflow(workspace):
    # given
    # when
    product = product_create(workspace=workspace, name=" Ledger ", key=" led ")
    # then
    assert (product.name, product.key) == ("Ledger", "LED")
    assert list(WorkflowStatus.objects.filter(product=product).values_list("name", "category", "position")) == [
        ("To do", StatusCategory.TODO, 0),
        ("In progress", StatusCategory.IN_PROGRESS, 1),
        ("In review", StatusCategory.IN_PROGRESS, 2),
        ("Done", StatusCategory.DONE, 3),
    ]


def test_a_duplicate_key_in_the_workspace_is_refused_naming_key(product, workspace):
    # given PAY exists in the workspace
    # when / then: the key is compared after normalising it
    with pytest.raises(ApplicationError) as excinfo:
        product_create(workspace=workspace, name="Payouts", key="pay")
    assert excinfo.value.field == "key"
    assert excinfo.value.as_validation_error().message_dict == {
        "key": ["Another product in this workspace already uses the key PAY."]
    }
    assert list(Product.objects.filter(workspace=workspace).values_list("name", flat=True)) == ["Payments"]


def test_a_duplicate_name_in_the_workspace_is_refused_naming_name(product, workspace):
    # given
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        product_create(workspace=workspace, name="Payments", key="PAY2")
    assert excinfo.value.field == "name"
    assert Product.objects.filter(workspace=workspace).count() == 1


def test_the_same_key_in_another_workspace_is_allowed(product, other_workspace):
    # given PAY exists in Acme
    # when
    created = product_create(workspace=other_workspace, name="Payments", key="PAY")
    # then
    assert created.key == "PAY"
    assert WorkflowStatus.objects.filter(product=created).count() == 4


@pytest.mark.parametrize("key", ["P", "1PAY", "PAY-1", "ABCDEFGHIJK"])
def test_a_malformed_key_is_refused_naming_key(workspace, key):
    # given
    # when / then
    with pytest.raises(ValidationError) as excinfo:
        product_create(workspace=workspace, name="Ledger", key=key)
    assert list(excinfo.value.message_dict) == ["key"]
    assert not Product.objects.filter(workspace=workspace).exists()
