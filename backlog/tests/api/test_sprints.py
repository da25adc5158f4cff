"""The sprint resource: CRUD, start, close, add / remove stories, points, roles, tenancy, ETags, errors, budget."""

import datetime

import pytest

from backlog.models import Sprint, Story
from backlog.services import sprint_close, sprint_start
from backlog.tests.factories import SprintFactory, StoryFactory
from workspaces.tests.factories import ProductFactory

from .helpers import stored

URL = "/api/v1/sprints/"


def test_any_member_lists_sprints_with_committed_and_done_points(client_as, product, statuses):
    # given S1 holding 3 + 5 points, 5 of them done; S2 empty
    s1 = SprintFactory(product=product, name="S1", start_date=datetime.date(2026, 11, 2))
    s2 = SprintFactory(
        product=product, name="S2", start_date=datetime.date(2026, 11, 16), end_date=datetime.date(2026, 11, 27)
    )
    StoryFactory(product=product, sprint=s1, points=3)
    StoryFactory(product=product, sprint=s1, points=5, status=statuses["Done"])
    StoryFactory(product=product, sprint=s1, points=None)
    StoryFactory(product=product, points=8)
    # when
    response = client_as("viewer").get(URL, {"product": product.pk})
    # then
    assert response.status_code == 200
    assert [
        (row["id"], row["name"], row["state"], row["committed_points"], row["done_points"])
        for row in response.json()["results"]
    ] == [(s1.pk, "S1", "planned", 8, 5), (s2.pk, "S2", "planned", 0, 0)]


def test_detail_has_the_whole_sprint_with_an_etag(client_as, product):
    sprint = SprintFactory(product=product, name="S1", goal="Refunds", capacity_points=30)
    response = client_as("viewer").get(f"{URL}{sprint.pk}/")
    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    assert {key: body[key] for key in body if key not in ("created_at", "updated_at")} == {
        "id": sprint.pk,
        "product": product.pk,
        "name": "S1",
        "goal": "Refunds",
        "start_date": "2026-11-02",
        "end_date": "2026-11-13",
        "capacity_points": 30,
        "state": "planned",
        "committed_points": 0,
        "done_points": 0,
    }


def test_editor_creates_a_sprint(client_as, product):
    response = client_as("editor").post(
        URL,
        {
            "product": product.pk,
            "name": " S1 ",
            "goal": "Refunds",
            "start_date": "2026-11-02",
            "end_date": "2026-11-13",
            "capacity_points": 40,
        },
    )
    assert response.status_code == 201, response.json()
    sprint = Sprint.objects.get(pk=response.json()["id"])
    assert (sprint.name, sprint.goal, sprint.capacity_points, sprint.state) == ("S1", "Refunds", 40, "planned")
    assert sprint.history.get().history_user.username == "eddie"


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        (
            {"start_date": "2026-11-13", "end_date": "2026-11-02"},
            {"end_date": ["The sprint must end on or after its start date."]},
        ),
        ({"name": "S1"}, {"name": ["Payments already has a sprint called S1."]}),
        ({"state": "active"}, {"state": ["Unknown field."]}),
        ({"capacity_points": -1}, {"capacity_points": ["Ensure this value is greater than or equal to 0."]}),
        ({"start_date": "soon"}, {"start_date"}),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
    ],
)
def test_bad_input_on_create_answers_400_naming_the_fields(client_as, product, payload, fields):
    SprintFactory(product=product, name="S1")
    body = {"product": product.pk, "name": "S2", "start_date": "2026-11-02", "end_date": "2026-11-13", **payload}
    response = client_as("editor").post(URL, body)
    assert response.status_code == 400
    got = response.json()["error"]["fields"]
    assert (got if isinstance(fields, dict) else set(got)) == fields
    assert Sprint.objects.count() == 1


def test_editor_edits_a_sprint(client_as, product):
    sprint = SprintFactory(product=product, name="S1")
    response = client_as("editor").patch(f"{URL}{sprint.pk}/", {"goal": "Payouts", "end_date": "2026-11-20"})
    assert response.status_code == 200, response.json()
    sprint.refresh_from_db()
    assert (sprint.goal, sprint.end_date) == ("Payouts", datetime.date(2026, 11, 20))
    assert sprint.history.first().history_user.username == "eddie"


