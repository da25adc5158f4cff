"""The milestone resource: CRUD, the product filter, roles, tenancy, ETags, query budget."""

import datetime

import pytest

from roadmap.models import Milestone, RoadmapItem
from roadmap.services import milestone_create
from roadmap.tests.api.helpers import field_errors
from roadmap.tests.factories import RoadmapItemFactory
from workspaces.tests.factories import ProductFactory

URL = "/api/v1/milestones/"
JUN_30 = datetime.date(2030, 6, 30)
SEP_30 = datetime.date(2030, 9, 30)


def detail(milestone) -> str:
    return f"{URL}{milestone.pk}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def state(milestone) -> tuple:
    milestone = Milestone.objects.get(pk=milestone.pk)
    return milestone.name, milestone.date, milestone.kind, milestone.is_reached, milestone.updated_at


@pytest.fixture
def release(product) -> Milestone:
    return milestone_create(product=product, name="2030.2", date=JUN_30, kind="release")


def test_editor_creates_a_release(client_as, product, editor):
    # when
    response = client_as("editor").post(
        URL, {"product": product.pk, "name": "2030.3", "kind": "release", "date": "2030-09-30", "is_reached": False}
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["ETag"]
    assert {key: body[key] for key in ("product", "name", "kind", "date", "description", "is_reached")} == {
        "product": product.pk,
        "name": "2030.3",
        "kind": "release",
        "date": "2030-09-30",
        "description": "",
        "is_reached": False,
    }
    assert Milestone.objects.get(pk=body["id"]).history.latest().history_user == editor


def test_list_filters_by_product_kind_and_reached(client_as, workspace, product, release):
    # given
    beta = milestone_create(product=product, name="Beta", date=datetime.date(2030, 3, 1), is_reached=True)
    lending = milestone_create(
        product=ProductFactory(workspace=workspace, name="Lending", key="LEND"), name="L1", date=SEP_30
    )
    client = client_as("viewer")

    # then: by date
    assert ids(client.get(URL)) == [beta.pk, release.pk, lending.pk]
    assert ids(client.get(URL, {"product": product.pk})) == [beta.pk, release.pk]
    assert ids(client.get(URL, {"kind": "release"})) == [release.pk]
    assert ids(client.get(URL, {"is_reached": "true"})) == [beta.pk]
    assert ids(client.get(URL, {"ordering": "-date"})) == [lending.pk, release.pk, beta.pk]


def test_editor_re_dates_and_marks_it_reached(client_as, release, editor):
    client = client_as("editor")
    response = client.patch(detail(release), {"date": "2030-07-15", "is_reached": True})
    assert response.status_code == 200, response.json()
    assert (response.json()["date"], response.json()["is_reached"]) == ("2030-07-15", True)
    assert response["ETag"] == client.get(detail(release))["ETag"]
    assert Milestone.objects.get(pk=release.pk).history.latest().history_user == editor


def test_put_replaces_the_fields(client_as, release, product):
    body = {"product": product.pk, "name": "2030.2b", "date": "2030-07-01"}
    response = client_as("editor").put(detail(release), body)
    assert response.status_code == 200, response.json()
    assert state(release)[:3] == ("2030.2b", datetime.date(2030, 7, 1), "release")


def test_deleting_a_milestone_takes_its_items_off_it(client_as, roadmap, release, editor):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, milestone=release)

    # when
    response = client_as("editor").delete(detail(release))

    # then
    assert response.status_code == 204
    assert not Milestone.objects.filter(pk=release.pk).exists()
    item = RoadmapItem.objects.get(pk=item.pk)
    assert item.milestone_id is None
    assert item.history.latest().history_user == editor


def test_bad_input_answers_400_naming_the_fields(client_as, product, release, workspace):
    # given
    milestone_create(product=product, name="2030.3", date=SEP_30)
    lending = ProductFactory(workspace=workspace, name="Lending", key="LEND")
    client = client_as("editor")
    before = state(release)

    # then
    assert field_errors(client.patch(detail(release), {"name": "2030.3"})) == {
        "name": ["Payments already has a milestone called 2030.3."]
    }
    assert set(field_errors(client.patch(detail(release), {"date": "soon"}))) == {"date"}
    assert field_errors(client.patch(detail(release), {"product": lending.pk})) == {
        "product": ["A milestone cannot move to another product."]
    }
    assert field_errors(client.post(URL, {"product": product.pk, "name": "No date"})) == {
        "date": ["This field is required."]
    }
    assert field_errors(client.post(URL, {"product": product.pk, "name": "X", "date": "2030-01-01", "due": 1})) == {
        "due": ["Unknown field."]
    }
    assert state(release) == before


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_read_but_cannot_write(client_as, product, release, role):
    # given
    client = client_as(role)
    before = state(release)

    # when
    responses = [
        client.post(URL, {"product": product.pk, "name": "Sneaky", "date": "2030-01-01"}),
        client.put(detail(release), {"product": product.pk, "name": "Hijacked", "date": "2030-01-01"}),
        client.patch(detail(release), {"is_reached": True}),
        client.delete(detail(release)),
    ]

    # then
    assert [r.status_code for r in responses] == [403] * 4
    assert state(release) == before
    assert not Milestone.objects.filter(name="Sneaky").exists()
    assert ids(client.get(URL)) == [release.pk]
    assert client.get(detail(release)).status_code == 200


def test_admins_write_too(client_as, product):
    client = client_as("admin_user")
    created = client.post(URL, {"product": product.pk, "name": "GA", "date": "2030-12-01"})
    assert created.status_code == 201
    assert client.delete(f"{URL}{created.json()['id']}/").status_code == 204


def test_another_workspace_gets_404_on_every_method_and_nothing_changes(client_as, product, release):
    # given
    client = client_as("outsider")
    before = state(release)

    # when
    responses = [
        client.get(detail(release)),
        client.put(detail(release), {"product": product.pk, "name": "Hijacked", "date": "2030-01-01"}),
        client.patch(detail(release), {"is_reached": True}),
        client.delete(detail(release)),
    ]
    create = client.post(URL, {"product": product.pk, "name": "Planted", "date": "2030-01-01"})

    # then
    assert [r.status_code for r in responses] == [404] * 4
    assert ids(client.get(URL, {"product": product.pk})) == []
    assert field_errors(create) == {"product": [f'Invalid pk "{product.pk}" - object does not exist.']}
    assert state(release) == before
    assert not Milestone.objects.filter(name="Planted").exists()


def test_stale_if_match_answers_412_and_changes_nothing(client_as, release):
    client = client_as("editor")
    etag = client.get(detail(release))["ETag"]
    assert client.patch(detail(release), {"name": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(detail(release), {"name": "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    assert state(release)[0] == "First"


@pytest.mark.parametrize("count", [5, 50])
def test_milestone_list_query_budget_holds_for_5_and_50(client_as, product, count, django_assert_max_num_queries):
    # given
    for n in range(count):
        milestone_create(product=product, name=f"M{n}", date=JUN_30 + datetime.timedelta(days=n))
    client = client_as("viewer")
    client.get(URL)

    # when
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"product": product.pk, "page_size": 100})

    # then
    assert response.json()["count"] == count
