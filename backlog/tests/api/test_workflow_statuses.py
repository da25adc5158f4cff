"""Workflow statuses: read-only, per product, in workflow order; tenancy and query budget."""

import pytest

from backlog.models import WorkflowStatus
from workspaces.tests.factories import ProductFactory

URL = "/api/v1/workflow-statuses/"


def test_any_member_lists_a_products_statuses_in_workflow_order(client_as, workspace, product, statuses):
    ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    response = client_as("viewer").get(URL, {"product": product.pk})
    assert response.status_code == 200
    assert [
        (row["id"], row["product"], row["name"], row["category"], row["position"]) for row in response.json()["results"]
    ] == [
        (statuses["To do"].pk, product.pk, "To do", "todo", 0),
        (statuses["In progress"].pk, product.pk, "In progress", "in_progress", 1),
        (statuses["In review"].pk, product.pk, "In review", "in_progress", 2),
        (statuses["Done"].pk, product.pk, "Done", "done", 3),
    ]


def test_filter_by_category_and_read_one(client_as, product, statuses):
    client = client_as("viewer")
    listed = client.get(URL, {"product": product.pk, "category": "in_progress"}).json()["results"]
    assert [row["name"] for row in listed] == ["In progress", "In review"]
    detail = client.get(f"{URL}{statuses['Done'].pk}/")
    assert detail.status_code == 200
    assert detail["ETag"]
    assert detail.json() == {
        "id": statuses["Done"].pk,
        "product": product.pk,
        "name": "Done",
        "category": "done",
        "position": 3,
    }


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_statuses_are_read_only_here(client_as, product, statuses, method):
    url = URL if method == "post" else f"{URL}{statuses['Done'].pk}/"
    response = getattr(client_as("admin"), method)(url, {"product": product.pk, "name": "Shipped"})
    assert response.status_code == 405
    assert WorkflowStatus.objects.get(pk=statuses["Done"].pk).name == "Done"
    assert not WorkflowStatus.objects.filter(name="Shipped").exists()


def test_other_workspace_sees_none_of_them(token_client, product, statuses, outsider):
    client = token_client(outsider)
    assert client.get(f"{URL}{statuses['Done'].pk}/").status_code == 404
    assert client.get(URL, {"product": product.pk}).json()["count"] == 0


@pytest.mark.parametrize("count", [5, 50])
def test_status_list_query_budget_holds_for_5_and_50(client_as, workspace, count, django_assert_max_num_queries):
    # given products of four statuses each, `count` statuses or a few more
    products = (count + 3) // 4
    for n in range(products):
        ProductFactory(workspace=workspace, name=f"Product {n}", key=f"P{n}")
    client = client_as("viewer")
    # when / then
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == 4 * products
