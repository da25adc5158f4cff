"""The comment resource: threads on the allowed targets, mentions, own edits, author-or-admin deletes, tenancy."""

import pytest

from activity.models import Comment, Notification
from activity.services import comment_create
from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory, TechDebtItemFactory
from decisions.services import requirement_create
from decisions.tests.factories import DecisionRecordFactory, PRDFactory
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory

URL = "/api/v1/comments/"
ROLE_FIXTURES = {"viewer": "viewer", "contributor": "contributor", "editor": "editor", "admin": "admin_user"}


def make_target(target_type: str, product, actor):
    if target_type == "epic":
        return EpicFactory(product=product)
    if target_type == "feature":
        return FeatureFactory(epic=EpicFactory(product=product))
    if target_type == "story":
        return StoryFactory(product=product)
    if target_type == "techdebtitem":
        return TechDebtItemFactory(product=product)
    if target_type == "roadmapitem":
        return RoadmapItemFactory(roadmap=RoadmapFactory(product=product))
    if target_type == "prd":
        return PRDFactory(product=product, actor=actor)
    if target_type == "decisionrecord":
        return DecisionRecordFactory(product=product, actor=actor)
    if target_type == "requirement":
        prd = PRDFactory(product=product, actor=actor)
        return requirement_create(prd=prd, actor=actor, title="Refunds within 5 days")
    raise AssertionError(target_type)


TARGET_TYPES = ["epic", "feature", "story", "techdebtitem", "roadmapitem", "prd", "decisionrecord", "requirement"]


@pytest.fixture
def story(product):
    return StoryFactory(product=product, title="Refund a card payment")


@pytest.mark.parametrize("target_type", TARGET_TYPES)
def test_a_member_comments_on_every_kind_of_target(token_client, product, editor, viewer, target_type):
    # given
    target = make_target(target_type, product, editor)
    # when: a viewer comments too
    response = token_client(viewer).post(
        URL, {"target_type": target_type, "target_id": target.pk, "body": "  Looks right to me.  "}
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["target_type"], body["target_id"], body["body"]) == (target_type, target.pk, "Looks right to me.")
    assert body["author"] == {"id": viewer.pk, "username": "vic", "name": viewer.get_full_name()}
    assert body["workspace"] == product.workspace_id
    comment = Comment.objects.get(pk=body["id"])
    assert comment.target == target


def test_mentions_are_listed_and_notified(token_client, story, editor, contributor, outsider):
    response = token_client(editor).post(
        URL, {"target_type": "story", "target_id": story.pk, "body": "@cora can you check? cc @mallory"}
    )
    assert response.status_code == 201
    assert [m["username"] for m in response.json()["mentions"]] == ["cora"]
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("cora", "mention")]


def test_thread_of_a_target_in_order(token_client, workspace, product, story, editor, viewer):
    # given
    other = StoryFactory(product=product)
    first = comment_create(workspace=workspace, target=story, author=editor, body="First")
    comment_create(workspace=workspace, target=other, author=editor, body="Elsewhere")
    second = comment_create(workspace=workspace, target=story, author=viewer, body="Second")
    # when
    response = token_client(viewer).get(URL, {"target_type": "story", "target_id": story.pk})
    # then
    assert response.status_code == 200
    assert [(c["id"], c["body"]) for c in response.json()["results"]] == [(first.pk, "First"), (second.pk, "Second")]


