"""The epic resource: CRUD, move, transition, progress roll-up, roles, tenancy, ETags, errors, query budget."""

import datetime

import pytest

from backlog.models import Epic
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from workspaces.tests.factories import ProductFactory

from .helpers import stored

URL = "/api/v1/epics/"


def test_any_member_lists_epics_with_their_progress(client_as, product, statuses):
    # given an epic with 3 of 8 points done (through a feature and directly), and one with no stories
    checkout = EpicFactory(product=product, title="Checkout")
    feature = FeatureFactory(epic=checkout)
    StoryFactory(feature=feature, points=3, status=statuses["Done"])
    StoryFactory(feature=feature, points=4)
    StoryFactory(epic=checkout, points=1)
    empty = EpicFactory(product=product, title="Payouts")
    # when
    response = client_as("viewer").get(URL, {"product": product.pk})
    # then
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["id"], row["title"], row["progress"]) for row in rows] == [
        (checkout.pk, "Checkout", {"points_done": 3, "points_total": 8, "percent": 38}),
        (empty.pk, "Payouts", {"points_done": 0, "points_total": 0, "percent": 0}),
    ]


def test_detail_has_the_whole_epic_with_an_etag(client_as, product, contributor, statuses):
    # given
    epic = EpicFactory(
        product=product, title="Checkout", target_date=datetime.date(2026, 12, 1), owner=contributor, labels=["q4"]
    )
    StoryFactory(epic=epic, points=2, status=statuses["Done"])
    # when
    response = client_as("viewer").get(f"{URL}{epic.pk}/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert response["ETag"]
    assert {key: body[key] for key in body if key not in ("created_at", "updated_at", "rank")} == {
        "id": epic.pk,
        "key": f"PAY-{epic.number}",
        "product": product.pk,
        "title": "Checkout",
        "description": "",
        "status": {"id": statuses["To do"].pk, "name": "To do", "category": "todo"},
        "owner": {"id": contributor.pk, "username": "cora", "name": contributor.get_full_name()},
        "labels": ["q4"],
        "target_date": "2026-12-01",
        "progress": {"points_done": 2, "points_total": 2, "percent": 100},
    }


def test_contributor_creates_an_epic(client_as, product, editor, statuses):
    # when
    response = client_as("contributor").post(
        URL,
        {
            "product": product.pk,
            "title": "  Fraud checks ",
            "description": "Block stolen cards",
            "owner": editor.pk,
            "target_date": "2026-10-01",
            "labels": ["risk", "q3"],
            "status": statuses["In progress"].pk,
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    epic = Epic.objects.get(pk=body["id"])
    assert (epic.title, epic.description, epic.owner, epic.target_date, epic.status) == (
        "Fraud checks",
        "Block stolen cards",
        editor,
        datetime.date(2026, 10, 1),
        statuses["In progress"],
    )
    assert body["labels"] == ["q3", "risk"]
    assert body["key"] == f"PAY-{epic.number}"
    assert body["progress"] == {"points_done": 0, "points_total": 0, "percent": 0}
    assert epic.history.get().history_user.username == "cora"


def test_contributor_edits_an_epic_and_its_labels(client_as, product):
    # given
    epic = EpicFactory(product=product, title="Checkout", labels=["old"])
    # when
    response = client_as("contributor").patch(
        f"{URL}{epic.pk}/", {"title": "One-page checkout", "target_date": None, "labels": ["new"]}, format="json"
    )
    # then
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["labels"]) == ("One-page checkout", ["new"])
    epic.refresh_from_db()
    assert epic.title == "One-page checkout"
    assert epic.history.first().history_user.username == "cora"


def test_put_with_the_same_product_replaces_the_fields(client_as, product):
    epic = EpicFactory(product=product, title="Checkout", description="Old")
    response = client_as("contributor").put(f"{URL}{epic.pk}/", {"product": product.pk, "title": "Checkout v2"})
    assert response.status_code == 200, response.json()
    epic.refresh_from_db()
    assert (epic.title, epic.description) == ("Checkout v2", "Old")


def test_delete_an_empty_epic_records_who_deleted_it(client_as, product):
    # given
    epic = EpicFactory(product=product)
    # when
    response = client_as("contributor").delete(f"{URL}{epic.pk}/")
    # then
    assert response.status_code == 204
    assert not Epic.objects.filter(pk=epic.pk).exists()
    assert Epic.history.get(id=epic.pk, history_type="-").history_user.username == "cora"


def test_deleting_an_epic_with_work_under_it_answers_400_naming_it(client_as, product):
    # given
    epic = EpicFactory(product=product)
    FeatureFactory(epic=epic)
    StoryFactory(epic=epic)
    StoryFactory(epic=epic)
    # when
    response = client_as("contributor").delete(f"{URL}{epic.pk}/")
    # then
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": [
            f"PAY-{epic.number} still has 1 feature and 2 stories; move or delete them before deleting it."
        ]
    }
    assert Epic.objects.filter(pk=epic.pk).exists()


