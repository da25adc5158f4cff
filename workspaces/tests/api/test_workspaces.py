"""The workspace resource: the caller's workspaces with their role, creation (creator is admin), renaming (admins)."""

import pytest

from workspaces.models import Membership, Role, Workspace
from workspaces.tests.factories import MembershipFactory, WorkspaceFactory

URL = "/api/v1/workspaces/"


def test_list_shows_the_callers_workspaces_with_their_role(token_client, workspace, admin_user, outsider):
    # given: ada is admin of Acme and a viewer of Initech; mallory's Globex is not hers
    initech = WorkspaceFactory(name="Initech", slug="initech")
    MembershipFactory(workspace=initech, user=admin_user, role=Role.VIEWER)
    # when
    response = token_client(admin_user).get(URL)
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(w["name"], w["slug"], w["role"]) for w in body["results"]] == [
        ("Acme", workspace.slug, "admin"),
        ("Initech", "initech", "viewer"),
    ]


def test_list_filters_by_role_and_searches_by_name(token_client, workspace, editor):
    MembershipFactory(workspace=WorkspaceFactory(name="Initech"), user=editor, role=Role.ADMIN)
    client = token_client(editor)
    assert [w["name"] for w in client.get(URL, {"role": "admin"}).json()["results"]] == ["Initech"]
    assert [w["name"] for w in client.get(URL, {"search": "acm"}).json()["results"]] == ["Acme"]


def test_bad_role_filter_answers_400(token_client, editor):
    response = token_client(editor).get(URL, {"role": "owner"})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"role"}


def test_retrieve_carries_the_role_and_an_etag(token_client, workspace, viewer):
    response = token_client(viewer).get(f"{URL}{workspace.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": workspace.pk,
        "name": "Acme",
        "slug": workspace.slug,
        "role": "viewer",
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }
    assert response["ETag"]


def test_anyone_signed_in_creates_a_workspace_and_becomes_its_admin(token_client, viewer):
    # when
    response = token_client(viewer).post(URL, {"name": "Skunkworks Labs"})
    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["slug"], body["role"]) == ("Skunkworks Labs", "skunkworks-labs", "admin")
    created = Workspace.objects.get(pk=body["id"])
    assert list(created.memberships.values_list("user_id", "role")) == [(viewer.pk, Role.ADMIN)]


def test_create_with_a_taken_address_answers_400_on_slug(token_client, workspace, viewer):
    response = token_client(viewer).post(URL, {"name": "Another Acme", "slug": workspace.slug})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "slug": [f"A workspace with the address '{workspace.slug}' already exists."]
    }
    assert Workspace.objects.filter(name="Another Acme").count() == 0


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"name": "   "}, {"name"}),
        ({}, {"name"}),
        ({"name": "x" * 121}, {"name"}),
        ({"name": "Ok", "slug": "not a slug!"}, {"slug"}),
        ({"name": "Ok", "owner": 1}, {"owner"}),
        ({"name": ["a list"]}, {"name"}),
    ],
)
def test_bad_input_answers_400_naming_the_fields(token_client, viewer, payload, fields):
    count = Workspace.objects.count()
    response = token_client(viewer).post(URL, payload)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert set(response.json()["error"]["fields"]) == fields
    assert Workspace.objects.count() == count


def test_admin_renames_and_the_address_stays(token_client, workspace, admin_user):
    slug = workspace.slug
    response = token_client(admin_user).patch(f"{URL}{workspace.pk}/", {"name": "Acme Corporation"})
    assert response.status_code == 200, response.json()
    assert (response.json()["name"], response.json()["slug"]) == ("Acme Corporation", slug)
    workspace.refresh_from_db()
    assert (workspace.name, workspace.slug) == ("Acme Corporation", slug)


def test_put_with_the_same_slug_renames(token_client, workspace, admin_user):
    response = token_client(admin_user).put(f"{URL}{workspace.pk}/", {"name": "Acme Inc", "slug": workspace.slug})
    assert response.status_code == 200
    assert response.json()["name"] == "Acme Inc"


def test_changing_the_slug_answers_400_and_changes_nothing(token_client, workspace, admin_user):
    slug = workspace.slug
    response = token_client(admin_user).patch(f"{URL}{workspace.pk}/", {"name": "New", "slug": "new-address"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"slug": ["The address of a workspace does not change."]}
    workspace.refresh_from_db()
    assert (workspace.name, workspace.slug) == ("Acme", slug)


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_only_admins_rename_and_a_refusal_changes_nothing(token_client, workspace, role, request):
    user = request.getfixturevalue({"viewer": "viewer", "contributor": "contributor", "editor": "editor"}[role])
    response = token_client(user).patch(f"{URL}{workspace.pk}/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    workspace.refresh_from_db()
    assert workspace.name == "Acme"


def test_other_workspace_answers_404_for_every_method_and_nothing_changes(token_client, workspace, outsider):
    client = token_client(outsider)
    url = f"{URL}{workspace.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "Hijacked"}).status_code == 404
    assert client.put(url, {"name": "Hijacked"}).status_code == 404
    workspace.refresh_from_db()
    assert workspace.name == "Acme"
    assert not Membership.objects.filter(workspace=workspace, user=outsider).exists()


def test_workspaces_are_not_deleted_through_the_api(token_client, workspace, admin_user):
    response = token_client(admin_user).delete(f"{URL}{workspace.pk}/")
    assert response.status_code == 405
    assert Workspace.objects.filter(pk=workspace.pk).exists()


def test_stale_if_match_answers_412_and_changes_nothing(token_client, workspace, admin_user):
    client = token_client(admin_user)
    etag = client.get(f"{URL}{workspace.pk}/")["ETag"]
    first = client.patch(f"{URL}{workspace.pk}/", {"name": "First"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = client.patch(f"{URL}{workspace.pk}/", {"name": "Second"}, HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert second.json()["error"]["code"] == "precondition_failed"
    workspace.refresh_from_db()
    assert workspace.name == "First"
    assert first["ETag"] == client.get(f"{URL}{workspace.pk}/")["ETag"]


def test_without_credentials_answers_401(api_client, workspace):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("count", [5, 50])
def test_workspace_list_query_budget_holds_for_5_and_50(token_client, editor, count, django_assert_max_num_queries):
    for i in range(count - 1):
        MembershipFactory(workspace=WorkspaceFactory(name=f"W{i:03}"), user=editor, role=Role.VIEWER)
    client = token_client(editor)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"page_size": 100})
    assert response.json()["count"] == count
