"""The roadmap resource: CRUD, the product filter, roles, tenancy, ETags, query budget."""

import pytest

from roadmap.models import Baseline, Roadmap
from roadmap.services import baseline_create
from roadmap.tests.api.helpers import field_errors
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.tests.factories import ProductFactory

URL = "/api/v1/roadmaps/"


def detail(roadmap) -> str:
    return f"{URL}{roadmap.pk}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def state(roadmap) -> tuple:
    roadmap = Roadmap.objects.get(pk=roadmap.pk)
    return roadmap.name, roadmap.kind, roadmap.description, roadmap.owner_id, roadmap.updated_at


def test_editor_creates_a_technology_roadmap(client_as, product, editor):
    # when
    response = client_as("editor").post(
        URL,
        {
            "product": product.pk,
            "name": " Platform 2030 ",
            "kind": "technology",
            "description": "Runtime upgrades",
            "owner": editor.pk,
        },
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["ETag"]
    assert {key: body[key] for key in ("product", "name", "kind", "description")} == {
        "product": product.pk,
        "name": "Platform 2030",
        "kind": "technology",
        "description": "Runtime upgrades",
    }
    assert body["owner"] == {"id": editor.pk, "username": "eddie", "name": editor.get_full_name()}
    roadmap = Roadmap.objects.get(pk=body["id"])
    assert roadmap.history.latest().history_user == editor


def test_list_filters_by_product_and_kind(client_as, workspace, product):
    # given
    lending = ProductFactory(workspace=workspace, name="Lending", key="LEND")
    payments = RoadmapFactory(product=product, name="Payments")
    platform = RoadmapFactory(product=product, name="Platform", kind="technology")
    loans = RoadmapFactory(product=lending, name="Loans")
    client = client_as("viewer")

    # then: ordered by name
    assert ids(client.get(URL)) == [loans.pk, payments.pk, platform.pk]
    assert ids(client.get(URL, {"product": product.pk})) == [payments.pk, platform.pk]
    assert ids(client.get(URL, {"product": product.pk, "kind": "technology"})) == [platform.pk]
    assert ids(client.get(URL, {"search": "Loa"})) == [loans.pk]
    assert ids(client.get(URL, {"ordering": "-name"})) == [platform.pk, payments.pk, loans.pk]


def test_editor_renames_and_reowns_a_roadmap(client_as, roadmap, editor, viewer):
    # when
    client = client_as("editor")
    response = client.patch(detail(roadmap), {"name": "Payments 2031", "owner": viewer.pk, "kind": "technology"})

    # then
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["kind"], response.json()["owner"]["id"]) == (
        "Payments 2031",
        "technology",
        viewer.pk,
    )
    assert response["ETag"] == client.get(detail(roadmap))["ETag"]
    assert Roadmap.objects.get(pk=roadmap.pk).history.latest().history_user == editor


def test_put_replaces_the_fields(client_as, roadmap, product):
    response = client_as("editor").put(detail(roadmap), {"product": product.pk, "name": "Renamed", "kind": "product"})
    assert response.status_code == 200, response.json()
    assert Roadmap.objects.get(pk=roadmap.pk).name == "Renamed"


def test_bad_input_answers_400_naming_the_fields(client_as, roadmap, tech_roadmap, product, outsider, other_product):
    # given
    client = client_as("editor")
    before = state(roadmap)

    # then
    assert field_errors(client.patch(detail(roadmap), {"name": tech_roadmap.name})) == {
        "name": ["Payments already has a roadmap called Payments platform."]
    }
    assert field_errors(client.patch(detail(roadmap), {"kind": "dream"})) == {
        "kind": ['"dream" is not a valid choice.']
    }
    assert field_errors(client.patch(detail(roadmap), {"owner": outsider.pk})) == {
        "owner": [f'Invalid pk "{outsider.pk}" - object does not exist.']
    }
    assert field_errors(client.patch(detail(roadmap), {"product": other_product.pk})) == {
        "product": [f'Invalid pk "{other_product.pk}" - object does not exist.']
    }
    assert field_errors(client.patch(detail(roadmap), {"colour": "red"})) == {"colour": ["Unknown field."]}
    assert field_errors(client.post(URL, {"name": "Orphan"})) == {"product": ["This field is required."]}
    assert field_errors(client.post(URL, {"product": product.pk, "name": "  "})) == {
        "name": ["This field may not be blank."]
    }
    assert state(roadmap) == before


