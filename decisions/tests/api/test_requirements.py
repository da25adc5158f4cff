"""The requirement resource: CRUD with REQ keys, link / unlink, change impact, roles, tenancy, budgets."""

import pytest

from backlog.tests.factories import EpicFactory, FeatureFactory, StoryFactory
from decisions.models import Requirement, ReviewFlag
from decisions.services import requirement_create
from decisions.tests.factories import PRDFactory

from .helpers import client_as, fingerprint, ids

URL = "/api/v1/requirements/"


@pytest.fixture
def feature(product):
    return FeatureFactory(epic=EpicFactory(product=product), title="Refund flow")


@pytest.fixture
def requirement(prd, editor):
    return requirement_create(prd=prd, actor=editor, title="Refund within 5 days")


def test_create_requirement_with_its_trace(token_client, prd, editor, feature):
    # given
    story = StoryFactory(feature=feature)
    # when
    response = token_client(editor).post(
        URL,
        {
            "prd": prd.pk,
            "title": " Refund within 5 days ",
            "description": "Card and wallet payments.",
            "priority": "should",
            "features": [feature.pk],
            "stories": [story.pk],
        },
    )
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["key"] == "REQ-1"
    assert (body["prd"], body["product"], body["title"], body["priority"]) == (
        prd.pk,
        prd.product_id,
        "Refund within 5 days",
        "should",
    )
    assert (body["features"], body["stories"]) == ([feature.pk], [story.pk])
    latest = prd.versions.order_by("-number").first()
    assert (latest.number, latest.change_note) == (2, "Added REQ-1")


def test_keys_are_never_reused(token_client, prd, editor, requirement):
    client = token_client(editor)
    assert client.delete(f"{URL}{requirement.pk}/").status_code == 204
    response = client.post(URL, {"prd": prd.pk, "title": "Partial refunds"})
    assert response.json()["key"] == "REQ-2"


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"title": "No PRD"}, {"prd"}),
        ({"prd": "PRD", "title": " "}, {"title"}),
        ({"prd": "PRD", "title": "X", "priority": "urgent"}, {"priority"}),
        ({"prd": "PRD", "title": "X", "features": [10**9]}, {"features"}),
        ({"prd": "PRD", "title": "X", "key": "REQ-9"}, {"key"}),
    ],
)
def test_bad_create_input_answers_400_naming_the_fields(token_client, prd, editor, payload, fields):
    payload = {key: (prd.pk if value == "PRD" else value) for key, value in payload.items()}
    response = token_client(editor).post(URL, payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert not Requirement.objects.exists()


def test_a_story_of_another_product_is_refused(token_client, workspace, prd, editor):
    from workspaces.tests.factories import ProductFactory

    story = StoryFactory(product=ProductFactory(workspace=workspace, key="SIB"))
    response = token_client(editor).post(URL, {"prd": prd.pk, "title": "X", "stories": [story.pk]})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"stories"}
    assert not Requirement.objects.exists()


def test_update_flags_what_delivers_it_and_publishes(token_client, prd, editor, feature):
    # given
    requirement = requirement_create(prd=prd, actor=editor, title="Refunds", features=[feature])
    # when
    client = token_client(editor)
    etag = client.get(f"{URL}{requirement.pk}/")["ETag"]
    response = client.patch(
        f"{URL}{requirement.pk}/", {"title": "Refunds in 3 days", "priority": "must"}, HTTP_IF_MATCH=etag
    )
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Refunds in 3 days"
    flag = ReviewFlag.objects.get()
    assert (flag.feature, flag.requirement) == (feature, requirement)
    assert prd.versions.order_by("-number").first().change_note == f"Changed {requirement.key}"


def test_update_refuses_moving_or_relinking(token_client, requirement, editor, feature):
    client = token_client(editor)
    etag = client.get(f"{URL}{requirement.pk}/")["ETag"]
    response = client.patch(f"{URL}{requirement.pk}/", {"prd": 1, "features": [feature.pk]}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"features": ["Unknown field."], "prd": ["Unknown field."]}


def test_stale_if_match_answers_412_and_changes_nothing(token_client, requirement, editor):
    client = token_client(editor)
    etag = client.get(f"{URL}{requirement.pk}/")["ETag"]
    assert client.patch(f"{URL}{requirement.pk}/", {"title": "First"}, HTTP_IF_MATCH=etag).status_code == 200
    response = client.patch(f"{URL}{requirement.pk}/", {"title": "Second"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    requirement.refresh_from_db()
    assert requirement.title == "First"


def test_delete_flags_what_delivered_it(token_client, prd, editor, feature):
    requirement = requirement_create(prd=prd, actor=editor, title="Refunds", features=[feature])
    response = token_client(editor).delete(f"{URL}{requirement.pk}/")
    assert response.status_code == 204
    assert not Requirement.objects.filter(pk=requirement.pk).exists()
    assert ReviewFlag.objects.get().feature == feature


def test_link_and_unlink(token_client, requirement, editor, feature):
    # given
    story = StoryFactory(feature=feature)
    client = token_client(editor)
    # when
    linked = client.post(f"{URL}{requirement.pk}/link/", {"features": [feature.pk], "stories": [story.pk]})
    unlinked = client.post(f"{URL}{requirement.pk}/unlink/", {"stories": [story.pk]})
    # then
    assert linked.status_code == 200, linked.json()
    assert (linked.json()["features"], linked.json()["stories"]) == ([feature.pk], [story.pk])
    assert unlinked.status_code == 200
    assert (unlinked.json()["features"], unlinked.json()["stories"]) == ([feature.pk], [])
    assert list(requirement.stories.all()) == []


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"features"}),
        ({"features": []}, {"features"}),
        ({"stories": ["x"]}, {"stories"}),
        ({"epics": [1]}, {"epics"}),
    ],
)
def test_bad_link_input_answers_400(token_client, requirement, editor, payload, fields):
    response = token_client(editor).post(f"{URL}{requirement.pk}/link/", payload)
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields


