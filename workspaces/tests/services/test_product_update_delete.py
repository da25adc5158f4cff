"""product_update keeps the key and unique names; product_delete deletes empty products only."""

import pytest

from backlog.models import WorkflowStatus
from backlog.tests.factories import EpicFactory, SprintFactory
from core.errors import ApplicationError
from decisions.tests.factories import PRDFactory
from workspaces.models import Product
from workspaces.services import product_contents, product_delete, product_update
from workspaces.tests.factories import ProductFactory


def test_update_renames_and_redescribes(product, editor):
    product_update(product=product, actor=editor, name=" Payments v2 ", description="Cards and wallets")
    product.refresh_from_db()
    assert (product.name, product.description, product.key) == ("Payments v2", "Cards and wallets", "PAY")


def test_update_refuses_a_name_taken_in_the_workspace(workspace, product, editor):
    ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    with pytest.raises(ApplicationError) as excinfo:
        product_update(product=product, actor=editor, name="Checkout")
    assert (excinfo.value.field, excinfo.value.message) == (
        "name",
        "Another product in this workspace is already called Checkout.",
    )
    assert Product.objects.get(pk=product.pk).name == "Payments"


def test_update_allows_a_name_used_in_another_workspace(product, other_product, editor):
    product_update(product=product, actor=editor, name="Globex Payments")
    assert Product.objects.get(pk=product.pk).name == "Globex Payments"


def test_a_new_product_holds_nothing_and_is_deleted_with_its_workflow(workspace, admin_user):
    empty = ProductFactory(workspace=workspace, name="Scratch", key="SCR")
    assert product_contents(empty) == []
    product_delete(product=empty, actor=admin_user)
    assert not Product.objects.filter(pk=empty.pk).exists()
    assert not WorkflowStatus.objects.filter(product_id=empty.pk).exists()


def test_a_product_with_work_is_not_deleted_and_the_refusal_names_the_work(product, admin_user, editor):
    EpicFactory(product=product)
    SprintFactory(product=product)
    PRDFactory(product=product, actor=editor)
    with pytest.raises(ApplicationError) as excinfo:
        product_delete(product=product, actor=admin_user)
    assert excinfo.value.extra == {"contents": ["PRDs", "epics", "sprints"]}
    assert Product.objects.filter(pk=product.pk).exists()


def test_deleting_a_deleted_product_does_nothing(workspace, admin_user):
    empty = ProductFactory(workspace=workspace, name="Scratch", key="SCR")
    Product.objects.filter(pk=empty.pk).delete()
    product_delete(product=empty, actor=admin_user)
    assert not Product.objects.filter(pk=empty.pk).exists()
