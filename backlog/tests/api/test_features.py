"""The feature resource: CRUD under an epic, move, transition, roles, tenancy, ETags, errors, query budget."""

import pytest

from backlog.models import Feature
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from workspaces.tests.factories import ProductFactory

from .helpers import stored

URL = "/api/v1/features/"


def test_any_member_lists_features_filtered_by_epic(client_as, product):
    # given
    checkout, payouts = EpicFactory(product=product), EpicFactory(product=product)
    one_page = FeatureFactory(epic=checkout, title="One-page checkout")
    wallets = FeatureFactory(epic=checkout, title="Wallets")
    FeatureFactory(epic=payouts, title="Instant payouts")
    # when
    response = client_as("viewer").get(URL, {"epic": checkout.pk})
    # then
    assert response.status_code == 200
    assert [(row["id"], row["title"], row["epic"]) for row in response.json()["results"]] == [
        (one_page.pk, "One-page checkout", checkout.pk),
        (wallets.pk, "Wallets", checkout.pk),
    ]


def test_detail_has_the_whole_feature_with_an_etag(client_as, product, statuses):
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic, title="Wallets", description="Apple Pay", labels=["mobile"])
    response = client_as("viewer").get(f"{URL}{feature.pk}/")
    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    assert {key: body[key] for key in body if key not in ("created_at", "updated_at", "rank")} == {
        "id": feature.pk,
        "key": f"PAY-{feature.number}",
        "product": product.pk,
        "epic": epic.pk,
        "title": "Wallets",
        "description": "Apple Pay",
        "status": {"id": statuses["To do"].pk, "name": "To do", "category": "todo"},
        "owner": None,
        "labels": ["mobile"],
    }


def test_contributor_creates_a_feature_under_an_epic(client_as, product, editor):
    # given
    epic = EpicFactory(product=product)
    # when
    response = client_as("contributor").post(
        URL, {"epic": epic.pk, "title": "Wallets", "owner": editor.pk, "labels": ["mobile"]}, format="json"
    )
    # then
    assert response.status_code == 201, response.json()
    feature = Feature.objects.get(pk=response.json()["id"])
    assert (feature.product, feature.epic, feature.title, feature.owner) == (product, epic, "Wallets", editor)
    assert response.json()["labels"] == ["mobile"]
    assert feature.history.get().history_user.username == "cora"


def test_setting_another_epic_of_the_product_moves_the_feature(client_as, product):
    # given
    old, new = EpicFactory(product=product), EpicFactory(product=product)
    feature = FeatureFactory(epic=old)
    # when
    response = client_as("contributor").patch(f"{URL}{feature.pk}/", {"epic": new.pk, "title": "Moved"})
    # then
    assert response.status_code == 200, response.json()
    feature.refresh_from_db()
    assert (feature.epic, feature.title) == (new, "Moved")
    assert feature.history.first().history_user.username == "cora"


def test_an_epic_of_another_product_answers_400_and_changes_nothing(client_as, workspace, product):
    feature = FeatureFactory(epic=EpicFactory(product=product))
    elsewhere = EpicFactory(product=ProductFactory(workspace=workspace, name="Checkout", key="CHK"))
    before = stored(feature)
    response = client_as("contributor").patch(f"{URL}{feature.pk}/", {"epic": elsewhere.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"epic": ["This epic belongs to another product."]}
    assert stored(feature) == before


def test_delete_a_feature_without_stories(client_as, product):
    feature = FeatureFactory(epic=EpicFactory(product=product))
    response = client_as("contributor").delete(f"{URL}{feature.pk}/")
    assert response.status_code == 204
    assert not Feature.objects.filter(pk=feature.pk).exists()
    assert Feature.history.get(id=feature.pk, history_type="-").history_user.username == "cora"


def test_deleting_a_feature_with_stories_answers_400_naming_them(client_as, product):
    feature = FeatureFactory(epic=EpicFactory(product=product))
    StoryFactory(feature=feature)
    response = client_as("contributor").delete(f"{URL}{feature.pk}/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": [f"PAY-{feature.number} still has 1 story; move or delete them before deleting it."]
    }
    assert Feature.objects.filter(pk=feature.pk).exists()


def test_move_and_transition(client_as, product, statuses):
    # given
    epic = EpicFactory(product=product)
    a, b = FeatureFactory(epic=epic), FeatureFactory(epic=epic)
    client = client_as("contributor")
    # when
    moved = client.post(f"{URL}{b.pk}/move/", {"before": a.pk})
    transitioned = client.post(f"{URL}{a.pk}/transition/", {"status": statuses["In progress"].pk})
    # then
    assert (moved.status_code, transitioned.status_code) == (200, 200)
    assert [row["id"] for row in client.get(URL, {"epic": epic.pk}).json()["results"]] == [b.pk, a.pk]
    assert transitioned.json()["status"]["name"] == "In progress"
    a.refresh_from_db()
    assert a.status == statuses["In progress"]


def test_move_next_to_an_epic_instead_of_a_feature_answers_400(client_as, product):
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    response = client_as("contributor").post(f"{URL}{feature.pk}/move/", {"after": epic.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"after": ["No feature with this id in the same product."]}


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "X"}, {"epic": ["This field is required."]}),
        ({"epic": "one", "title": "X"}, {"epic"}),
        ({"epic": "EPIC", "title": ""}, {"title": ["This field may not be blank."]}),
        ({"epic": "EPIC", "title": "X", "product": 1}, {"product": ["Unknown field."]}),
        ({"epic": "EPIC", "title": "X" * 256}, {"title"}),
    ],
)
def test_bad_input_answers_400_naming_the_fields(client_as, product, payload, fields):
    epic = EpicFactory(product=product)
    payload = {key: epic.pk if value == "EPIC" else value for key, value in payload.items()}
    response = client_as("contributor").post(URL, payload, format="json")
    assert response.status_code == 400
    got = response.json()["error"]["fields"]
    assert (got if isinstance(fields, dict) else set(got)) == fields
    assert not Feature.objects.exists()