def test_list_filters_by_author_and_searches(token_client, workspace, story, editor, viewer):
    comment_create(workspace=workspace, target=story, author=editor, body="Ship it")
    comment_create(workspace=workspace, target=story, author=viewer, body="Hold on")
    client = token_client(viewer)
    assert [c["body"] for c in client.get(URL, {"author": editor.pk}).json()["results"]] == ["Ship it"]
    assert [c["body"] for c in client.get(URL, {"search": "hold"}).json()["results"]] == ["Hold on"]


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"target_type": "sprint"}, {"target_type"}),
        ({"target_id": 1}, {"target_type"}),
        ({"target_id": "x"}, {"target_id"}),
    ],
)
def test_bad_list_filters_answer_400(token_client, viewer, params, fields):
    response = token_client(viewer).get(URL, params)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"target_type": "sprint", "target_id": 1, "body": "Hi"}, {"target_type"}),
        ({"target_type": "workspace", "target_id": 1, "body": "Hi"}, {"target_type"}),
        ({"target_type": "story", "body": "Hi"}, {"target_id"}),
        ({"target_type": "story", "target_id": "abc", "body": "Hi"}, {"target_id"}),
        ({"target_type": "story", "target_id": "STORY", "body": "   "}, {"body"}),
        ({"target_type": "story", "target_id": "STORY", "body": "Hi", "author": 1}, {"author"}),
    ],
)
def test_bad_input_answers_400_naming_the_fields(token_client, story, viewer, payload, fields):
    payload = {key: (story.pk if value == "STORY" else value) for key, value in payload.items()}
    response = token_client(viewer).post(URL, payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert Comment.objects.count() == 0


def test_a_foreign_target_is_refused_like_a_missing_one(token_client, other_product, editor):
    # given: a story of another workspace, and an id that exists nowhere
    foreign = StoryFactory(product=other_product)
    client = token_client(editor)
    # when
    on_foreign = client.post(URL, {"target_type": "story", "target_id": foreign.pk, "body": "Sneaky"})
    on_missing = client.post(URL, {"target_type": "story", "target_id": 10**9, "body": "Sneaky"})
    # then: the same answer, and nothing written
    assert on_foreign.status_code == on_missing.status_code == 400
    assert on_foreign.json() == on_missing.json()
    assert on_foreign.json()["error"]["fields"] == {"target_id": ["No story with this id."]}
    assert Comment.objects.count() == 0


def test_the_thread_of_a_foreign_target_lists_nothing(token_client, workspace, story, editor, outsider):
    comment_create(workspace=workspace, target=story, author=editor, body="Internal")
    response = token_client(outsider).get(URL, {"target_type": "story", "target_id": story.pk})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_the_author_edits_their_comment(token_client, workspace, story, editor):
    comment = comment_create(workspace=workspace, target=story, author=editor, body="Frist")
    response = token_client(editor).patch(f"{URL}{comment.pk}/", {"body": "First"})
    assert response.status_code == 200, response.json()
    comment.refresh_from_db()
    assert comment.body == "First"


def test_an_edit_notifies_only_the_newly_mentioned(token_client, workspace, story, editor, contributor, viewer):
    comment = comment_create(workspace=workspace, target=story, author=editor, body="@cora please check")
    response = token_client(editor).put(f"{URL}{comment.pk}/", {"body": "@cora and @vic please check"})
    assert response.status_code == 200
    assert [m["username"] for m in response.json()["mentions"]] == ["cora", "vic"]
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["cora", "vic"]


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor", "admin"])
def test_nobody_else_edits_a_comment_and_a_refusal_changes_nothing(
    token_client, workspace, story, member_factory, role, request
):
    author = member_factory(user__username="author")
    comment = comment_create(workspace=workspace, target=story, author=author, body="Mine")
    response = token_client(request.getfixturevalue(ROLE_FIXTURES[role])).patch(
        f"{URL}{comment.pk}/", {"body": "Yours"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only the author can edit a comment."
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_an_edit_keeps_the_target(token_client, workspace, product, story, editor):
    comment = comment_create(workspace=workspace, target=story, author=editor, body="Here")
    other = StoryFactory(product=product)
    client = token_client(editor)
    response = client.patch(f"{URL}{comment.pk}/", {"target_id": other.pk})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"target_id": ["Unknown field."]}
    blank = client.patch(f"{URL}{comment.pk}/", {"body": "  "})
    assert blank.status_code == 400
    comment.refresh_from_db()
    assert (comment.object_id, comment.body) == (story.pk, "Here")


def test_the_author_deletes_their_comment(token_client, workspace, story, viewer):
    comment = comment_create(workspace=workspace, target=story, author=viewer, body="Oops")
    assert token_client(viewer).delete(f"{URL}{comment.pk}/").status_code == 204
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_an_admin_deletes_anyones_comment(token_client, workspace, story, viewer, admin_user):
    comment = comment_create(workspace=workspace, target=story, author=viewer, body="Off topic")
    assert token_client(admin_user).delete(f"{URL}{comment.pk}/").status_code == 204
    assert not Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_below_admin_nobody_deletes_anothers_comment(token_client, workspace, story, member_factory, role, request):
    author = member_factory(user__username="author")
    comment = comment_create(workspace=workspace, target=story, author=author, body="Keep")
    response = token_client(request.getfixturevalue(ROLE_FIXTURES[role])).delete(f"{URL}{comment.pk}/")
    assert response.status_code == 403
    assert Comment.objects.filter(pk=comment.pk).exists()


def test_other_workspace_answers_404_for_every_method_and_nothing_changes(
    token_client, workspace, story, editor, outsider
):
    comment = comment_create(workspace=workspace, target=story, author=editor, body="Internal")
    client = token_client(outsider)
    url = f"{URL}{comment.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"body": "Hijacked"}).status_code == 404
    assert client.put(url, {"body": "Hijacked"}).status_code == 404
    assert client.delete(url).status_code == 404
    comment.refresh_from_db()
    assert comment.body == "Internal"
    assert client.get(URL).json()["count"] == 0


def test_stale_if_match_answers_412_and_changes_nothing(token_client, workspace, story, editor):
    comment = comment_create(workspace=workspace, target=story, author=editor, body="v1")
    client = token_client(editor)
    etag = client.get(f"{URL}{comment.pk}/")["ETag"]
    assert client.patch(f"{URL}{comment.pk}/", {"body": "v2"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(f"{URL}{comment.pk}/", {"body": "v3"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    comment.refresh_from_db()
    assert comment.body == "v2"


@pytest.mark.parametrize("count", [5, 50])
def test_comment_list_query_budget_holds_for_5_and_50(
    token_client, workspace, story, editor, contributor, count, django_assert_max_num_queries
):
    for i in range(count):
        comment_create(workspace=workspace, target=story, author=editor, body=f"@cora note {i}")
    client = token_client(contributor)
    with django_assert_max_num_queries(5):
        response = client.get(URL, {"target_type": "story", "target_id": story.pk, "page_size": 100})
    assert response.json()["count"] == count