def test_move_places_an_epic_before_or_after_another(client_as, product):
    # given
    a, b, c = (EpicFactory(product=product) for _ in range(3))
    client = client_as("contributor")
    # when
    before = client.post(f"{URL}{c.pk}/move/", {"before": a.pk})
    after = client.post(f"{URL}{a.pk}/move/", {"after": b.pk})
    # then
    assert (before.status_code, after.status_code) == (200, 200)
    listed = client.get(URL, {"product": product.pk}).json()["results"]
    assert [row["id"] for row in listed] == [c.pk, b.pk, a.pk]
    assert after.json()["rank"] == Epic.objects.get(pk=a.pk).rank


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"before": ["Give exactly one of before or after."]}),
        ({"before": 1, "after": 2}, {"before": ["Give exactly one of before or after."]}),
        ({"before": "x"}, {"before": ["A valid integer is required."]}),
        ({"after": 1, "rank": "0"}, {"rank": ["Unknown field."]}),
    ],
)
def test_move_with_bad_input_answers_400(client_as, product, payload, fields):
    epic = EpicFactory(product=product)
    response = client_as("contributor").post(f"{URL}{epic.pk}/move/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == fields


def test_move_next_to_an_epic_of_another_product_answers_400_and_changes_nothing(client_as, workspace, product):
    epic = EpicFactory(product=product)
    elsewhere = EpicFactory(product=ProductFactory(workspace=workspace, name="Checkout", key="CHK"))
    before = stored(epic)
    response = client_as("contributor").post(f"{URL}{epic.pk}/move/", {"before": elsewhere.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"before": ["No epic with this id in the same product."]}
    assert stored(epic) == before


def test_transition_moves_the_epic_to_another_status(client_as, product, statuses):
    epic = EpicFactory(product=product)
    response = client_as("contributor").post(f"{URL}{epic.pk}/transition/", {"status": statuses["Done"].pk})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == {"id": statuses["Done"].pk, "name": "Done", "category": "done"}
    epic.refresh_from_db()
    assert epic.status == statuses["Done"]


def test_transition_to_a_status_of_another_product_answers_400(client_as, workspace, product):
    epic = EpicFactory(product=product)
    checkout = ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    foreign_status = checkout.statuses.get(name="Done")
    before = stored(epic)
    response = client_as("contributor").post(f"{URL}{epic.pk}/transition/", {"status": foreign_status.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"status": ["This workflow status belongs to another product."]}
    assert stored(epic) == before


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "X", "colour": "red"}, {"colour": ["Unknown field."]}),
        ({"title": "   "}, {"title": ["This field may not be blank."]}),
        ({}, {"title": ["This field is required."]}),
        ({"title": "X", "target_date": "someday"}, {"target_date"}),
        ({"title": "X", "labels": "not-a-list"}, {"labels"}),
        (
            {"title": "X", "labels": ["ok", "x" * 51]},
            {"labels": ["At index 1: Ensure this field has no more than 50 characters."]},
        ),
        ({"title": "X", "status": 10**9}, {"status"}),
    ],
)
def test_bad_input_on_create_answers_400_naming_the_fields(client_as, product, payload, fields):
    count = Epic.objects.count()
    response = client_as("contributor").post(URL, {"product": product.pk, **payload}, format="json")
    assert response.status_code == 400
    got = response.json()["error"]["fields"]
    assert (got if isinstance(fields, dict) else set(got)) == fields
    assert Epic.objects.count() == count


def test_create_without_a_product_or_in_a_foreign_one_answers_400(client_as, other_product):
    client = client_as("contributor")
    missing = client.post(URL, {"title": "X"})
    foreign = client.post(URL, {"product": other_product.pk, "title": "X"})
    assert missing.json()["error"]["fields"] == {"product": ["This field is required."]}
    assert set(foreign.json()["error"]["fields"]) == {"product"}
    assert (missing.status_code, foreign.status_code) == (400, 400)
    assert not Epic.objects.filter(title="X").exists()


def test_an_owner_from_outside_the_workspace_answers_400(client_as, product, outsider):
    response = client_as("contributor").post(URL, {"product": product.pk, "title": "X", "owner": outsider.pk})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"owner"}


