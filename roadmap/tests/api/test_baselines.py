"""The baseline resource: create, list, snapshot, diff; roles, tenancy, query budget."""

import datetime

import pytest

from roadmap.models import Baseline
from roadmap.services import (
    baseline_create,
    milestone_create,
    roadmap_item_delete,
    roadmap_item_move,
    roadmap_item_update,
)
from roadmap.tests.api.helpers import field_errors
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory

URL = "/api/v1/baselines/"
JUN_1 = datetime.date(2030, 6, 1)
JUN_30 = datetime.date(2030, 6, 30)
EMPTY_DIFF = {
    "added": [],
    "removed": [],
    "redated": [],
    "relaned": [],
    "confidence_changed": [],
    "retitled": [],
    "status_changed": [],
    "milestone_changed": [],
    "is_empty": True,
}


def detail(baseline) -> str:
    return f"{URL}{baseline.pk}/"


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def frozen(item, **changes) -> dict:
    row = {
        "id": item.pk,
        "title": item.title,
        "lane": item.lane,
        "status": item.status,
        "start_date": item.start_date.isoformat() if item.start_date else None,
        "end_date": item.end_date.isoformat() if item.end_date else None,
        "confidence": item.confidence,
        "milestone_id": item.milestone_id,
    }
    return {**row, **changes}


def test_editor_freezes_a_roadmap(client_as, roadmap, editor):
    # given
    first = RoadmapItemFactory(roadmap=roadmap, title="Refunds", lane="now", start_date=JUN_1, end_date=JUN_30)
    second = RoadmapItemFactory(roadmap=roadmap, title="Payouts")

    # when
    response = client_as("editor").post(URL, {"roadmap": roadmap.pk, "name": " Q2 review "})

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["roadmap"], body["product"], body["name"]) == (roadmap.pk, roadmap.product_id, "Q2 review")
    assert body["created_by"]["id"] == editor.pk
    assert body["snapshot"] == [frozen(first), frozen(second)]
    assert Baseline.objects.get(pk=body["id"]).created_by == editor


def test_list_leaves_the_snapshot_out_and_filters_by_roadmap(client_as, roadmap, tech_roadmap, editor):
    # given
    RoadmapItemFactory(roadmap=roadmap)
    older = baseline_create(roadmap=roadmap, name="Q1 review", actor=editor)
    newer = baseline_create(roadmap=roadmap, name="Q2 review", actor=editor)
    tech = baseline_create(roadmap=tech_roadmap, name="Platform review", actor=editor)
    client = client_as("viewer")

    # when
    listed = client.get(URL)

    # then: newest first
    assert ids(listed) == [tech.pk, newer.pk, older.pk]
    assert set(listed.json()["results"][0]) == {"id", "roadmap", "product", "name", "created_by", "created_at"}
    assert ids(client.get(URL, {"roadmap": roadmap.pk})) == [newer.pk, older.pk]
    assert ids(client.get(URL, {"roadmap": roadmap.pk, "ordering": "name"})) == [older.pk, newer.pk]
    fetched = client.get(detail(older))
    assert fetched["ETag"]
    assert len(fetched.json()["snapshot"]) == 1


def test_diff_reports_every_kind_of_change(client_as, roadmap, product, editor):
    # given a baseline, then one change of each kind
    march = milestone_create(product=product, name="2030.1", date=JUN_1)
    redated = RoadmapItemFactory(roadmap=roadmap, title="Redated", start_date=JUN_1, end_date=JUN_30)
    relaned = RoadmapItemFactory(roadmap=roadmap, title="Relaned", lane="next")
    unsure = RoadmapItemFactory(roadmap=roadmap, title="Unsure")
    renamed = RoadmapItemFactory(roadmap=roadmap, title="Old name")
    started = RoadmapItemFactory(roadmap=roadmap, title="Started")
    shipped = RoadmapItemFactory(roadmap=roadmap, title="Shipped")
    dropped = RoadmapItemFactory(roadmap=roadmap, title="Dropped")
    baseline = baseline_create(roadmap=roadmap, name="Q2 review", actor=editor)
    removed_row = frozen(dropped)
    roadmap_item_update(item=redated, actor=editor, end_date=datetime.date(2030, 7, 15))
    roadmap_item_move(item=relaned, lane="now")
    roadmap_item_update(item=unsure, actor=editor, confidence="off_track")
    roadmap_item_update(item=renamed, actor=editor, title="New name")
    roadmap_item_update(item=started, actor=editor, status="in_progress")
    roadmap_item_update(item=shipped, actor=editor, milestone=march)
    roadmap_item_delete(item=dropped, actor=editor)
    added = RoadmapItemFactory(roadmap=roadmap, title="Added")

    # when
    response = client_as("viewer").get(f"{detail(baseline)}diff/")

    # then
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "added": [frozen(added)],
        "removed": [removed_row],
        "redated": [
            {
                "item_id": redated.pk,
                "title": "Redated",
                "before": {"start_date": "2030-06-01", "end_date": "2030-06-30"},
                "after": {"start_date": "2030-06-01", "end_date": "2030-07-15"},
            }
        ],
        "relaned": [{"item_id": relaned.pk, "title": "Relaned", "before": {"lane": "next"}, "after": {"lane": "now"}}],
        "confidence_changed": [
            {
                "item_id": unsure.pk,
                "title": "Unsure",
                "before": {"confidence": "on_track"},
                "after": {"confidence": "off_track"},
            }
        ],
        "retitled": [
            {
                "item_id": renamed.pk,
                "title": "New name",
                "before": {"title": "Old name"},
                "after": {"title": "New name"},
            }
        ],
        "status_changed": [
            {
                "item_id": started.pk,
                "title": "Started",
                "before": {"status": "planned"},
                "after": {"status": "in_progress"},
            }
        ],
        "milestone_changed": [
            {
                "item_id": shipped.pk,
                "title": "Shipped",
                "before": {"milestone_id": None},
                "after": {"milestone_id": march.pk},
            }
        ],
        "is_empty": False,
    }