def test_a_roadmap_cannot_move_to_another_product(client_as, roadmap, workspace):
    lending = ProductFactory(workspace=workspace, name="Lending", key="LEND")
    response = client_as("editor").patch(detail(roadmap), {"product": lending.pk})
    assert field_errors(response) == {"product": ["A roadmap cannot move to another product."]}
    assert Roadmap.objects.get(pk=roadmap.pk).product_id == roadmap.product_id


def test_deleting_an_empty_roadmap_takes_its_baselines_along(client_as, roadmap, editor):
    # given
    baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)

    # when
    response = client_as("editor").delete(detail(roadmap))

    # then
    assert response.status_code == 204
    assert not Roadmap.objects.filter(pk=roadmap.pk).exists()
    assert not Baseline.objects.filter(roadmap_id=roadmap.pk).exists()
    deleted = Roadmap.history.filter(id=roadmap.pk).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", editor)


def test_a_roadmap_that_holds_items_is_not_deleted(client_as, roadmap):
    # given
    RoadmapItemFactory(roadmap=roadmap)
    RoadmapItemFactory(roadmap=roadmap)

    # when
    response = client_as("editor").delete(detail(roadmap))

    # then
    assert field_errors(response) == {
        "non_field_errors": ["Payments 2026 still holds 2 items; delete them before deleting the roadmap."]
    }
    assert Roadmap.objects.filter(pk=roadmap.pk).exists()
    assert roadmap.items.count() == 2


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_read_but_cannot_write(client_as, roadmap, product, role):
    # given
    client = client_as(role)
    before = state(roadmap)

    # when
    responses = [
        client.post(URL, {"product": product.pk, "name": "Sneaky"}),
        client.put(detail(roadmap), {"product": product.pk, "name": "Hijacked"}),
        client.patch(detail(roadmap), {"name": "Hijacked"}),
        client.delete(detail(roadmap)),
    ]

    # then
    assert [r.status_code for r in responses] == [403] * 4
    assert state(roadmap) == before
    assert not Roadmap.objects.filter(name="Sneaky").exists()
    assert ids(client.get(URL)) == [roadmap.pk]
    assert client.get(detail(roadmap)).status_code == 200


def test_admins_write_too(client_as, product):
    client = client_as("admin_user")
    created = client.post(URL, {"product": product.pk, "name": "Admin's"})
    assert created.status_code == 201
    assert client.delete(f"{URL}{created.json()['id']}/").status_code == 204


def test_another_workspace_gets_404_on_every_method_and_nothing_changes(client_as, roadmap, product):
    # given
    client = client_as("outsider")
    before = state(roadmap)

    # when
    responses = [
        client.get(detail(roadmap)),
        client.put(detail(roadmap), {"product": product.pk, "name": "Hijacked"}),
        client.patch(detail(roadmap), {"name": "Hijacked"}),
        client.delete(detail(roadmap)),
    ]
    create = client.post(URL, {"product": product.pk, "name": "Planted"})

    # then
    assert [r.status_code for r in responses] == [404] * 4
    assert ids(client.get(URL, {"product": product.pk})) == []
    assert field_errors(create) == {"product": [f'Invalid pk "{product.pk}" - object does not exist.']}
    assert state(roadmap) == before
    assert not Roadmap.objects.filter(name="Planted").exists()


def test_stale_if_match_answers_412_and_changes_nothing(client_as, roadmap):
    client = client_as("editor")
    etag = client.get(detail(roadmap))["ETag"]
    assert client.patch(detail(roadmap), {"name": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    second = client.patch(detail(roadmap), {"name": "Second"}, HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert Roadmap.objects.get(pk=roadmap.pk).name == "First"


@pytest.mark.parametrize("count", [5, 50])
def test_roadmap_list_query_budget_holds_for_5_and_50(client_as, product, editor, count, django_assert_max_num_queries):
    # given
    for n in range(count):
        RoadmapFactory(product=product, name=f"Roadmap {n}", owner=editor)
    client = client_as("viewer")
    client.get(URL)

    # when
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"product": product.pk, "page_size": 100})

    # then
    assert response.json()["count"] == count