def test_editing_dates_backwards_or_onto_another_name_answers_400_and_changes_nothing(client_as, product):
    sprint = SprintFactory(product=product, name="S1")
    SprintFactory(product=product, name="S2")
    before = stored(sprint)
    client = client_as("editor")
    backwards = client.patch(f"{URL}{sprint.pk}/", {"end_date": "2026-10-01"})
    renamed = client.patch(f"{URL}{sprint.pk}/", {"name": "S2"})
    assert backwards.json()["error"]["fields"] == {"end_date": ["The sprint must end on or after its start date."]}
    assert renamed.json()["error"]["fields"] == {"name": ["Payments already has a sprint called S2."]}
    assert stored(sprint) == before


def test_start_then_close_carrying_unfinished_work_over(client_as, product, statuses):
    # given
    s1, s2 = SprintFactory(product=product, name="S1"), SprintFactory(product=product, name="S2")
    done = StoryFactory(product=product, sprint=s1, status=statuses["Done"])
    open_story = StoryFactory(product=product, sprint=s1)
    client = client_as("editor")
    # when
    started = client.post(f"{URL}{s1.pk}/start/")
    closed = client.post(f"{URL}{s1.pk}/close/", {"carry_over_to": s2.pk})
    # then
    assert (started.status_code, started.json()["state"]) == (200, "active")
    assert (closed.status_code, closed.json()["state"]) == (200, "closed")
    assert Story.objects.get(pk=done.pk).sprint == s1
    assert Story.objects.get(pk=open_story.pk).sprint == s2
    assert [h.history_user.username for h in Sprint.objects.get(pk=s1.pk).history.all()[:2]] == ["eddie", "eddie"]


def test_close_without_carry_over_sends_unfinished_work_to_the_backlog(client_as, product):
    sprint = SprintFactory(product=product)
    story = StoryFactory(product=product, sprint=sprint)
    client = client_as("editor")
    client.post(f"{URL}{sprint.pk}/start/")
    assert client.post(f"{URL}{sprint.pk}/close/", {}).status_code == 200
    assert Story.objects.get(pk=story.pk).sprint is None