def test_linking_a_feature_of_another_product_is_refused(token_client, workspace, requirement, editor):
    from workspaces.tests.factories import ProductFactory

    foreign = FeatureFactory(epic=EpicFactory(product=ProductFactory(workspace=workspace, key="SIB")))
    response = token_client(editor).post(f"{URL}{requirement.pk}/link/", {"features": [foreign.pk]})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"features"}
    assert list(requirement.features.all()) == []


def test_list_filters(token_client, product, prd, editor, viewer, feature):
    story = StoryFactory(feature=feature)
    a = requirement_create(prd=prd, actor=editor, title="Refunds", features=[feature])
    b = requirement_create(prd=prd, actor=editor, title="Receipts", priority="could", stories=[story])
    other = requirement_create(prd=PRDFactory(product=product, actor=editor), actor=editor, title="Exports")
    client = token_client(viewer)
    assert ids(client.get(URL, {"prd": prd.pk})) == [a.pk, b.pk]
    assert ids(client.get(URL, {"product": product.pk, "ordering": "-number"})) == [other.pk, b.pk, a.pk]
    assert ids(client.get(URL, {"feature": feature.pk})) == [a.pk]
    assert ids(client.get(URL, {"story": story.pk})) == [b.pk]
    assert ids(client.get(URL, {"priority": "could"})) == [b.pk]
    assert ids(client.get(URL, {"search": "export"})) == [other.pk]
    assert client.get(URL, {"prd": "first"}).status_code == 400


@pytest.mark.parametrize(
    ("role", "allowed"), [("viewer", False), ("contributor", False), ("editor", True), ("admin", True)]
)
def test_who_writes_requirements(request, token_client, prd, requirement, feature, role, allowed):
    # given
    client = client_as(request, token_client, role)
    before = fingerprint()
    # when
    answers = {
        "create": client.post(URL, {"prd": prd.pk, "title": "New"}).status_code,
        "patch": client.patch(f"{URL}{requirement.pk}/", {"title": "Changed"}, HTTP_IF_MATCH="*").status_code,
        "link": client.post(f"{URL}{requirement.pk}/link/", {"features": [feature.pk]}).status_code,
        "unlink": client.post(f"{URL}{requirement.pk}/unlink/", {"features": [feature.pk]}).status_code,
        "delete": client.delete(f"{URL}{requirement.pk}/").status_code,
    }
    # then
    if allowed:
        assert answers == {"create": 201, "patch": 200, "link": 200, "unlink": 200, "delete": 204}
    else:
        assert answers == dict.fromkeys(answers, 403)
        assert fingerprint() == before


def test_other_workspace_gets_404_on_every_route_and_nothing_changes(
    token_client, requirement, outsider, other_product
):
    # given
    client = token_client(outsider)
    foreign_feature = FeatureFactory(epic=EpicFactory(product=other_product))
    before = fingerprint()
    url = f"{URL}{requirement.pk}/"
    # when
    answers = {
        "get": client.get(url),
        "put": client.put(url, {"title": "Hijacked"}),
        "patch": client.patch(url, {"title": "Hijacked"}),
        "delete": client.delete(url),
        "link": client.post(f"{url}link/", {"features": [foreign_feature.pk]}),
        "unlink": client.post(f"{url}unlink/", {"features": [foreign_feature.pk]}),
    }
    # then
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 404)
    assert client.get(URL).json()["count"] == 0
    assert client.get(URL, {"prd": requirement.prd_id}).json()["count"] == 0
    assert fingerprint() == before


def test_creating_under_a_foreign_prd_answers_400(token_client, prd, outsider):
    response = token_client(outsider).post(URL, {"prd": prd.pk, "title": "Sneaky"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"prd"}
    assert not Requirement.objects.exists()


@pytest.mark.parametrize("count", [5, 50])
def test_requirement_list_query_budget_holds_for_5_and_50(
    token_client, prd, editor, viewer, feature, count, django_assert_max_num_queries
):
    story = StoryFactory(feature=feature)
    for n in range(count):
        requirement_create(prd=prd, actor=editor, title=f"Requirement {n}", features=[feature], stories=[story])
    client = token_client(viewer)
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count
