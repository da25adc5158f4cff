"""The roadmap item resource: CRUD, move, progress and computed confidence, roles, tenancy, ETags, query budget."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backlog.tests.factories import EpicFactory, StoryFactory
from decisions.tests.factories import PRDFactory
from roadmap.models import Dependency, RoadmapItem
from roadmap.services import dependency_add, goal_create, milestone_create
from roadmap.tests.api.helpers import field_errors, list_query_count, writes_to
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory
from roadmap.tests.helpers import items_with_work

URL = "/api/v1/roadmap-items/"
JUN_1 = datetime.date(2030, 6, 1)
JUN_30 = datetime.date(2030, 6, 30)
MAY_1 = datetime.date(2030, 5, 1)


def detail(item) -> str:
    return f"{URL}{item.pk}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def snapshot(item: RoadmapItem) -> dict:
    item = RoadmapItem.objects.get(pk=item.pk)
    return {
        "title": item.title,
        "lane": item.lane,
        "rank": item.rank,
        "end_date": item.end_date,
        "epics": sorted(item.epics.values_list("pk", flat=True)),
        "updated_at": item.updated_at,
    }


# --- Create, read --------------------------------------------------------------------------------


def test_editor_creates_an_item_with_its_links_and_sees_its_progress(client_as, roadmap, product, editor, done_status):
    # given an epic with 3 of 8 points done, a goal and a milestone of the product
    epic = EpicFactory(product=product)
    StoryFactory(epic=epic, points=3, status=done_status)
    StoryFactory(epic=epic, points=5)
    goal = goal_create(product=product, title="Fewer failed payments")
    milestone = milestone_create(product=product, name="2030.2", date=JUN_30)

    # when
    response = client_as("editor").post(
        URL,
        {
            "roadmap": roadmap.pk,
            "title": "  Card refunds  ",
            "lane": "now",
            "status": "in_progress",
            "start_date": "2030-06-01",
            "end_date": "2030-06-30",
            "confidence": "at_risk",
            "owner": editor.pk,
            "milestone": milestone.pk,
            "epics": [epic.pk],
            "goals": [goal.pk],
        },
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["ETag"]
    assert {key: body[key] for key in ("roadmap", "product", "title", "lane", "status", "confidence")} == {
        "roadmap": roadmap.pk,
        "product": product.pk,
        "title": "Card refunds",
        "lane": "now",
        "status": "in_progress",
        "confidence": "at_risk",
    }
    assert (body["start_date"], body["end_date"]) == ("2030-06-01", "2030-06-30")
    assert body["owner"] == {"id": editor.pk, "username": "eddie", "name": editor.get_full_name()}
    assert (body["milestone"], body["epics"], body["goals"]) == (milestone.pk, [epic.pk], [goal.pk])
    assert body["progress"] == {
        "points_done": 3,
        "points_total": 8,
        "stories_done": 1,
        "stories_total": 2,
        "percent": 38,
    }
    assert body["computed_confidence"] == {"level": "on_track", "score": 0, "reasons": []}
    item = RoadmapItem.objects.get(pk=body["id"])
    assert item.history.latest().history_user == editor


def test_list_and_detail_carry_the_computed_confidence_with_its_reasons(client_as, roadmap):
    # given an item in Now without stories, depending on an open item
    blocker = RoadmapItemFactory(roadmap=roadmap, title="Tokenise cards")
    blocked = RoadmapItemFactory(roadmap=roadmap, title="One-click checkout", lane="now", confidence="on_track")
    dependency_add(blocker=blocker, blocked=blocked)
    client = client_as("viewer")
    expected = {
        "level": "at_risk",
        "score": 2,
        "reasons": [
            {"code": "no_stories", "message": "It is in Now but no stories are linked to it yet."},
            {"code": "dependency_open", "message": "Depends on “Tokenise cards”, not done yet."},
        ],
    }

    # when
    listed = client.get(URL, {"roadmap": roadmap.pk}).json()["results"]
    fetched = client.get(detail(blocked)).json()

    # then
    by_id = {row["id"]: row for row in listed}
    assert by_id[blocked.pk]["confidence"] == "on_track"
    assert by_id[blocked.pk]["computed_confidence"] == expected
    assert fetched["computed_confidence"] == expected
    assert by_id[blocker.pk]["computed_confidence"] == {"level": "on_track", "score": 0, "reasons": []}
    assert by_id[blocker.pk]["progress"] == {
        "points_done": 0,
        "points_total": 0,
        "stories_done": 0,
        "stories_total": 0,
        "percent": 0,
    }


def test_list_filters_by_roadmap_lane_status_confidence_and_milestone(client_as, roadmap, tech_roadmap, product):
    # given
    release = milestone_create(product=product, name="2030.2", date=JUN_30)
    now_item = RoadmapItemFactory(roadmap=roadmap, lane="now", status="in_progress", milestone=release)
    risky = RoadmapItemFactory(roadmap=roadmap, lane="next", confidence="off_track")
    tech = RoadmapItemFactory(roadmap=tech_roadmap, lane="later", status="done")
    client = client_as("viewer")

    # then: the default order is by roadmap, then rank
    assert ids(client.get(URL)) == [now_item.pk, risky.pk, tech.pk]
    assert ids(client.get(URL, {"roadmap": tech_roadmap.pk})) == [tech.pk]
    assert ids(client.get(URL, {"lane": "now"})) == [now_item.pk]
    assert ids(client.get(URL, {"status": "done"})) == [tech.pk]
    assert ids(client.get(URL, {"confidence": "off_track"})) == [risky.pk]
    assert ids(client.get(URL, {"milestone": release.pk})) == [now_item.pk]
    assert ids(client.get(URL, {"roadmap": roadmap.pk, "search": now_item.title})) == [now_item.pk]


def test_a_bad_filter_value_answers_400_naming_it(client_as):
    response = client_as("viewer").get(URL, {"lane": "someday"})
    assert set(field_errors(response)) == {"lane"}


# --- Update, delete ------------------------------------------------------------------------------


def test_editor_updates_fields_and_links(client_as, roadmap, product, editor):
    # given
    old_epic, new_epic = EpicFactory(product=product), EpicFactory(product=product)
    item = RoadmapItemFactory(roadmap=roadmap, title="Refunds", epics=[old_epic])
    client = client_as("editor")

    # when
    response = client.patch(
        detail(item), {"title": "Card refunds", "end_date": "2030-06-30", "epics": [new_epic.pk], "goals": []}
    )

    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["end_date"], body["epics"], body["goals"]) == (
        "Card refunds",
        "2030-06-30",
        [new_epic.pk],
        [],
    )
    assert response["ETag"] == client.get(detail(item))["ETag"]
    assert RoadmapItem.objects.get(pk=item.pk).history.latest().history_user == editor


def test_put_replaces_the_editable_fields(client_as, roadmap):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Refunds", lane="now", description="Old")

    # when
    response = client_as("editor").put(detail(item), {"roadmap": roadmap.pk, "title": "Refunds v2", "lane": "later"})

    # then
    assert response.status_code == 200, response.json()
    item.refresh_from_db()
    assert (item.title, item.lane, item.description) == ("Refunds v2", "later", "Old")


def test_end_before_start_answers_400_on_end_date_and_changes_nothing(client_as, roadmap):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, start_date=JUN_1, end_date=JUN_30)
    before = snapshot(item)

    # when
    response = client_as("editor").patch(detail(item), {"end_date": "2030-05-01", "title": "Moved"})

    # then
    assert field_errors(response) == {"end_date": ["The end date must be on or after the start date."]}
    assert snapshot(item) == before


def test_create_with_end_before_start_answers_400_and_writes_nothing(client_as, roadmap):
    response = client_as("editor").post(
        URL, {"roadmap": roadmap.pk, "title": "Backwards", "start_date": "2030-06-01", "end_date": "2030-05-01"}
    )
    assert field_errors(response) == {"end_date": ["The end date must be on or after the start date."]}
    assert not RoadmapItem.objects.filter(title="Backwards").exists()


def test_foreign_epic_id_answers_400_as_if_it_did_not_exist(client_as, roadmap, other_product):
    # given an epic of another workspace
    foreign = EpicFactory(product=other_product)

    # when
    response = client_as("editor").post(URL, {"roadmap": roadmap.pk, "title": "Sneaky", "epics": [foreign.pk]})

    # then
    assert field_errors(response) == {"epics": [f'Invalid pk "{foreign.pk}" - object does not exist.']}
    assert not RoadmapItem.objects.filter(title="Sneaky").exists()


def test_links_to_another_product_of_the_workspace_answer_400(client_as, roadmap, workspace):
    # given another product of the same workspace, with an epic, a goal and a milestone
    from workspaces.tests.factories import ProductFactory

    other = ProductFactory(workspace=workspace, name="Lending", key="LEND")
    item = RoadmapItemFactory(roadmap=roadmap, title="Keep")
    client = client_as("editor")
    before = snapshot(item)

    # when
    epic = client.patch(detail(item), {"epics": [EpicFactory(product=other).pk]})
    goal = client.patch(detail(item), {"goals": [goal_create(product=other, title="Lend more").pk]})
    milestone = client.patch(detail(item), {"milestone": milestone_create(product=other, name="L1", date=JUN_1).pk})

    # then
    assert set(field_errors(epic)) == {"epics"}
    assert set(field_errors(goal)) == {"goals"}
    assert field_errors(milestone) == {"milestone": ["This milestone belongs to another product."]}
    assert snapshot(item) == before


def test_unknown_fields_and_another_roadmap_answer_400(client_as, roadmap, tech_roadmap):
    item = RoadmapItemFactory(roadmap=roadmap)
    client = client_as("editor")
    assert field_errors(client.patch(detail(item), {"rank": "0"})) == {"rank": ["Unknown field."]}
    assert field_errors(client.patch(detail(item), {"roadmap": tech_roadmap.pk})) == {
        "roadmap": ["An item cannot move to another roadmap."]
    }
    assert field_errors(client.post(URL, {"title": "No roadmap"})) == {"roadmap": ["This field is required."]}
    assert RoadmapItem.objects.get(pk=item.pk).roadmap_id == roadmap.pk


def test_editor_deletes_an_item_with_its_dependencies(client_as, roadmap, editor):
    # given
    blocker = RoadmapItemFactory(roadmap=roadmap)
    item = RoadmapItemFactory(roadmap=roadmap)
    dependency_add(blocker=blocker, blocked=item)

    # when
    response = client_as("editor").delete(detail(item))

    # then
    assert response.status_code == 204
    assert not RoadmapItem.objects.filter(pk=item.pk).exists()
    assert not Dependency.objects.filter(blocker=blocker).exists()
    deleted = RoadmapItem.history.filter(id=item.pk).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", editor)


# --- Move ----------------------------------------------------------------------------------------


def test_move_before_another_item_writes_one_row(client_as, roadmap):
    # given
    a, b, c = (RoadmapItemFactory(roadmap=roadmap, lane="next") for _ in range(3))
    client = client_as("editor")
    client.get(URL)  # the token's last-use stamp is written on its first call

    # when
    with CaptureQueriesContext(connection) as context:
        response = client.post(f"{detail(c)}move/", {"before": a.pk})

    # then
    assert response.status_code == 200, response.json()
    assert response["ETag"]
    assert len(writes_to(context, "roadmap_roadmapitem")) == 1
    assert [w for w in writes_to(context, "roadmap_roadmapitem") if w.lstrip().upper().startswith("UPDATE")]
    assert ids(client.get(URL, {"roadmap": roadmap.pk})) == [c.pk, a.pk, b.pk]
    assert RoadmapItem.history.filter(id=c.pk).count() == 1  # a move is not history


def test_move_to_a_lane_puts_it_at_the_bottom_of_the_lane(client_as, roadmap):
    # given
    first = RoadmapItemFactory(roadmap=roadmap, lane="next")
    now_a, now_b = RoadmapItemFactory(roadmap=roadmap, lane="now"), RoadmapItemFactory(roadmap=roadmap, lane="now")
    client = client_as("editor")

    # when
    response = client.post(f"{detail(first)}move/", {"lane": "now"})

    # then
    assert response.json()["lane"] == "now"
    assert ids(client.get(URL, {"lane": "now"})) == [now_a.pk, now_b.pk, first.pk]


def test_move_to_a_lane_after_an_item_of_that_lane(client_as, roadmap):
    # given
    moving = RoadmapItemFactory(roadmap=roadmap, lane="later")
    now_a, now_b = RoadmapItemFactory(roadmap=roadmap, lane="now"), RoadmapItemFactory(roadmap=roadmap, lane="now")
    client = client_as("editor")

    # when
    response = client.post(f"{detail(moving)}move/", {"lane": "now", "after": now_a.pk})

    # then
    assert response.status_code == 200, response.json()
    assert ids(client.get(URL, {"lane": "now"})) == [now_a.pk, moving.pk, now_b.pk]


def test_move_refuses_bad_anchors_and_changes_nothing(client_as, roadmap, tech_roadmap, other_product):
    # given
    item, later = RoadmapItemFactory(roadmap=roadmap, lane="next"), RoadmapItemFactory(roadmap=roadmap, lane="later")
    elsewhere = RoadmapItemFactory(roadmap=tech_roadmap)
    foreign = RoadmapItemFactory(roadmap=RoadmapFactory(product=other_product))
    client = client_as("editor")
    before = snapshot(item)
    move = f"{detail(item)}move/"

    # then
    assert field_errors(client.post(move, {"before": elsewhere.pk})) == {
        "before": ["No item with this id on the same roadmap."]
    }
    assert field_errors(client.post(move, {"after": foreign.pk})) == {
        "after": ["No item with this id on the same roadmap."]
    }
    assert field_errors(client.post(move, {"before": later.pk, "after": later.pk})) == {
        "before": ["Give before or after, not both."]
    }
    assert field_errors(client.post(move, {"lane": "now", "before": later.pk})) == {
        "before": ["Place the item next to an item of the lane it moves to."]
    }
    assert set(field_errors(client.post(move, {}))) == {"lane"}
    assert set(field_errors(client.post(move, {"lane": "someday"}))) == {"lane"}
    assert snapshot(item) == before


# --- Roles, tenancy, concurrency -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "admin_user"])
def test_editors_and_admins_write(client_as, roadmap, role):
    client = client_as(role)
    created = client.post(URL, {"roadmap": roadmap.pk, "title": "Allowed"})
    assert created.status_code == 201
    item_url = f"{URL}{created.json()['id']}/"
    assert client.patch(item_url, {"lane": "now"}).status_code == 200
    assert client.post(f"{item_url}move/", {"lane": "later"}).status_code == 200
    assert client.delete(item_url).status_code == 204


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_read_but_cannot_write(client_as, roadmap, role):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Keep", lane="now", end_date=JUN_30)
    other = RoadmapItemFactory(roadmap=roadmap, lane="now")
    client = client_as(role)
    before = snapshot(item)

    # when
    responses = [
        client.post(URL, {"roadmap": roadmap.pk, "title": "Sneaky"}),
        client.put(detail(item), {"roadmap": roadmap.pk, "title": "Hijacked"}),
        client.patch(detail(item), {"title": "Hijacked"}),
        client.post(f"{detail(item)}move/", {"after": other.pk}),
        client.delete(detail(item)),
    ]

    # then
    assert [r.status_code for r in responses] == [403] * 5
    assert responses[0].json()["error"]["code"] == "permission_denied"
    assert snapshot(item) == before
    assert not RoadmapItem.objects.filter(title="Sneaky").exists()
    assert ids(client.get(URL)) == [item.pk, other.pk]
    assert client.get(detail(item)).status_code == 200


def test_another_workspace_gets_404_on_every_method_and_nothing_changes(client_as, roadmap, other_product):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Keep", lane="now")
    mine = RoadmapItemFactory(roadmap=RoadmapFactory(product=other_product))
    client = client_as("outsider")
    before = snapshot(item)

    # when
    responses = [
        client.get(detail(item)),
        client.put(detail(item), {"roadmap": roadmap.pk, "title": "Hijacked"}),
        client.patch(detail(item), {"title": "Hijacked"}),
        client.post(f"{detail(item)}move/", {"lane": "later"}),
        client.delete(detail(item)),
    ]
    listed = ids(client.get(URL, {"roadmap": roadmap.pk}))
    create = client.post(URL, {"roadmap": roadmap.pk, "title": "Planted"})
    anchored = client.post(f"{detail(mine)}move/", {"before": item.pk})

    # then
    assert [r.status_code for r in responses] == [404] * 5
    assert listed == []
    assert field_errors(create) == {"roadmap": [f'Invalid pk "{roadmap.pk}" - object does not exist.']}
    assert field_errors(anchored) == {"before": ["No item with this id on the same roadmap."]}
    assert snapshot(item) == before
    assert not RoadmapItem.objects.filter(title="Planted").exists()


def test_stale_if_match_answers_412_and_changes_nothing(client_as, roadmap):
    # given
    item = RoadmapItemFactory(roadmap=roadmap, title="Original")
    client = client_as("editor")
    etag = client.get(detail(item))["ETag"]
    first = client.patch(detail(item), {"title": "First edit"}, HTTP_IF_MATCH=etag)

    # when
    second = client.patch(detail(item), {"title": "Second edit"}, HTTP_IF_MATCH=etag)

    # then
    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "precondition_failed"
    assert RoadmapItem.objects.get(pk=item.pk).title == "First edit"
    assert client.patch(detail(item), {"title": "Third edit"}, HTTP_IF_MATCH=first["ETag"]).status_code == 200


def test_progress_elsewhere_does_not_make_the_etag_stale(client_as, roadmap):
    # given: an item whose roll-up changes when a story of its epic is added
    epic = EpicFactory(product=roadmap.product)
    item = RoadmapItemFactory(roadmap=roadmap, title="Original", epics=[epic])
    client = client_as("editor")
    etag = client.get(detail(item))["ETag"]
    StoryFactory(epic=epic, points=8)
    assert client.get(detail(item)).json()["progress"]["points_total"] == 8

    # when
    response = client.patch(detail(item), {"title": "Edited"}, HTTP_IF_MATCH=etag)

    # then
    assert response.status_code == 200
    assert RoadmapItem.objects.get(pk=item.pk).title == "Edited"


# --- Query budget --------------------------------------------------------------------------------


def _linked_items(roadmap, count: int, owner) -> None:
    """`count` items with epics and stories, each depending on the one before, every other one in a PRD."""
    items = items_with_work(roadmap, count)
    for blocker, blocked in itertools.pairwise(items):
        dependency_add(blocker=blocker, blocked=blocked)
    PRDFactory(product=roadmap.product, owner=owner, roadmap_items=items[::2])


def test_the_item_list_costs_the_same_queries_for_5_and_50_items(client_as, roadmap, tech_roadmap, editor):
    # given
    _linked_items(roadmap, 5, editor)
    _linked_items(tech_roadmap, 50, editor)
    client = client_as("viewer")

    # when
    five, five_body = list_query_count(client, URL, {"roadmap": roadmap.pk, "page_size": 100})
    fifty, fifty_body = list_query_count(client, URL, {"roadmap": tech_roadmap.pk, "page_size": 100})

    # then
    assert (five_body["count"], fifty_body["count"]) == (5, 50)
    assert all(row["progress"]["stories_total"] == 2 for row in fifty_body["results"])
    assert five == fifty


@pytest.mark.parametrize("count", [5, 50])
def test_item_list_query_budget_holds_for_5_and_50(client_as, roadmap, editor, count, django_assert_max_num_queries):
    # given
    _linked_items(roadmap, count, editor)
    client = client_as("viewer")
    client.get(URL)

    # when: token, count, items, epic ids, goal ids, progress (2), confidence (3)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"roadmap": roadmap.pk, "page_size": 100})

    # then
    assert response.json()["count"] == count
