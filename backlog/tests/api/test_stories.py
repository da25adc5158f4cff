"""The story resource: CRUD and actions through tokens, tenancy, roles, ETags, error shape, query budgets."""

import pytest

from backlog.models import AcceptanceCriterion, Story, WorkflowStatus
from backlog.services import tech_debt_schedule
from backlog.tests.factories import EpicFactory, FeatureFactory, SprintFactory, StoryFactory, TechDebtItemFactory
from workspaces.tests.factories import ProductFactory

from .helpers import stored

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
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count


# --- Delete -----------------------------------------------------------------------------------------


def test_contributor_deletes_a_story_with_its_criteria_and_history_says_who(token_client, product, contributor):
    # given
    story = StoryFactory(product=product, acceptance_criteria=["a", "b"])
    # when
    response = token_client(contributor).delete(f"{URL}{story.pk}/")
    # then
    assert response.status_code == 204
    assert not Story.objects.filter(pk=story.pk).exists()
    assert not AcceptanceCriterion.objects.filter(story_id=story.pk).exists()
    assert Story.history.get(id=story.pk, history_type="-").history_user == contributor


def test_deleting_the_story_that_pays_off_debt_unschedules_the_debt(token_client, product, contributor):
    item = TechDebtItemFactory(product=product)
    story = tech_debt_schedule(item=item, actor=None)
    assert token_client(contributor).delete(f"{URL}{story.pk}/").status_code == 204
    item.refresh_from_db()
    assert item.remediation_story is None


# --- Roles and tenancy on every route -------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("put", ""), ("patch", ""), ("delete", ""), ("post", "move/"), ("post", "transition/"), ("post", "sprint/")],
)
def test_viewer_writes_answer_403_and_change_nothing(token_client, product, viewer, statuses, method, suffix):
    # given
    story, anchor = StoryFactory(product=product, title="Keep me"), StoryFactory(product=product)
    sprint = SprintFactory(product=product)
    body = {
        "": {"product": product.pk, "title": "Hijacked"},
        "move/": {"before": anchor.pk},
        "transition/": {"status": statuses["Done"].pk},
        "sprint/": {"sprint": sprint.pk},
    }[suffix]
    before = stored(story)
    # when
    response = getattr(token_client(viewer), method)(f"{URL}{story.pk}/{suffix}", body, format="json")
    # then
    assert response.status_code == 403
    assert stored(story) == before


@pytest.mark.parametrize("role", ["contributor", "editor", "admin"])
def test_contributors_and_above_write_stories(client_as, product, role):
    story = StoryFactory(product=product)
    client = client_as(role)
    etag = client.get(f"{URL}{story.pk}/")["ETag"]
    assert client.patch(f"{URL}{story.pk}/", {"title": f"By {role}"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client_as(role).delete(f"{URL}{story.pk}/").status_code == 204


def test_other_workspace_gets_404_on_every_route_and_nothing_changes(token_client, product, outsider, statuses):
    # given
    story, anchor = StoryFactory(product=product, title="Keep me"), StoryFactory(product=product)
    sprint = SprintFactory(product=product)
    client = token_client(outsider)
    before = stored(story)
    url = f"{URL}{story.pk}/"
    # when / then
    assert client.put(url, {"product": product.pk, "title": "Hijacked"}).status_code == 404
    assert client.post(f"{url}move/", {"before": anchor.pk}).status_code == 404
    assert client.post(f"{url}transition/", {"status": statuses["Done"].pk}).status_code == 404
    assert client.post(f"{url}sprint/", {"sprint": sprint.pk}).status_code == 404
    assert client.get(URL, {"product": product.pk}).json()["count"] == 0
    assert stored(story) == before


def test_move_next_to_a_story_of_another_product_answers_400(token_client, workspace, product, contributor):
    story = StoryFactory(product=product)
    elsewhere = StoryFactory(product=ProductFactory(workspace=workspace, name="Checkout", key="CHK"))
    before = stored(story)
    response = token_client(contributor).post(f"{URL}{story.pk}/move/", {"after": elsewhere.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"after": ["No story with this id in the same product."]}
    assert stored(story) == before


# --- Filters ----------------------------------------------------------------------------------------


def test_list_filters(token_client, product, contributor, viewer, statuses):
    # given
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    sprint = SprintFactory(product=product)
    under_feature = StoryFactory(feature=feature, assignee=contributor, labels=["api"], priority=1)
    under_epic = StoryFactory(epic=epic, sprint=sprint, status=statuses["Done"], owner=contributor)
    loose = StoryFactory(product=product, title="Refund by bank transfer", statement="As a merchant")
    client = token_client(viewer)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    # then
    assert ids(product=product.pk) == [under_feature.pk, under_epic.pk, loose.pk]
    assert ids(epic=epic.pk) == [under_feature.pk, under_epic.pk]
    assert ids(feature=feature.pk) == [under_feature.pk]
    assert ids(sprint=sprint.pk) == [under_epic.pk]
    assert ids(no_sprint="true") == [under_feature.pk, loose.pk]
    assert ids(status=statuses["Done"].pk) == [under_epic.pk]
    assert ids(status_category="todo") == [under_feature.pk, loose.pk]
    assert ids(assignee=contributor.pk) == [under_feature.pk]
    assert ids(owner=contributor.pk) == [under_epic.pk]
    assert ids(priority=1) == [under_feature.pk]
    assert ids(label="api") == [under_feature.pk]
    assert ids(search="merchant") == [loose.pk]
    assert ids(ordering="-rank") == [loose.pk, under_epic.pk, under_feature.pk]
    assert ids(product=product.pk + 1000) == []


@pytest.mark.parametrize("params", [{"priority": 9}, {"status_category": "later"}])
def test_bad_filters_answer_400_naming_them(token_client, viewer, product, params):
    response = token_client(viewer).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == set(params)
