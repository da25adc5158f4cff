"""The goal resource: CRUD, the product filter, roles, tenancy, ETags, query budget."""

import datetime

import pytest

from roadmap.models import Goal, RoadmapItem
from roadmap.services import goal_create
from roadmap.tests.api.helpers import field_errors
from roadmap.tests.factories import RoadmapItemFactory
from workspaces.tests.factories import ProductFactory

URL = "/api/v1/goals/"


def detail(goal) -> str:
    return f"{URL}{goal.pk}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def state(goal) -> tuple:
    goal = Goal.objects.get(pk=goal.pk)
    return goal.title, goal.metric, goal.target, goal.due_date, goal.updated_at


@pytest.fixture
def goal(product) -> Goal:
    return goal_create(product=product, title="Fewer failed payments", metric="failure rate", target="< 1%")


def test_editor_creates_a_goal(client_as, product):
    # when
    response = client_as("editor").post(
        URL,
        {
            "product": product.pk,
            "title": "Faster checkout",
            "metric": "median checkout time",
            "target": "under 20 s by Q3",
            "due_date": "2030-09-30",
        },
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["ETag"]
    assert {key: body[key] for key in ("product", "title", "description", "metric", "target", "due_date")} == {
        "product": product.pk,
        "title": "Faster checkout",
        "description": "",
        "metric": "median checkout time",
        "target": "under 20 s by Q3",
        "due_date": "2030-09-30",
    }


def test_list_filters_by_product(client_as, workspace, product, goal):
    # given
    soon = goal_create(product=product, title="Soon", due_date=datetime.date(2030, 1, 1))
    lending = goal_create(product=ProductFactory(workspace=workspace, name="Lending", key="LEND"), title="Lend more")
    client = client_as("viewer")

    # then: by due date (goals without one last), then id
    assert ids(client.get(URL)) == [soon.pk, goal.pk, lending.pk]
    assert ids(client.get(URL, {"product": product.pk})) == [soon.pk, goal.pk]
    assert ids(client.get(URL, {"search": "failure"})) == [goal.pk]


def test_editor_updates_a_goal(client_as, goal, product):
    client = client_as("editor")
    response = client.patch(detail(goal), {"target": "< 0.5%", "due_date": "2030-12-31"})
    assert response.status_code == 200, response.json()
    assert (response.json()["target"], response.json()["due_date"]) == ("< 0.5%", "2030-12-31")
    assert response["ETag"] == client.get(detail(goal))["ETag"]
    put = client.put(detail(goal), {"product": product.pk, "title": "Reliable payments"})
    assert put.status_code == 200, put.json()
    assert state(goal)[:3] == ("Reliable payments", "failure rate", "< 0.5%")


def test_deleting_a_goal_unlinks_its_items(client_as, roadmap, goal):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, goals=[goal])

    # when
    response = client_as("editor").delete(detail(goal))

    # then
    assert response.status_code == 204
    assert not Goal.objects.filter(pk=goal.pk).exists()
    assert list(RoadmapItem.objects.get(pk=item.pk).goals.all()) == []


def test_bad_input_answers_400_naming_the_fields(client_as, product, goal, workspace):
    # given
    goal_create(product=product, title="Faster checkout")
    lending = ProductFactory(workspace=workspace, name="Lending", key="LEND")
    client = client_as("editor")
    before = state(goal)

    # then
    assert field_errors(client.patch(detail(goal), {"title": "Faster checkout"})) == {
        "title": ["Payments already has a goal called Faster checkout."]
    }
    assert set(field_errors(client.patch(detail(goal), {"due_date": "Q3"}))) == {"due_date"}
    assert field_errors(client.patch(detail(goal), {"product": lending.pk})) == {
        "product": ["A goal cannot move to another product."]
    }
    assert field_errors(client.patch(detail(goal), {"owner": 1})) == {"owner": ["Unknown field."]}
    assert field_errors(client.post(URL, {"title": "Orphan"})) == {"product": ["This field is required."]}
    assert state(goal) == before


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_read_but_cannot_write(client_as, product, goal, role):
    # given
    client = client_as(role)
    before = state(goal)

    # when
    responses = [
        client.post(URL, {"product": product.pk, "title": "Sneaky"}),
        client.put(detail(goal), {"product": product.pk, "title": "Hijacked"}),
        client.patch(detail(goal), {"target": "none"}),
        client.delete(detail(goal)),
    ]

    # then
    assert [r.status_code for r in responses] == [403] * 4
    assert state(goal) == before
    assert not Goal.objects.filter(title="Sneaky").exists()
    assert ids(client.get(URL)) == [goal.pk]
    assert client.get(detail(goal)).status_code == 200


def test_admins_write_too(client_as, product):
    client = client_as("admin_user")
    created = client.post(URL, {"product": product.pk, "title": "Admin's goal"})
    assert created.status_code == 201
    assert client.delete(f"{URL}{created.json()['id']}/").status_code == 204


def test_another_workspace_gets_404_on_every_method_and_nothing_changes(client_as, product, goal):
    # given
    client = client_as("outsider")
    before = state(goal)

    # when
    responses = [
        client.get(detail(goal)),
        client.put(detail(goal), {"product": product.pk, "title": "Hijacked"}),
        client.patch(detail(goal), {"target": "none"}),
        client.delete(detail(goal)),
    ]
    create = client.post(URL, {"product": product.pk, "title": "Planted"})

    # then
    assert [r.status_code for r in responses] == [404] * 4
    assert ids(client.get(URL, {"product": product.pk})) == []
    assert field_errors(create) == {"product": [f'Invalid pk "{product.pk}" - object does not exist.']}
    assert state(goal) == before
    assert not Goal.objects.filter(title="Planted").exists()


def test_stale_if_match_answers_412_and_changes_nothing(client_as, goal):
    client = client_as("editor")
    etag = client.get(detail(goal))["ETag"]
    assert client.patch(detail(goal), {"target": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(detail(goal), {"target": "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    assert state(goal)[2] == "First"


@pytest.mark.parametrize("count", [5, 50])
def test_goal_list_query_budget_holds_for_5_and_50(client_as, product, count, django_assert_max_num_queries):
    # given
    for n in range(count):
        goal_create(product=product, title=f"Goal {n}")
    client = client_as("viewer")
    client.get(URL)

    # when
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"product": product.pk, "page_size": 100})

    # then
    assert response.json()["count"] == count
