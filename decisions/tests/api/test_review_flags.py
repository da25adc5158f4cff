"""Review flags: open ones listed by default, filters, clearing (contributors and up), tenancy, budgets."""

import pytest

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions.models import ReviewFlag
from decisions.services import flags_raise, requirement_create, review_flag_clear
from roadmap.tests.factories import RoadmapFactory, RoadmapItemFactory

from .helpers import client_as, fingerprint, ids

URL = "/api/v1/review-flags/"


@pytest.fixture
def requirement(prd, editor):
    return requirement_create(prd=prd, actor=editor, title="Refund within 5 days")


@pytest.fixture
def story_flag(product, requirement, editor):
    story = StoryFactory(product=product, title="Refund a card payment")
    (flag,) = flags_raise(items=[story], requirement=requirement, actor=editor, reason="REQ-1 changed.")
    return flag


def test_an_open_flag_names_its_target_and_cause(token_client, product, story_flag, requirement, editor, viewer):
    response = token_client(viewer).get(f"{URL}{story_flag.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["target"] == {
        "type": "story",
        "id": story_flag.story_id,
        "key": f"PAY-{story_flag.story.number}",
        "title": "Refund a card payment",
    }
    assert (body["product"], body["story"], body["requirement"], body["decision"]) == (
        product.pk,
        story_flag.story_id,
        requirement.pk,
        None,
    )
    assert (body["reason"], body["raised_by"]["id"], body["is_open"], body["cleared_at"]) == (
        "REQ-1 changed.",
        editor.pk,
        True,
        None,
    )


def test_list_shows_open_flags_unless_asked(token_client, product, story_flag, requirement, editor, viewer):
    # given
    item = RoadmapItemFactory(roadmap=RoadmapFactory(product=product), title="Wallets")
    feature = FeatureFactory(epic=EpicFactory(product=product))
    item_flag, feature_flag = flags_raise(items=[item, feature], requirement=requirement, actor=editor, reason="x")
    review_flag_clear(flag=feature_flag, actor=editor)
    client = token_client(viewer)
    # then
    assert ids(client.get(URL)) == [item_flag.pk, story_flag.pk]
    assert ids(client.get(URL, {"status": "cleared"})) == [feature_flag.pk]
    assert ids(client.get(URL, {"status": "all", "ordering": "created_at"})) == [
        story_flag.pk,
        item_flag.pk,
        feature_flag.pk,
    ]
    assert ids(client.get(URL, {"target_type": "roadmap_item"})) == [item_flag.pk]
    assert ids(client.get(URL, {"story": story_flag.story_id})) == [story_flag.pk]
    assert ids(client.get(URL, {"requirement": requirement.pk, "product": product.pk})) == [
        item_flag.pk,
        story_flag.pk,
    ]
    assert client.get(f"{URL}{item_flag.pk}/").json()["target"] == {
        "type": "roadmap_item",
        "id": item.pk,
        "key": None,
        "title": "Wallets",
    }
    bad = client.get(URL, {"status": "closed", "target_type": "sprint"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "target_type"}


def test_clear_a_flag(token_client, story_flag, contributor):
    # when
    response = token_client(contributor).post(f"{URL}{story_flag.pk}/clear/", {"note": "Story still fits."})
    # then
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["is_open"], body["cleared_by"]["id"], body["clear_note"]) == (
        False,
        contributor.pk,
        "Story still fits.",
    )
    story_flag.refresh_from_db()
    assert story_flag.cleared_by == contributor


def test_a_cleared_flag_is_still_readable_and_cannot_be_cleared_twice(token_client, story_flag, editor):
    review_flag_clear(flag=story_flag, actor=editor)
    client = token_client(editor)
    assert client.get(f"{URL}{story_flag.pk}/").json()["is_open"] is False
    response = client.post(f"{URL}{story_flag.pk}/clear/", {})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"flag": ["This flag was already cleared."]}


@pytest.mark.parametrize(("payload", "fields"), [({"note": "x" * 256}, {"note"}), ({"reason": "y"}, {"reason"})])
def test_bad_clear_input_answers_400(token_client, story_flag, editor, payload, fields):
    response = token_client(editor).post(f"{URL}{story_flag.pk}/clear/", payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    story_flag.refresh_from_db()
    assert story_flag.is_open


@pytest.mark.parametrize(
    ("role", "allowed"), [("viewer", False), ("contributor", True), ("editor", True), ("admin", True)]
)
def test_who_clears_flags(request, token_client, story_flag, role, allowed):
    client = client_as(request, token_client, role)
    before = fingerprint()
    response = client.post(f"{URL}{story_flag.pk}/clear/", {})
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert fingerprint() == before


def test_flags_are_not_written_directly(token_client, story_flag, admin_user):
    client = token_client(admin_user)
    assert client.patch(f"{URL}{story_flag.pk}/", {"reason": "x"}).status_code == 405
    assert client.delete(f"{URL}{story_flag.pk}/").status_code == 405
    assert client.post(URL, {"reason": "x"}).status_code == 405
    assert ReviewFlag.objects.get().reason == "REQ-1 changed."


def test_other_workspace_gets_404_on_every_route_and_nothing_changes(token_client, story_flag, outsider):
    client = token_client(outsider)
    before = fingerprint()
    answers = {
        "get": client.get(f"{URL}{story_flag.pk}/"),
        "clear": client.post(f"{URL}{story_flag.pk}/clear/", {}),
    }
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert client.get(URL, {"status": "all"}).json()["count"] == 0
    assert fingerprint() == before


@pytest.mark.parametrize("count", [5, 50])
def test_review_flag_list_query_budget_holds_for_5_and_50(
    token_client, product, requirement, editor, viewer, count, django_assert_max_num_queries
):
    epic = EpicFactory(product=product)
    feature = FeatureFactory(epic=epic)
    items = [StoryFactory(feature=feature, assignee=viewer) for _ in range(count - 3)]
    items += [epic, feature, RoadmapItemFactory(roadmap=RoadmapFactory(product=product))]
    flags = flags_raise(items=items, requirement=requirement, actor=editor, reason="Changed")
    review_flag_clear(flag=flags[0], actor=editor)
    client = token_client(viewer)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"status": "all", "page_size": 100})
    assert response.json()["count"] == count