def test_an_epic_cannot_move_to_another_product(client_as, workspace, product):
    epic = EpicFactory(product=product)
    checkout = ProductFactory(workspace=workspace, name="Checkout", key="CHK")
    response = client_as("contributor").patch(f"{URL}{epic.pk}/", {"product": checkout.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"product": ["An epic cannot move to another product."]}


def test_viewer_cannot_create(client_as, product):
    response = client_as("viewer").post(URL, {"product": product.pk, "title": "Sneaky"})
    assert response.status_code == 403
    assert not Epic.objects.filter(title="Sneaky").exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("patch", ""), ("put", ""), ("delete", ""), ("post", "move/"), ("post", "transition/")],
)
def test_viewer_writes_answer_403_and_change_nothing(client_as, product, statuses, method, suffix):
    # given
    epic, anchor = EpicFactory(product=product), EpicFactory(product=product)
    body = {
        "": {"product": product.pk, "title": "Hijacked"},
        "move/": {"before": anchor.pk},
        "transition/": {"status": statuses["Done"].pk},
    }[suffix]
    before = stored(epic)
    # when
    response = getattr(client_as("viewer"), method)(f"{URL}{epic.pk}/{suffix}", body, format="json")
    # then
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert stored(epic) == before


@pytest.mark.parametrize("role", ["contributor", "editor", "admin"])
def test_contributors_and_above_write(client_as, product, role):
    epic = EpicFactory(product=product)
    assert client_as(role).patch(f"{URL}{epic.pk}/", {"title": f"By {role}"}).status_code == 200
    assert client_as(role).delete(f"{URL}{epic.pk}/").status_code == 204


def test_other_workspace_gets_404_for_every_method_and_nothing_changes(token_client, product, outsider, statuses):
    # given
    epic, anchor = EpicFactory(product=product, title="Keep me"), EpicFactory(product=product)
    client = token_client(outsider)
    before = stored(epic)
    url = f"{URL}{epic.pk}/"
    # when / then
    assert client.get(url).status_code == 404
    assert client.put(url, {"product": product.pk, "title": "Hijacked"}).status_code == 404
    assert client.patch(url, {"title": "Hijacked"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}move/", {"before": anchor.pk}).status_code == 404
    assert client.post(f"{url}transition/", {"status": statuses["Done"].pk}).status_code == 404
    assert client.get(URL, {"product": product.pk}).json()["count"] == 0
    assert client.post(URL, {"product": product.pk, "title": "Trojan"}).status_code == 400
    assert stored(epic) == before
    assert not Epic.objects.filter(title="Trojan").exists()


def test_stale_if_match_answers_412_and_changes_nothing(client_as, product):
    epic = EpicFactory(product=product, title="Original")
    client = client_as("contributor")
    etag = client.get(f"{URL}{epic.pk}/")["ETag"]
    first = client.patch(f"{URL}{epic.pk}/", {"title": "First edit"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = client.patch(f"{URL}{epic.pk}/", {"title": "Second edit"}, HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "precondition_failed"
    epic.refresh_from_db()
    assert epic.title == "First edit"
    assert first["ETag"] == client.get(f"{URL}{epic.pk}/")["ETag"]


def test_work_finished_under_the_epic_does_not_make_its_etag_stale(client_as, product, statuses):
    # given an ETag read before a story under the epic is done
    epic = EpicFactory(product=product, title="Original")
    story = StoryFactory(epic=epic, points=3)
    client = client_as("contributor")
    etag = client.get(f"{URL}{epic.pk}/")["ETag"]
    client.post(f"/api/v1/stories/{story.pk}/transition/", {"status": statuses["Done"].pk})
    # when
    response = client.patch(f"{URL}{epic.pk}/", {"title": "Edited"}, HTTP_IF_MATCH=etag)
    # then the progress changed but the epic did not: the edit goes through
    assert response.status_code == 200, response.json()
    assert response.json()["progress"] == {"points_done": 3, "points_total": 3, "percent": 100}


def test_list_filters_searches_and_orders(client_as, product, contributor, statuses):
    a = EpicFactory(product=product, title="Card refunds", owner=contributor, labels=["q4"])
    b = EpicFactory(product=product, title="Payouts", status=statuses["Done"])
    client = client_as("viewer")

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert ids(owner=contributor.pk) == [a.pk]
    assert ids(label="q4") == [a.pk]
    assert ids(status_category="done") == [b.pk]
    assert ids(status=statuses["Done"].pk) == [b.pk]
    assert ids(search="refund") == [a.pk]
    assert ids(ordering="-title") == [b.pk, a.pk]
    assert ids(product=product.pk + 1000) == []
    bad = client.get(URL, {"status_category": "nope"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status_category"}


@pytest.mark.parametrize("count", [5, 50])
def test_epic_list_query_budget_holds_for_5_and_50(
    client_as, product, contributor, count, django_assert_max_num_queries
):
    # given epics with labels, owners and stories (for the progress roll-up)
    client = client_as("viewer")
    for _ in range(count):
        epic = EpicFactory(product=product, owner=contributor, labels=["x"])
        StoryFactory(feature=FeatureFactory(epic=epic), points=2)
    # when / then
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count
