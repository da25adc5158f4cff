"""The dependency resource: list with filters, create (acyclic, one product), delete, roles, tenancy, budget."""

import itertools

import pytest

from roadmap.models import Dependency
from roadmap.services import dependency_add
from roadmap.tests.api.helpers import field_errors
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from workspaces.tests.factories import ProductFactory

URL = "/api/v1/dependencies/"


def detail(dependency) -> str:
    return f"{URL}{dependency.pk}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def edges() -> set[tuple[int, int]]:
    return set(Dependency.objects.values_list("blocker_id", "blocked_id"))


def test_editor_adds_a_dependency_across_the_products_roadmaps(client_as, roadmap, tech_roadmap):
    # given
    blocker = RoadmapItemFactory(roadmap=tech_roadmap, title="Upgrade the ledger", lane="now", status="in_progress")
    blocked = RoadmapItemFactory(roadmap=roadmap, title="Instant payouts")

    # when
    response = client_as("editor").post(URL, {"blocker": blocker.pk, "blocked": blocked.pk, "note": "Needs v2 API"})

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["blocker"] == {
        "id": blocker.pk,
        "title": "Upgrade the ledger",
        "roadmap": tech_roadmap.pk,
        "lane": "now",
        "status": "in_progress",
        "end_date": None,
    }
    assert (body["blocked"]["id"], body["blocked"]["title"], body["note"]) == (
        blocked.pk,
        "Instant payouts",
        "Needs v2 API",
    )
    assert edges() == {(blocker.pk, blocked.pk)}


def test_a_cycle_answers_400_on_blocker_naming_the_chain(client_as, roadmap):
    # given A ← B ← C (B depends on A, C depends on B)
    a, b, c = (RoadmapItemFactory(roadmap=roadmap, title=title) for title in ("Alpha", "Beta", "Gamma"))
    dependency_add(blocker=a, blocked=b)
    dependency_add(blocker=b, blocked=c)

    # when A would depend on C
    response = client_as("editor").post(URL, {"blocker": c.pk, "blocked": a.pk})

    # then
    assert field_errors(response) == {"blocker": ["This would make a dependency cycle: Alpha → Gamma → Beta → Alpha."]}
    assert edges() == {(a.pk, b.pk), (b.pk, c.pk)}


def test_bad_pairs_answer_400_and_write_nothing(client_as, roadmap, workspace, other_product):
    # given
    item = RoadmapItemFactory(roadmap=roadmap)
    lending = RoadmapFactory(product=ProductFactory(workspace=workspace, name="Lending", key="LEND"))
    other_product_item = RoadmapItemFactory(roadmap=lending)
    foreign = RoadmapItemFactory(roadmap=RoadmapFactory(product=other_product))
    client = client_as("editor")

    # then
    assert field_errors(client.post(URL, {"blocker": item.pk, "blocked": item.pk})) == {
        "blocker": ["An item cannot depend on itself."]
    }
    assert field_errors(client.post(URL, {"blocker": other_product_item.pk, "blocked": item.pk})) == {
        "blocker": ["Dependencies stay within one product."]
    }
    assert field_errors(client.post(URL, {"blocker": foreign.pk, "blocked": item.pk})) == {
        "blocker": [f'Invalid pk "{foreign.pk}" - object does not exist.']
    }
    assert field_errors(client.post(URL, {"blocker": item.pk})) == {"blocked": ["This field is required."]}
    assert field_errors(client.post(URL, {"blocker": item.pk, "blocked": item.pk, "kind": "hard"})) == {
        "kind": ["Unknown field."]
    }
    assert edges() == set()


def test_adding_an_existing_dependency_answers_with_it(client_as, roadmap):
    blocker, blocked = RoadmapItemFactory(roadmap=roadmap), RoadmapItemFactory(roadmap=roadmap)
    existing = dependency_add(blocker=blocker, blocked=blocked)
    response = client_as("editor").post(URL, {"blocker": blocker.pk, "blocked": blocked.pk})
    assert (response.status_code, response.json()["id"]) == (201, existing.pk)
    assert Dependency.objects.count() == 1