def test_an_epic_of_another_workspace_is_not_found(client_as, other_product):
    foreign = EpicFactory(product=other_product)
    response = client_as("contributor").post(URL, {"epic": foreign.pk, "title": "Trojan"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"epic": [f'Invalid pk "{foreign.pk}" - object does not exist.']}
    assert not Feature.objects.filter(title="Trojan").exists()


def test_viewer_cannot_create(client_as, product):
    epic = EpicFactory(product=product)
    response = client_as("viewer").post(URL, {"epic": epic.pk, "title": "Sneaky"})
    assert response.status_code == 403
    assert not Feature.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("patch", ""), ("put", ""), ("delete", ""), ("post", "move/"), ("post", "transition/")],
)
def test_viewer_writes_answer_403_and_change_nothing(client_as, product, statuses, method, suffix):
    epic = EpicFactory(product=product)
    feature, anchor = FeatureFactory(epic=epic), FeatureFactory(epic=epic)
    body = {
        "": {"epic": epic.pk, "title": "Hijacked"},
        "move/": {"before": anchor.pk},
        "transition/": {"status": statuses["Done"].pk},
    }[suffix]
    before = stored(feature)
    response = getattr(client_as("viewer"), method)(f"{URL}{feature.pk}/{suffix}", body, format="json")
    assert response.status_code == 403
    assert stored(feature) == before


@pytest.mark.parametrize("role", ["contributor", "editor", "admin"])
def test_contributors_and_above_write(client_as, product, role):
    feature = FeatureFactory(epic=EpicFactory(product=product))
    assert client_as(role).patch(f"{URL}{feature.pk}/", {"title": f"By {role}"}).status_code == 200
    assert client_as(role).delete(f"{URL}{feature.pk}/").status_code == 204


def test_other_workspace_gets_404_for_every_method_and_nothing_changes(token_client, product, outsider, statuses):
    epic = EpicFactory(product=product)
    feature, anchor = FeatureFactory(epic=epic, title="Keep me"), FeatureFactory(epic=epic)
    client = token_client(outsider)
    before = stored(feature)
    url = f"{URL}{feature.pk}/"
    assert client.get(url).status_code == 404
    assert client.put(url, {"epic": epic.pk, "title": "Hijacked"}).status_code == 404
    assert client.patch(url, {"title": "Hijacked"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}move/", {"before": anchor.pk}).status_code == 404
    assert client.post(f"{url}transition/", {"status": statuses["Done"].pk}).status_code == 404
    assert client.get(URL, {"epic": epic.pk}).json()["count"] == 0
    assert stored(feature) == before


def test_stale_if_match_answers_412_and_changes_nothing(client_as, product):
    feature = FeatureFactory(epic=EpicFactory(product=product), title="Original")
    client = client_as("contributor")
    etag = client.get(f"{URL}{feature.pk}/")["ETag"]
    assert client.patch(f"{URL}{feature.pk}/", {"title": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(f"{URL}{feature.pk}/", {"title": "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    feature.refresh_from_db()
    assert feature.title == "First"


@pytest.mark.parametrize("count", [5, 50])
def test_feature_list_query_budget_holds_for_5_and_50(
    client_as, product, contributor, count, django_assert_max_num_queries
):
    client = client_as("viewer")
    epic = EpicFactory(product=product)
    for _ in range(count):
        FeatureFactory(epic=epic, owner=contributor, labels=["x"])
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count