def test_diff_of_an_unchanged_roadmap_is_empty(client_as, roadmap, editor):
    RoadmapItemFactory(roadmap=roadmap)
    baseline = baseline_create(roadmap=roadmap, name="Q2 review", actor=editor)
    assert client_as("viewer").get(f"{detail(baseline)}diff/").json() == EMPTY_DIFF


def test_bad_input_answers_400_naming_the_fields(client_as, roadmap, editor, other_product):
    # given
    baseline_create(roadmap=roadmap, name="Q2 review", actor=editor)
    foreign = RoadmapFactory(product=other_product)
    client = client_as("editor")

    # then
    assert field_errors(client.post(URL, {"roadmap": roadmap.pk, "name": "Q2 review"})) == {
        "name": ["Payments 2026 already has a baseline called Q2 review."]
    }
    assert field_errors(client.post(URL, {"roadmap": roadmap.pk, "name": " "})) == {
        "name": ["This field may not be blank."]
    }
    assert field_errors(client.post(URL, {"roadmap": foreign.pk, "name": "Theirs"})) == {
        "roadmap": [f'Invalid pk "{foreign.pk}" - object does not exist.']
    }
    assert field_errors(client.post(URL, {"roadmap": roadmap.pk, "name": "X", "snapshot": []})) == {
        "snapshot": ["Unknown field."]
    }
    assert Baseline.objects.count() == 1


def test_a_baseline_is_never_edited_or_deleted(client_as, roadmap, editor):
    baseline = baseline_create(roadmap=roadmap, name="Q2 review", actor=editor)
    client = client_as("admin_user")
    assert client.patch(detail(baseline), {"name": "Rewritten"}).status_code == 405
    assert client.delete(detail(baseline)).status_code == 405
    assert Baseline.objects.get(pk=baseline.pk).name == "Q2 review"


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_read_but_cannot_create(client_as, roadmap, editor, role):
    # given
    baseline = baseline_create(roadmap=roadmap, name="Q2 review", actor=editor)
    client = client_as(role)

    # when
    response = client.post(URL, {"roadmap": roadmap.pk, "name": "Sneaky"})

    # then
    assert response.status_code == 403
    assert list(Baseline.objects.values_list("pk", flat=True)) == [baseline.pk]
    assert ids(client.get(URL)) == [baseline.pk]
    assert client.get(detail(baseline)).status_code == 200
    assert client.get(f"{detail(baseline)}diff/").status_code == 200


def test_admins_create_too(client_as, roadmap):
    assert client_as("admin_user").post(URL, {"roadmap": roadmap.pk, "name": "Admin's"}).status_code == 201


def test_another_workspace_gets_404_on_every_method_and_nothing_changes(client_as, roadmap, editor):
    # given
    baseline = baseline_create(roadmap=roadmap, name="Q2 review", actor=editor)
    client = client_as("outsider")

    # when
    responses = [client.get(detail(baseline)), client.get(f"{detail(baseline)}diff/")]
    create = client.post(URL, {"roadmap": roadmap.pk, "name": "Planted"})

    # then
    assert [r.status_code for r in responses] == [404, 404]
    assert ids(client.get(URL, {"roadmap": roadmap.pk})) == []
    assert field_errors(create) == {"roadmap": [f'Invalid pk "{roadmap.pk}" - object does not exist.']}
    assert list(Baseline.objects.values_list("name", flat=True)) == ["Q2 review"]


@pytest.mark.parametrize("count", [5, 50])
def test_baseline_list_query_budget_holds_for_5_and_50(
    client_as, roadmap, editor, count, django_assert_max_num_queries
):
    # given
    RoadmapItemFactory(roadmap=roadmap)
    for n in range(count):
        baseline_create(roadmap=roadmap, name=f"Review {n}", actor=editor)
    client = client_as("viewer")
    client.get(URL)

    # when
    with django_assert_max_num_queries(3):
        response = client.get(URL, {"roadmap": roadmap.pk, "page_size": 100})

    # then
    assert response.json()["count"] == count
