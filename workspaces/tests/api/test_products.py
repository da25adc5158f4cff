"""The product resource: any member reads, editors edit, admins create and delete (empty products only)."""

import pytest

from backlog.models import Label, WorkflowStatus
from backlog.tests.factories import StoryFactory
from roadmap.tests.factories import RoadmapFactory
from workspaces.models import Product
from workspaces.tests.factories import ProductFactory

URL = "/api/v1/products/"
ROLE_FIXTURES = {"viewer": "viewer", "contributor": "contributor", "editor": "editor", "admin": "admin_user"}


def test_any_member_lists_and_reads_products(token_client, workspace, product, other_product, viewer):
    # given
    ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    client = token_client(viewer)
    # when
    listed = client.get(URL)
    detail = client.get(f"{URL}{product.pk}/")
    # then
    assert [(p["name"], p["key"]) for p in listed.json()["results"]] == [("Checkout", "CHK"), ("Payments", "PAY")]
    body = detail.json()
    assert {key: body[key] for key in ("id", "workspace", "name", "key", "description")} == {
        "id": product.pk,
        "workspace": workspace.pk,
        "name": "Payments",
        "key": "PAY",
        "description": "",
    }
    assert detail["ETag"]


def test_list_filters_by_workspace_and_searches(token_client, workspace, product, viewer):
    ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    client = token_client(viewer)
    assert [p["key"] for p in client.get(URL, {"search": "chk"}).json()["results"]] == ["CHK"]
    assert client.get(URL, {"workspace": workspace.pk}).json()["count"] == 2
    assert client.get(URL, {"workspace": workspace.pk + 1000}).json()["count"] == 0


def test_admin_creates_a_product_with_its_workflow(token_client, workspace, admin_user):
    # when
    response = token_client(admin_user).post(
        URL, {"workspace": workspace.pk, "name": "Checkout", "key": "chk", "description": "One-page checkout"}
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["key"], body["description"]) == ("Checkout", "CHK", "One-page checkout")
    created = Product.objects.get(pk=body["id"])
    assert list(WorkflowStatus.objects.filter(product=created).order_by("position").values_list("name", flat=True)) == [
        "To do",
        "In progress",
        "In review",
        "Done",
    ]


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_only_admins_create_products_and_a_refusal_creates_nothing(token_client, workspace, role, request):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    response = token_client(user).post(URL, {"workspace": workspace.pk, "name": "Sneaky", "key": "SNK"})
    assert response.status_code == 403
    assert not Product.objects.filter(name="Sneaky").exists()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "Checkout", "key": "1BAD"}, {"key"}),
        ({"name": "Checkout", "key": "PAY"}, {"key"}),
        ({"name": "Payments", "key": "PAY2"}, {"name"}),
        ({"name": "Checkout"}, {"key"}),
        ({"key": "CHK"}, {"name"}),
        ({"name": "Checkout", "key": "CHK", "colour": "red"}, {"colour"}),
        ({"name": "Checkout", "key": "TOOLONGKEY12"}, {"key"}),
    ],
)
def test_bad_input_answers_400_naming_the_fields(token_client, workspace, product, admin_user, payload, fields):
    count = Product.objects.count()
    response = token_client(admin_user).post(URL, {"workspace": workspace.pk, **payload})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert Product.objects.count() == count


