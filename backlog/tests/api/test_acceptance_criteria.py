"""The acceptance-criterion resource (flat, filtered by story): add, reword, mark met, delete; roles, tenancy."""

import pytest

from backlog.models import AcceptanceCriterion
from backlog.tests.factories import StoryFactory

from .helpers import stored

URL = "/api/v1/acceptance-criteria/"


@pytest.fixture
def story(product):
    return StoryFactory(product=product, acceptance_criteria=["Refund in full", "Refund in part"])


def criteria_of(story):
    return list(story.acceptance_criteria.order_by("position").values_list("text", "is_met", "position"))


def test_any_member_lists_a_storys_criteria_in_order(client_as, product, story):
    # given another story's criterion, which the filter leaves out
    StoryFactory(product=product, acceptance_criteria=["Elsewhere"])
    # when
    response = client_as("viewer").get(URL, {"story": story.pk})
    # then
    assert response.status_code == 200
    assert [(row["story"], row["text"], row["is_met"], row["position"]) for row in response.json()["results"]] == [
        (story.pk, "Refund in full", False, 0),
        (story.pk, "Refund in part", False, 1),
    ]


def test_contributor_adds_a_criterion_at_the_end(client_as, story):
    response = client_as("contributor").post(URL, {"story": story.pk, "text": "  Email the receipt "})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["story"], body["text"], body["is_met"], body["position"]) == (story.pk, "Email the receipt", False, 2)
    assert response["ETag"]
    assert criteria_of(story)[-1] == ("Email the receipt", False, 2)


def test_contributor_rewords_and_marks_a_criterion_met(client_as, story):
    criterion = story.acceptance_criteria.get(position=0)
    client = client_as("contributor")
    met = client.patch(f"{URL}{criterion.pk}/", {"is_met": True})
    reworded = client.patch(f"{URL}{criterion.pk}/", {"text": "Refund the whole amount"})
    assert (met.status_code, reworded.status_code) == (200, 200)
    assert (reworded.json()["text"], reworded.json()["is_met"]) == ("Refund the whole amount", True)
    assert criteria_of(story) == [("Refund the whole amount", True, 0), ("Refund in part", False, 1)]
    unmet = client.patch(f"{URL}{criterion.pk}/", {"is_met": False})
    assert unmet.json()["is_met"] is False


def test_put_sends_back_the_same_story(client_as, story):
    criterion = story.acceptance_criteria.get(position=1)
    response = client_as("contributor").put(
        f"{URL}{criterion.pk}/", {"story": story.pk, "text": "Refund part of it", "is_met": True}
    )
    assert response.status_code == 200, response.json()
    assert criteria_of(story)[1] == ("Refund part of it", True, 1)


def test_the_story_detail_shows_the_change(client_as, story):
    criterion = story.acceptance_criteria.get(position=0)
    client_as("contributor").patch(f"{URL}{criterion.pk}/", {"is_met": True})
    detail = client_as("viewer").get(f"/api/v1/stories/{story.pk}/").json()
    assert [(c["text"], c["is_met"]) for c in detail["acceptance_criteria"]] == [
        ("Refund in full", True),
        ("Refund in part", False),
    ]


def test_contributor_deletes_a_criterion(client_as, story):
    criterion = story.acceptance_criteria.get(position=0)
    response = client_as("contributor").delete(f"{URL}{criterion.pk}/")
    assert response.status_code == 204
    assert criteria_of(story) == [("Refund in part", False, 1)]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"text": "   "}, {"text": ["This field may not be blank."]}),
        ({"text": "X", "is_met": True}, {"is_met": ["Add the criterion first, then mark it met."]}),
        ({"text": "X", "position": 0}, {"position": ["Unknown field."]}),
        ({"story": None, "text": "X"}, {"story": ["This field may not be null."]}),
        ({"story": "abc", "text": "X"}, {"story"}),
    ],
)
def test_bad_input_on_create_answers_400_naming_the_fields(client_as, story, payload, fields):
    response = client_as("contributor").post(URL, {"story": story.pk, **payload}, format="json")
    assert response.status_code == 400
    got = response.json()["error"]["fields"]
    assert (got if isinstance(fields, dict) else set(got)) == fields
    assert AcceptanceCriterion.objects.count() == 2


def test_a_criterion_stays_on_its_story(client_as, product, story):
    criterion = story.acceptance_criteria.get(position=0)
    other = StoryFactory(product=product)
    before = stored(criterion)
    response = client_as("contributor").patch(f"{URL}{criterion.pk}/", {"story": other.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"story": ["A criterion stays on its story."]}
    assert stored(criterion) == before


def test_a_story_of_another_workspace_is_not_found(client_as, other_product):
    foreign = StoryFactory(product=other_product)
    response = client_as("contributor").post(URL, {"story": foreign.pk, "text": "Trojan"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"story": [f'Invalid pk "{foreign.pk}" - object does not exist.']}
    assert not AcceptanceCriterion.objects.filter(text="Trojan").exists()


def test_viewer_cannot_add(client_as, story):
    response = client_as("viewer").post(URL, {"story": story.pk, "text": "Sneaky"})
    assert response.status_code == 403
    assert AcceptanceCriterion.objects.count() == 2


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_viewer_writes_answer_403_and_change_nothing(client_as, story, method):
    criterion = story.acceptance_criteria.get(position=0)
    before = stored(criterion)
    response = getattr(client_as("viewer"), method)(
        f"{URL}{criterion.pk}/", {"story": story.pk, "text": "Hijacked", "is_met": True}, format="json"
    )
    assert response.status_code == 403
    assert stored(criterion) == before


@pytest.mark.parametrize("role", ["contributor", "editor", "admin"])
def test_contributors_and_above_write(client_as, story, role):
    client = client_as(role)
    created = client.post(URL, {"story": story.pk, "text": f"By {role}"})
    assert created.status_code == 201
    url = f"{URL}{created.json()['id']}/"
    assert client.patch(url, {"is_met": True}).status_code == 200
    assert client.delete(url).status_code == 204


def test_other_workspace_gets_404_for_every_method_and_nothing_changes(token_client, story, outsider):
    criterion = story.acceptance_criteria.get(position=0)
    client = token_client(outsider)
    before = stored(criterion)
    url = f"{URL}{criterion.pk}/"
    assert client.get(url).status_code == 404
    assert client.put(url, {"story": story.pk, "text": "Hijacked"}).status_code == 404
    assert client.patch(url, {"is_met": True}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.get(URL, {"story": story.pk}).json()["count"] == 0
    assert stored(criterion) == before


def test_stale_if_match_answers_412_and_changes_nothing(client_as, story):
    criterion = story.acceptance_criteria.get(position=0)
    client = client_as("contributor")
    etag = client.get(f"{URL}{criterion.pk}/")["ETag"]
    assert client.patch(f"{URL}{criterion.pk}/", {"is_met": True}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(f"{URL}{criterion.pk}/", {"text": "Stale"}, HTTP_IF_MATCH=etag).status_code == 412
    assert criteria_of(story)[0] == ("Refund in full", True, 0)


@pytest.mark.parametrize("count", [5, 50])
def test_criterion_list_query_budget_holds_for_5_and_50(client_as, product, count, django_assert_max_num_queries):
    client = client_as("viewer")
    for _ in range(count):
        StoryFactory(product=product, acceptance_criteria=["a"])
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count
