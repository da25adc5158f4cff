"""Labels: any member lists them per product; editors create them. Tenancy, errors, query budget."""

import pytest

from backlog.models import Label
from backlog.services import label_create
from backlog.tests.factories import StoryFactory

URL = "/api/v1/labels/"


def test_any_member_lists_a_products_labels_by_name(client_as, product):
    StoryFactory(product=product, labels=["risk", "api"])
    response = client_as("viewer").get(URL, {"product": product.pk})
    assert response.status_code == 200
    assert [(row["product"], row["name"]) for row in response.json()["results"]] == [
        (product.pk, "api"),
        (product.pk, "risk"),
    ]


def test_editor_creates_a_label(client_as, product):
    response = client_as("editor").post(URL, {"product": product.pk, "name": " q4 "})
    assert response.status_code == 201, response.json()
    label = Label.objects.get(pk=response.json()["id"])
    assert (label.product, label.name) == (product, "q4")
    assert response["ETag"]
    assert client_as("viewer").get(f"{URL}{label.pk}/").json()["name"] == "q4"


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "risk"}, {"name": ["Payments already has a label called risk."]}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"name": "x" * 51}, {"name": ["Ensure this field has no more than 50 characters."]}),
        ({"name": "q4", "colour": "red"}, {"colour": ["Unknown field."]}),
    ],
)
def test_bad_input_answers_400_naming_the_fields(client_as, product, payload, fields):
    label_create(product=product, actor=None, name="risk")
    response = client_as("editor").post(URL, {"product": product.pk, **payload})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields
    assert list(Label.objects.values_list("name", flat=True)) == ["risk"]


@pytest.mark.parametrize("role", ["viewer", "contributor"])
def test_below_editor_cannot_create(client_as, product, role):
    response = client_as(role).post(URL, {"product": product.pk, "name": "sneaky"})
    assert response.status_code == 403
    assert not Label.objects.exists()


def test_admin_creates_labels_too(client_as, product):
    assert client_as("admin").post(URL, {"product": product.pk, "name": "q4"}).status_code == 201


def test_other_workspace_gets_404_and_cannot_create_there(token_client, product, outsider):
    label = label_create(product=product, actor=None, name="risk")
    client = token_client(outsider)
    assert client.get(f"{URL}{label.pk}/").status_code == 404
    assert client.get(URL, {"product": product.pk}).json()["count"] == 0
    created = client.post(URL, {"product": product.pk, "name": "trojan"})
    assert created.status_code == 400
    assert set(created.json()["error"]["fields"]) == {"product"}
    assert list(Label.objects.values_list("name", flat=True)) == ["risk"]


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_labels_are_not_edited_or_deleted_here(client_as, product, method):
    label = label_create(product=product, actor=None, name="risk")
    response = getattr(client_as("admin"), method)(f"{URL}{label.pk}/", {"name": "renamed"})
    assert response.status_code == 405
    assert Label.objects.get(pk=label.pk).name == "risk"


@pytest.mark.parametrize("count", [5, 50])
def test_label_list_query_budget_holds_for_5_and_50(client_as, product, count, django_assert_max_num_queries):
    Label.objects.bulk_create(Label(product=product, name=f"label-{n:02}") for n in range(count))
    client = client_as("viewer")
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count