def test_missing_workspace_answers_400(token_client, admin_user):
    response = token_client(admin_user).post(URL, {"name": "Checkout", "key": "CHK"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"workspace": ["This field is required."]}


def test_creating_in_another_workspace_answers_400_as_if_it_did_not_exist(token_client, workspace, outsider):
    response = token_client(outsider).post(URL, {"workspace": workspace.pk, "name": "Trojan", "key": "TRJ"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"workspace"}
    assert not Product.objects.filter(name="Trojan").exists()


def test_editor_renames_and_redescribes_a_product(token_client, product, editor):
    response = token_client(editor).patch(f"{URL}{product.pk}/", {"name": "Payments 2", "description": "Cards"})
    assert response.status_code == 200, response.json()
    product.refresh_from_db()
    assert (product.name, product.description, product.key) == ("Payments 2", "Cards", "PAY")


def test_put_sending_back_the_same_workspace_and_key_is_accepted(token_client, workspace, product, editor):
    response = token_client(editor).put(
        f"{URL}{product.pk}/", {"workspace": workspace.pk, "name": "Payments", "key": "PAY", "description": "New"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["description"] == "New"


def test_the_key_and_the_workspace_do_not_change(token_client, workspace, product, editor):
    client = token_client(editor)
    key = client.patch(f"{URL}{product.pk}/", {"key": "PAYX"})
    assert key.status_code == 400
    assert key.json()["error"]["fields"] == {
        "key": ["A product's key does not change: every item key (PAY-12) carries it."]
    }
    product.refresh_from_db()
    assert product.key == "PAY"


def test_renaming_onto_another_products_name_answers_400(token_client, workspace, product, editor):
    ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    response = token_client(editor).patch(f"{URL}{product.pk}/", {"name": "Checkout"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "name": ["Another product in this workspace is already called Checkout."]
    }
    product.refresh_from_db()
    assert product.name == "Payments"


@pytest.mark.parametrize("role", ["viewer", "contributor"])
def test_below_editor_cannot_edit_and_a_refusal_changes_nothing(token_client, product, role, request):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    response = token_client(user).patch(f"{URL}{product.pk}/", {"name": "Hijacked"})
    assert response.status_code == 403
    product.refresh_from_db()
    assert product.name == "Payments"


def test_admin_deletes_an_empty_product_with_its_workflow_and_labels(token_client, workspace, admin_user):
    empty = ProductFactory(workspace=workspace, name="Scratch", key="SCR")
    Label.objects.create(product=empty, name="spare")
    response = token_client(admin_user).delete(f"{URL}{empty.pk}/")
    assert response.status_code == 204
    assert not Product.objects.filter(pk=empty.pk).exists()
    assert not WorkflowStatus.objects.filter(product_id=empty.pk).exists()


def test_deleting_a_product_that_holds_work_answers_400_naming_it(token_client, product, admin_user):
    # given
    StoryFactory(product=product)
    RoadmapFactory(product=product)
    # when
    response = token_client(admin_user).delete(f"{URL}{product.pk}/")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["Payments still holds roadmaps, stories; delete or move them before deleting the product."]
    }
    assert Product.objects.filter(pk=product.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_only_admins_delete_products_and_a_refusal_deletes_nothing(token_client, workspace, role, request):
    empty = ProductFactory(workspace=workspace, name="Scratch", key="SCR")
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    response = token_client(user).delete(f"{URL}{empty.pk}/")
    assert response.status_code == 403
    assert Product.objects.filter(pk=empty.pk).exists()


def test_other_workspace_answers_404_for_every_method_and_nothing_changes(token_client, workspace, outsider):
    empty = ProductFactory(workspace=workspace, name="Scratch", key="SCR")
    client = token_client(outsider)
    url = f"{URL}{empty.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "Hijacked"}).status_code == 404
    assert client.put(url, {"name": "Hijacked"}).status_code == 404
    assert client.delete(url).status_code == 404
    empty.refresh_from_db()
    assert empty.name == "Scratch"
    assert client.get(URL, {"workspace": workspace.pk}).json()["count"] == 0


def test_stale_if_match_answers_412_and_changes_nothing(token_client, product, editor):
    client = token_client(editor)
    etag = client.get(f"{URL}{product.pk}/")["ETag"]
    assert client.patch(f"{URL}{product.pk}/", {"description": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(f"{URL}{product.pk}/", {"description": "Second"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    product.refresh_from_db()
    assert product.description == "First"


@pytest.mark.parametrize("count", [5, 50])
def test_product_list_query_budget_holds_for_5_and_50(
    token_client, workspace, viewer, count, django_assert_max_num_queries
):
    for i in range(count):
        ProductFactory(workspace=workspace, name=f"Product {i:03}", key=f"P{i:03}")
    client = token_client(viewer)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count