def test_starting_while_another_sprint_is_active_answers_400(client_as, product):
    s1, s2 = SprintFactory(product=product, name="S1"), SprintFactory(product=product, name="S2")
    sprint_start(sprint=s1)
    response = client_as("editor").post(f"{URL}{s2.pk}/start/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"state": ["Close S1 before starting S2."]}
    assert Sprint.objects.get(pk=s2.pk).state == "planned"


def test_closing_a_planned_sprint_or_into_a_foreign_sprint_answers_400(client_as, product, other_product):
    sprint = SprintFactory(product=product, name="S1")
    foreign = SprintFactory(product=other_product)
    client = client_as("editor")
    planned = client.post(f"{URL}{sprint.pk}/close/", {})
    assert planned.json()["error"]["fields"] == {"state": ["Only an active sprint can be closed; S1 is planned."]}
    sprint_start(sprint=sprint)
    into_foreign = client.post(f"{URL}{sprint.pk}/close/", {"carry_over_to": foreign.pk})
    assert set(into_foreign.json()["error"]["fields"]) == {"carry_over_to"}
    assert (planned.status_code, into_foreign.status_code) == (400, 400)
    assert Sprint.objects.get(pk=sprint.pk).state == "active"


def test_contributor_adds_and_removes_stories(client_as, product, statuses):
    # given
    sprint = SprintFactory(product=product, name="S1")
    a = StoryFactory(product=product, points=3)
    b = StoryFactory(product=product, points=5, status=statuses["Done"])
    client = client_as("contributor")
    # when
    added = client.post(f"{URL}{sprint.pk}/add-stories/", {"stories": [a.pk, b.pk, a.pk]}, format="json")
    # then
    assert added.status_code == 200, added.json()
    assert (added.json()["committed_points"], added.json()["done_points"]) == (8, 5)
    assert set(Story.objects.filter(sprint=sprint).values_list("pk", flat=True)) == {a.pk, b.pk}
    assert Story.objects.get(pk=a.pk).history.first().history_user.username == "cora"
    # when
    removed = client.post(f"{URL}{sprint.pk}/remove-stories/", {"stories": [b.pk]}, format="json")
    # then
    assert removed.status_code == 200, removed.json()
    assert (removed.json()["committed_points"], removed.json()["done_points"]) == (3, 0)
    assert Story.objects.get(pk=b.pk).sprint is None


def test_adding_stories_of_another_product_or_workspace_answers_400_and_moves_none(
    client_as, workspace, product, other_product
):
    sprint = SprintFactory(product=product, name="S1")
    mine = StoryFactory(product=product)
    sibling = StoryFactory(product=ProductFactory(workspace=workspace, name="Checkout", key="CHK"))
    foreign = StoryFactory(product=other_product)
    response = client_as("contributor").post(
        f"{URL}{sprint.pk}/add-stories/", {"stories": [mine.pk, sibling.pk, foreign.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "stories": [f"These are not stories of Payments: {sibling.pk}, {foreign.pk}."]
    }
    assert not Story.objects.filter(sprint=sprint).exists()


def test_removing_a_story_that_is_not_in_the_sprint_answers_400_and_moves_none(client_as, product):
    s1, s2 = SprintFactory(product=product, name="S1"), SprintFactory(product=product, name="S2")
    inside, elsewhere = StoryFactory(product=product, sprint=s1), StoryFactory(product=product, sprint=s2)
    response = client_as("contributor").post(
        f"{URL}{s1.pk}/remove-stories/", {"stories": [inside.pk, elsewhere.pk]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"stories": [f"These stories are not in S1: {elsewhere.pk}."]}
    assert (Story.objects.get(pk=inside.pk).sprint, Story.objects.get(pk=elsewhere.pk).sprint) == (s1, s2)


def test_adding_stories_to_a_closed_sprint_answers_400(client_as, product):
    sprint = SprintFactory(product=product, name="S1")
    sprint_close(sprint=sprint_start(sprint=sprint))
    story = StoryFactory(product=product)
    response = client_as("contributor").post(f"{URL}{sprint.pk}/add-stories/", {"stories": [story.pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"sprint": ["S1 is closed; plan into an open sprint."]}
    assert Story.objects.get(pk=story.pk).sprint is None


@pytest.mark.parametrize(
    ("payload", "field_errors"),
    [
        ({"stories": []}, {"stories": ["This list may not be empty."]}),
        ({"stories": [1, "x"]}, {"stories": ["At index 1: A valid integer is required."]}),
        ({"stories": list(range(1, 502))}, {"stories": ["Ensure this field has no more than 500 elements."]}),
        ({}, {"stories": ["This field is required."]}),
    ],
)
def test_bad_story_lists_answer_400(client_as, product, payload, field_errors):
    sprint = SprintFactory(product=product)
    response = client_as("contributor").post(f"{URL}{sprint.pk}/add-stories/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == field_errors


def test_delete_a_planned_sprint_sends_its_stories_to_the_backlog(client_as, product):
    sprint = SprintFactory(product=product)
    story = StoryFactory(product=product, sprint=sprint)
    response = client_as("editor").delete(f"{URL}{sprint.pk}/")
    assert response.status_code == 204
    assert not Sprint.objects.filter(pk=sprint.pk).exists()
    story = Story.objects.get(pk=story.pk)
    assert story.sprint is None
    assert story.history.first().history_user.username == "eddie"
    assert Sprint.history.get(id=sprint.pk, history_type="-").history_user.username == "eddie"


def test_deleting_an_active_sprint_answers_400(client_as, product):
    sprint = SprintFactory(product=product, name="S1")
    sprint_start(sprint=sprint)
    response = client_as("editor").delete(f"{URL}{sprint.pk}/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "non_field_errors": ["S1 is active; only a planned sprint can be deleted."]
    }
    assert Sprint.objects.filter(pk=sprint.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "contributor"])
def test_below_editor_cannot_create(client_as, product, role):
    body = {"product": product.pk, "name": "Sneaky", "start_date": "2026-11-02", "end_date": "2026-11-13"}
    response = client_as(role).post(URL, body)
    assert response.status_code == 403
    assert not Sprint.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "contributor"])
@pytest.mark.parametrize(
    ("method", "suffix"), [("patch", ""), ("put", ""), ("delete", ""), ("post", "start/"), ("post", "close/")]
)
def test_below_editor_cannot_edit_start_close_or_delete(client_as, product, role, method, suffix):
    sprint = SprintFactory(product=product, name="S1")
    body = {"product": product.pk, "name": "Hijacked", "start_date": "2026-11-02", "end_date": "2026-11-13"}
    before = stored(sprint)
    response = getattr(client_as(role), method)(f"{URL}{sprint.pk}/{suffix}", body if not suffix else {}, format="json")
    assert response.status_code == 403
    assert stored(sprint) == before


@pytest.mark.parametrize("suffix", ["add-stories/", "remove-stories/"])
def test_viewer_cannot_plan_stories(client_as, product, suffix):
    sprint = SprintFactory(product=product)
    planned = StoryFactory(product=product, sprint=sprint)
    backlog = StoryFactory(product=product)
    response = client_as("viewer").post(
        f"{URL}{sprint.pk}/{suffix}", {"stories": [planned.pk, backlog.pk]}, format="json"
    )
    assert response.status_code == 403
    assert (Story.objects.get(pk=planned.pk).sprint, Story.objects.get(pk=backlog.pk).sprint) == (sprint, None)


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_manage_sprints(client_as, product, role):
    client = client_as(role)
    body = {"product": product.pk, "name": "S1", "start_date": "2026-11-02", "end_date": "2026-11-13"}
    sprint_id = client.post(URL, body).json()["id"]
    story = StoryFactory(product=product)
    assert client.patch(f"{URL}{sprint_id}/", {"goal": "Refunds"}).status_code == 200
    assert client.post(f"{URL}{sprint_id}/add-stories/", {"stories": [story.pk]}, format="json").status_code == 200
    assert client.post(f"{URL}{sprint_id}/start/").status_code == 200
    assert client.post(f"{URL}{sprint_id}/close/", {}).status_code == 200
    planned = SprintFactory(product=product, name="S2")
    assert client.delete(f"{URL}{planned.pk}/").status_code == 204


def test_other_workspace_gets_404_for_every_method_and_nothing_changes(token_client, product, outsider):
    sprint = SprintFactory(product=product, name="S1")
    story = StoryFactory(product=product)
    client = token_client(outsider)
    before = stored(sprint)
    url = f"{URL}{sprint.pk}/"
    assert client.get(url).status_code == 404
    assert client.put(url, {"name": "Hijacked"}).status_code == 404
    assert client.patch(url, {"name": "Hijacked"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}start/").status_code == 404
    assert client.post(f"{url}close/", {}).status_code == 404
    assert client.post(f"{url}add-stories/", {"stories": [story.pk]}, format="json").status_code == 404
    assert client.post(f"{url}remove-stories/", {"stories": [story.pk]}, format="json").status_code == 404
    assert client.get(URL, {"product": product.pk}).json()["count"] == 0
    assert stored(sprint) == before
    assert Story.objects.get(pk=story.pk).sprint is None


def test_stale_if_match_answers_412_and_changes_nothing(client_as, product):
    sprint = SprintFactory(product=product, goal="Original")
    client = client_as("editor")
    etag = client.get(f"{URL}{sprint.pk}/")["ETag"]
    assert client.patch(f"{URL}{sprint.pk}/", {"goal": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    assert client.patch(f"{URL}{sprint.pk}/", {"goal": "Second"}, HTTP_IF_MATCH=etag).status_code == 412
    sprint.refresh_from_db()
    assert sprint.goal == "First"


def test_planning_stories_does_not_make_the_sprint_etag_stale(client_as, product):
    sprint = SprintFactory(product=product)
    story = StoryFactory(product=product, points=5)
    client = client_as("editor")
    etag = client.get(f"{URL}{sprint.pk}/")["ETag"]
    client.post(f"{URL}{sprint.pk}/add-stories/", {"stories": [story.pk]}, format="json")
    response = client.patch(f"{URL}{sprint.pk}/", {"goal": "Refunds"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert (response.json()["goal"], response.json()["committed_points"]) == ("Refunds", 5)


@pytest.mark.parametrize("count", [5, 50])
def test_sprint_list_query_budget_holds_for_5_and_50(
    client_as, product, statuses, count, django_assert_max_num_queries
):
    client = client_as("viewer")
    for n in range(count):
        sprint = SprintFactory(product=product, name=f"S{n}")
        StoryFactory(product=product, sprint=sprint, points=2, status=statuses["Done"])
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"product": product.pk, "page_size": 100})
    assert response.json()["count"] == count
