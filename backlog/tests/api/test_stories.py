"""The story resource: CRUD and actions through tokens, tenancy, roles, ETags, error shape, query budgets."""

import pytest

from backlog.models import Story, WorkflowStatus
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory

URL = "/api/v1/stories/"


def test_create_story_with_a_token(token_client, product, contributor):
    # given
    client = token_client(contributor)
    feature = FeatureFactory(epic=EpicFactory(product=product))
    # when
    response = client.post(
        URL,
        {
            "product": product.pk,
            "feature": feature.pk,
            "title": "Refund a card payment",
            "points": 5,
            "labels": ["refunds"],
            "acceptance_criteria": ["Partial refunds allowed"],
        },
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key"].startswith("PAY-")
    assert body["feature"] == feature.pk
    assert body["epic"] == feature.epic_id
    assert body["labels"] == ["refunds"]
    assert [c["text"] for c in body["acceptance_criteria"]] == ["Partial refunds allowed"]
    assert response["ETag"]


def test_unknown_field_answers_400_naming_it(token_client, product, contributor):
    response = token_client(contributor).post(URL, {"product": product.pk, "title": "X", "pointz": 3})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"pointz": ["Unknown field."]}


def test_wrong_type_and_foreign_ids_answer_400_with_fields(token_client, product, contributor, other_product):
    foreign_epic = EpicFactory(product=other_product)
    response = token_client(contributor).post(
        URL, {"product": product.pk, "title": "X", "points": "many", "epic": foreign_epic.pk}
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"points", "epic"}
    assert not Story.objects.filter(title="X").exists()


def test_malformed_json_answers_400(token_client, contributor):
    response = token_client(contributor).generic("POST", URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_viewer_cannot_create_and_nothing_is_written(token_client, product, viewer):
    response = token_client(viewer).post(URL, {"product": product.pk, "title": "Sneaky"})
    assert response.status_code == 403
    assert not Story.objects.filter(title="Sneaky").exists()


def test_other_workspace_gets_404_and_nothing_changes(token_client, product, outsider):
    story = StoryFactory(product=product, title="Keep me")
    client = token_client(outsider)
    assert client.get(f"{URL}{story.pk}/").status_code == 404
    assert client.patch(f"{URL}{story.pk}/", {"title": "Hijacked"}).status_code == 404
    assert client.delete(f"{URL}{story.pk}/").status_code == 404
    story.refresh_from_db()
    assert story.title == "Keep me"


def test_stale_if_match_answers_412_and_changes_nothing(token_client, product, contributor):
    story = StoryFactory(product=product, title="Original")
    client = token_client(contributor)
    etag = client.get(f"{URL}{story.pk}/")["ETag"]
    first = client.patch(f"{URL}{story.pk}/", {"title": "First edit"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = client.patch(f"{URL}{story.pk}/", {"title": "Second edit"}, HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    story.refresh_from_db()
    assert story.title == "First edit"
    assert first["ETag"] == client.get(f"{URL}{story.pk}/")["ETag"]


def test_move_transition_and_sprint_actions(token_client, product, contributor):
    client = token_client(contributor)
    a, b, c = (StoryFactory(product=product) for _ in range(3))
    sprint = SprintFactory(product=product)
    done = WorkflowStatus.objects.get(product=product, name="Done")

    assert client.post(f"{URL}{c.pk}/move/", {"before": a.pk}).status_code == 200
    listed = client.get(URL, {"product": product.pk}).json()["results"]
    assert [s["id"] for s in listed] == [c.pk, a.pk, b.pk]

    moved = client.post(f"{URL}{a.pk}/transition/", {"status": done.pk}).json()
    assert moved["status"]["category"] == "done"
    assert moved["completed_at"] is not None

    assert client.post(f"{URL}{b.pk}/sprint/", {"sprint": sprint.pk}).json()["sprint"] == sprint.pk
    assert client.post(f"{URL}{b.pk}/sprint/", {"sprint": None}).json()["sprint"] is None


@pytest.mark.parametrize("count", [5, 50])
def test_story_list_query_budget_holds_for_5_and_50(
    token_client, product, contributor, count, django_assert_max_num_queries
):
    client = token_client(contributor)
    feature = FeatureFactory(epic=EpicFactory(product=product))
    for _ in range(count):
        StoryFactory(feature=feature, labels=["x"], acceptance_criteria=["a"], assignee=contributor)
    with django_assert_max_num_queries(9):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count
