"""The tech-debt resource: CRUD, move, schedule into a story, roles, tenancy, ETags, errors, query budget."""

import pytest

from backlog.models import Story, TechDebtItem
from backlog.services import sprint_close, sprint_start
from backlog.tests.factories import EpicFactory, SprintFactory, TechDebtItemFactory

from .helpers import stored

URL = "/api/v1/tech-debt/"


def test_contributor_creates_a_debt_item(client_as, product, editor, statuses):
    # given
    epic = EpicFactory(product=product)
    # when
    response = client_as("contributor").post(
        URL,
        {
            "product": product.pk,
            "title": "Replace the hand-rolled retry loop",
            "kind": "code",
            "impact": "high",
            "cost_of_delay": 8,
            "remediation_points": 5,
            "epic": epic.pk,
            "owner": editor.pk,
            "status": statuses["In progress"].pk,
            "labels": ["reliability"],
        },
        format="json",
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    item = TechDebtItem.objects.get(pk=body["id"])
    assert (item.kind, item.impact, item.cost_of_delay, item.remediation_points, item.epic, item.owner) == (
        "code",
        "high",
        8,
        5,
        epic,
        editor,
    )
    assert item.status == statuses["In progress"]
    assert {key: body[key] for key in ("key", "cost_per_point", "remediation_story", "labels")} == {
        "key": f"PAY-{item.number}",
        "cost_per_point": 1.6,
        "remediation_story": None,
        "labels": ["reliability"],
    }
    assert item.history.get().history_user.username == "cora"


def test_any_member_lists_and_filters_debt(client_as, product):
    # given
    flaky = TechDebtItemFactory(product=product, title="Flaky tests", kind="tests", impact="low")
    old_orm = TechDebtItemFactory(
        product=product, title="Old ORM", kind="dependencies", impact="critical", cost_of_delay=2
    )
    client = client_as("viewer")
    client_as("contributor").post(f"{URL}{old_orm.pk}/schedule/", {})

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    # then
    assert ids(product=product.pk) == [flaky.pk, old_orm.pk]
    assert ids(kind="tests") == [flaky.pk]
    assert ids(impact="critical") == [old_orm.pk]
    assert ids(scheduled="true") == [old_orm.pk]
    assert ids(scheduled="false") == [flaky.pk]
    assert ids(search="orm") == [old_orm.pk]
    assert ids(ordering="cost_of_delay") == [old_orm.pk, flaky.pk]


def test_contributor_edits_and_deletes_a_debt_item(client_as, product):
    item = TechDebtItemFactory(product=product, cost_of_delay=6)
    client = client_as("contributor")
    edited = client.patch(f"{URL}{item.pk}/", {"cost_of_delay": 12, "impact": "critical"})
    assert edited.status_code == 200, edited.json()
    assert (edited.json()["cost_of_delay"], edited.json()["impact"], edited.json()["cost_per_point"]) == (
        12,
        "critical",
        4.0,
    )
    assert TechDebtItem.objects.get(pk=item.pk).history.first().history_user.username == "cora"
    assert client.delete(f"{URL}{item.pk}/").status_code == 204
    assert not TechDebtItem.objects.filter(pk=item.pk).exists()
    assert TechDebtItem.history.get(id=item.pk, history_type="-").history_user.username == "cora"


def test_deleting_a_scheduled_item_keeps_its_story(client_as, product):
    item = TechDebtItemFactory(product=product)
    client = client_as("contributor")
    story_id = client.post(f"{URL}{item.pk}/schedule/", {}).json()["remediation_story"]
    assert client.delete(f"{URL}{item.pk}/").status_code == 204
    assert Story.objects.filter(pk=story_id).exists()


def test_schedule_creates_the_paying_story_in_a_sprint(client_as, product):
    # given
    epic = EpicFactory(product=product)
    item = TechDebtItemFactory(product=product, title="Old ORM", remediation_points=5, epic=epic)
    sprint = SprintFactory(product=product)
    # when
    response = client_as("contributor").post(f"{URL}{item.pk}/schedule/", {"sprint": sprint.pk})
    # then
    assert response.status_code == 201, response.json()
    story = Story.objects.get(pk=response.json()["remediation_story"])
    assert response["Location"] == f"/api/v1/stories/{story.pk}/"
    assert (story.title, story.points, story.sprint, story.epic) == ("Pay off: Old ORM", 5, sprint, epic)
    assert list(story.labels.values_list("name", flat=True)) == ["tech-debt"]
    assert story.history.get().history_user.username == "cora"


def test_schedule_without_a_sprint_puts_the_story_in_the_backlog(client_as, product):
    item = TechDebtItemFactory(product=product)
    response = client_as("contributor").post(f"{URL}{item.pk}/schedule/")
    assert response.status_code == 201, response.json()
    assert Story.objects.get(pk=response.json()["remediation_story"]).sprint is None


def test_scheduling_twice_answers_400_and_creates_nothing_more(client_as, product):
    item = TechDebtItemFactory(product=product)
    client = client_as("contributor")
    first = client.post(f"{URL}{item.pk}/schedule/", {})
    second = client.post(f"{URL}{item.pk}/schedule/", {})
    story = Story.objects.get()
    assert (first.status_code, second.status_code) == (201, 400)
    assert second.json()["error"]["fields"] == {
        "non_field_errors": [f"PAY-{item.number} is already scheduled as {story.key}."]
    }


def test_scheduling_into_a_closed_sprint_answers_400_and_creates_nothing(client_as, product):
    item = TechDebtItemFactory(product=product)
    sprint = SprintFactory(product=product, name="S1")
    sprint_close(sprint=sprint_start(sprint=sprint))
    response = client_as("contributor").post(f"{URL}{item.pk}/schedule/", {"sprint": sprint.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"sprint": ["S1 is closed; plan into an open sprint."]}
    assert not Story.objects.exists()
    item.refresh_from_db()
    assert item.remediation_story is None


def test_scheduling_into_a_sprint_of_another_workspace_answers_400(client_as, product, other_product):
    item = TechDebtItemFactory(product=product)
    foreign = SprintFactory(product=other_product)
    response = client_as("contributor").post(f"{URL}{item.pk}/schedule/", {"sprint": foreign.pk})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"sprint"}
    assert not Story.objects.exists()


def test_move_ranks_a_debt_item(client_as, product):
    a, b = TechDebtItemFactory(product=product), TechDebtItemFactory(product=product)
    client = client_as("contributor")
    assert client.post(f"{URL}{a.pk}/move/", {"after": b.pk}).status_code == 200
    assert [row["id"] for row in client.get(URL).json()["results"]] == [b.pk, a.pk]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "X", "kind": "vibes"}, {"kind"}),
        ({"title": "X", "impact": "huge"}, {"impact"}),
        ({"title": "X", "cost_of_delay": -1}, {"cost_of_delay"}),
        ({"title": "X", "cost_of_delay": 10**12}, {"cost_of_delay"}),
        ({"title": "X", "remediation_points": 101}, {"remediation_points"}),
        ({"title": "X", "remediation_story": 1}, {"remediation_story"}),
    ],
)
def test_bad_input_answers_400_naming_the_fields(client_as, product, payload, fields):
    response = client_as("contributor").post(URL, {"product": product.pk, **payload}, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert not TechDebtItem.objects.exists()


def test_viewer_cannot_create(client_as, product):
    response = client_as("viewer").post(URL, {"product": product.pk, "title": "Sneaky"})
    assert response.status_code == 403
    assert not TechDebtItem.objects.exists()


@pytest.mark.parametrize(
    ("method", "suffix"), [("patch", ""), ("put", ""), ("delete", ""), ("post", "move/"), ("post", "schedule/")]
)
def test_viewer_writes_answer_403_and_change_nothing(client_as, product, method, suffix):
    item, anchor = TechDebtItemFactory(product=product), TechDebtItemFactory(product=product)
    body = {"": {"product": product.pk, "title": "Hijacked"}, "move/": {"before": anchor.pk}, "schedule/": {}}[suffix]
    before = stored(item)
    response = getattr(client_as("viewer"), method)(f"{URL}{item.pk}/{suffix}", body, format="json")
    assert response.status_code == 403
    assert stored(item) == before
    assert not Story.objects.exists()


@pytest.mark.parametrize("role", ["contributor", "editor", "admin"])
def test_contributors_and_above_write(client_as, product, role):
    item = TechDebtItemFactory(product=product)
    client = client_as(role)
    assert client.patch(f"{URL}{item.pk}/", {"title": f"By {role}"}).status_code == 200
    assert client.post(f"{URL}{item.pk}/schedule/", {}).status_code == 201
    assert client.delete(f"{URL}{item.pk}/").status_code == 204


def test_other_workspace_gets_404_for_every_method_and_nothing_changes(token_client, product, outsider):
    item, anchor = TechDebtItemFactory(product=product), TechDebtItemFactory(product=product)
    client = token_client(outsider)
    before = stored(item)
    url = f"{URL}{item.pk}/"
    assert client.get(url).status_code == 404
    assert client.put(url, {"product": product.pk, "title": "Hijacked"}).status_code == 404
    assert client.patch(url, {"title": "Hijacked"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}move/", {"before": anchor.pk}).status_code == 404
    assert client.post(f"{url}schedule/", {}).status_code == 404
    assert client.get(URL, {"product": product.pk}).json()["count"] == 0
    assert stored(item) == before
    assert not Story.objects.exists()


def test_stale_if_match_answers_412_and_changes_nothing(client_as, product):
    item = TechDebtItemFactory(product=product, title="Original")
    client = client_as("contributor")
    etag = client.get(f"{URL}{item.pk}/")["ETag"]
    assert client.patch(f"{URL}{item.pk}/", {"title": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(f"{URL}{item.pk}/", {"title": "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    item.refresh_from_db()
    assert item.title == "First"


@pytest.mark.parametrize("count", [5, 50])
def test_tech_debt_list_query_budget_holds_for_5_and_50(
    client_as, product, contributor, count, django_assert_max_num_queries
):
    client = client_as("viewer")
    for _ in range(count):
        TechDebtItemFactory(product=product, owner=contributor, labels=["x"])
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count