def test_list_filters_by_roadmap_and_item_at_either_end(client_as, roadmap, tech_roadmap):
    # given
    a, b = RoadmapItemFactory(roadmap=roadmap), RoadmapItemFactory(roadmap=roadmap)
    platform = RoadmapItemFactory(roadmap=tech_roadmap)
    within = dependency_add(blocker=a, blocked=b)
    across = dependency_add(blocker=platform, blocked=a)
    client = client_as("viewer")

    # then: in the order they were added
    assert ids(client.get(URL)) == [within.pk, across.pk]
    assert ids(client.get(URL, {"roadmap": tech_roadmap.pk})) == [across.pk]
    assert ids(client.get(URL, {"roadmap": roadmap.pk})) == [within.pk, across.pk]
    assert ids(client.get(URL, {"item": a.pk})) == [within.pk, across.pk]
    assert ids(client.get(URL, {"item": b.pk})) == [within.pk]
    assert ids(client.get(URL, {"blocker": platform.pk})) == [across.pk]
    assert ids(client.get(URL, {"blocked": b.pk})) == [within.pk]
    assert client.get(detail(within)).json()["blocked"]["id"] == b.pk


def test_editor_removes_a_dependency(client_as, roadmap):
    blocker, blocked = RoadmapItemFactory(roadmap=roadmap), RoadmapItemFactory(roadmap=roadmap)
    dependency = dependency_add(blocker=blocker, blocked=blocked)
    assert client_as("editor").delete(detail(dependency)).status_code == 204
    assert edges() == set()


def test_a_dependency_is_not_edited_in_place(client_as, roadmap):
    blocker, blocked = RoadmapItemFactory(roadmap=roadmap), RoadmapItemFactory(roadmap=roadmap)
    dependency = dependency_add(blocker=blocker, blocked=blocked, note="Keep")
    response = client_as("editor").patch(detail(dependency), {"note": "Changed"})
    assert response.status_code == 405
    assert Dependency.objects.get(pk=dependency.pk).note == "Keep"


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_read_but_cannot_write(client_as, roadmap, role):
    # given
    a, b, c = (RoadmapItemFactory(roadmap=roadmap) for _ in range(3))
    dependency = dependency_add(blocker=a, blocked=b)
    client = client_as(role)

    # when
    responses = [client.post(URL, {"blocker": b.pk, "blocked": c.pk}), client.delete(detail(dependency))]

    # then
    assert [r.status_code for r in responses] == [403, 403]
    assert edges() == {(a.pk, b.pk)}
    assert ids(client.get(URL)) == [dependency.pk]
    assert client.get(detail(dependency)).status_code == 200


def test_admins_write_too(client_as, roadmap):
    a, b = RoadmapItemFactory(roadmap=roadmap), RoadmapItemFactory(roadmap=roadmap)
    client = client_as("admin_user")
    created = client.post(URL, {"blocker": a.pk, "blocked": b.pk})
    assert created.status_code == 201
    assert client.delete(f"{URL}{created.json()['id']}/").status_code == 204


def test_another_workspace_gets_404_on_every_method_and_nothing_changes(client_as, roadmap, other_product):
    # given
    a, b, c = (RoadmapItemFactory(roadmap=roadmap) for _ in range(3))
    dependency = dependency_add(blocker=a, blocked=b)
    mine = RoadmapItemFactory(roadmap=RoadmapFactory(product=other_product))
    client = client_as("outsider")

    # when
    responses = [client.get(detail(dependency)), client.delete(detail(dependency))]
    listed = ids(client.get(URL, {"item": a.pk}))
    planted = client.post(URL, {"blocker": c.pk, "blocked": b.pk})
    mixed = client.post(URL, {"blocker": a.pk, "blocked": mine.pk})

    # then
    assert [r.status_code for r in responses] == [404, 404]
    assert listed == []
    assert set(field_errors(planted)) == {"blocker", "blocked"}
    assert field_errors(mixed) == {"blocker": [f'Invalid pk "{a.pk}" - object does not exist.']}
    assert edges() == {(a.pk, b.pk)}


@pytest.mark.parametrize("count", [5, 50])
def test_dependency_list_query_budget_holds_for_5_and_50(client_as, roadmap, count, django_assert_max_num_queries):
    # given a chain of `count` dependencies
    items = [RoadmapItemFactory(roadmap=roadmap) for _ in range(count + 1)]
    for blocker, blocked in itertools.pairwise(items):
        dependency_add(blocker=blocker, blocked=blocked)
    client = client_as("viewer")
    client.get(URL)

    # when
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"roadmap": roadmap.pk, "page_size": 100})

    # then
    assert response.json()["count"] == count
