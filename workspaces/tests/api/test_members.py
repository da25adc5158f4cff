"""The member resource: any member reads; admins add, re-role and remove; a workspace keeps an admin."""

import pytest

from workspaces.models import Membership, Role
from workspaces.tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

URL = "/api/v1/members/"
ROLE_FIXTURES = {"viewer": "viewer", "contributor": "contributor", "editor": "editor", "admin": "admin_user"}


def membership(workspace, user) -> Membership:
    return Membership.objects.get(workspace=workspace, user=user)


def test_any_member_lists_the_members_of_a_workspace(token_client, workspace, admin_user, viewer, outsider):
    # given
    UserFactory(username="nobody")  # not a member anywhere
    admin_membership = membership(workspace, admin_user)
    admin_user.first_name, admin_user.last_name = "Ada", "Lovelace"
    admin_user.save()
    Membership.objects.filter(pk=admin_membership.pk).update(title="Architecture")
    # when
    response = token_client(viewer).get(URL, {"workspace": workspace.pk})
    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(m["username"], m["role"]) for m in results] == [("ada", "admin"), ("vic", "viewer")]
    first = results[0]
    assert {key: value for key, value in first.items() if key not in ("created_at", "updated_at")} == {
        "id": admin_membership.pk,
        "workspace": workspace.pk,
        "user": admin_user.pk,
        "username": "ada",
        "name": "Ada Lovelace",
        "email": admin_user.email,
        "role": "admin",
        "title": "Architecture",
    }


def test_list_without_a_workspace_shows_only_the_callers_workspaces(token_client, workspace, editor, outsider):
    response = token_client(editor).get(URL)
    assert [m["username"] for m in response.json()["results"]] == ["eddie"]


def test_list_filters_by_role_and_searches(token_client, workspace, admin_user, editor, viewer):
    client = token_client(viewer)
    assert [m["username"] for m in client.get(URL, {"role": "editor"}).json()["results"]] == ["eddie"]
    assert [m["username"] for m in client.get(URL, {"search": "ada"}).json()["results"]] == ["ada"]
    bad = client.get(URL, {"workspace": "acme"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"workspace"}


@pytest.mark.parametrize("identifier", ["user", "username", "email"])
def test_admin_adds_an_existing_user_by_id_username_or_email(token_client, workspace, admin_user, identifier):
    # given: nina works with ada in another workspace, so ada may also name her by id
    newcomer = UserFactory(username="nina", email="nina@example.com")
    elsewhere = WorkspaceFactory(name="Initech")
    MembershipFactory(workspace=elsewhere, user=admin_user, role=Role.VIEWER)
    MembershipFactory(workspace=elsewhere, user=newcomer)
    value = {"user": newcomer.pk, "username": "NINA", "email": "Nina@Example.com"}[identifier]
    # when
    response = token_client(admin_user).post(
        URL, {"workspace": workspace.pk, identifier: value, "role": "editor", "title": "UX"}
    )
    # then
    assert response.status_code == 201, response.json()
    assert (response.json()["username"], response.json()["role"], response.json()["title"]) == ("nina", "editor", "UX")
    assert membership(workspace, newcomer).role == Role.EDITOR
    assert response["ETag"]


def test_added_member_defaults_to_contributor(token_client, workspace, admin_user):
    UserFactory(username="nina")
    response = token_client(admin_user).post(URL, {"workspace": workspace.pk, "username": "nina"})
    assert response.status_code == 201
    assert response.json()["role"] == "contributor"


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"user"}),
        ({"username": "nina", "email": "nina@example.com"}, {"user"}),
        ({"username": "ghost"}, {"username"}),
        ({"email": "ghost@example.com"}, {"email"}),
        ({"user": 10**9}, {"user"}),
        ({"username": "nina", "role": "owner"}, {"role"}),
        ({"username": "nina", "title": "x" * 81}, {"title"}),
        ({"username": "nina", "nickname": "n"}, {"nickname"}),
    ],
)
def test_bad_additions_answer_400_naming_the_field(token_client, workspace, admin_user, payload, fields):
    UserFactory(username="nina", email="nina@example.com")
    count = Membership.objects.count()
    response = token_client(admin_user).post(URL, {"workspace": workspace.pk, **payload})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == fields
    assert Membership.objects.count() == count


def test_an_id_finds_only_people_who_share_a_workspace_with_the_caller(token_client, workspace, admin_user, outsider):
    # given: a stranger, and mallory of Globex; ada shares no workspace with either
    stranger = UserFactory(username="stranger")
    client = token_client(admin_user)
    # when
    answers = [client.post(URL, {"workspace": workspace.pk, "user": person.pk}) for person in (stranger, outsider)]
    # then: the same answer as for an id that exists nowhere, and no one added
    for answer in answers:
        assert answer.status_code == 400
        assert answer.json()["error"]["fields"] == {"user": ["No one with this id."]}
    assert not Membership.objects.filter(workspace=workspace, user__in=[stranger, outsider]).exists()


def test_adding_a_member_again_answers_400_and_keeps_their_role(token_client, workspace, admin_user, viewer):
    response = token_client(admin_user).post(URL, {"workspace": workspace.pk, "username": "vic", "role": "admin"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "username": ["Already a member; change their role with PATCH /members/{id}/."]
    }
    assert membership(workspace, viewer).role == Role.VIEWER


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_only_admins_add_members_and_a_refusal_adds_no_one(token_client, workspace, role, request):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    UserFactory(username="nina")
    response = token_client(user).post(URL, {"workspace": workspace.pk, "username": "nina", "role": "admin"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="nina").exists()


def test_adding_to_another_workspace_answers_400_as_if_it_did_not_exist(
    token_client, workspace, other_workspace, outsider, admin_user
):
    # given: mallory is admin of Globex only; ada's Acme is foreign to her
    nina = UserFactory(username="nina")
    response = token_client(outsider).post(URL, {"workspace": workspace.pk, "user": nina.pk})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"workspace"}
    assert not Membership.objects.filter(user=nina).exists()


def test_admin_changes_a_role_and_a_title(token_client, workspace, admin_user, viewer):
    target = membership(workspace, viewer)
    response = token_client(admin_user).patch(f"{URL}{target.pk}/", {"role": "editor", "title": "Leadership"})
    assert response.status_code == 200, response.json()
    assert (response.json()["role"], response.json()["title"]) == ("editor", "Leadership")
    target.refresh_from_db()
    assert (target.role, target.title) == (Role.EDITOR, "Leadership")


def test_the_last_admin_cannot_be_demoted(token_client, workspace, admin_user):
    own = membership(workspace, admin_user)
    response = token_client(admin_user).patch(f"{URL}{own.pk}/", {"role": "editor"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "role": ["A workspace keeps at least one admin; make someone else admin first."]
    }
    own.refresh_from_db()
    assert own.role == Role.ADMIN


def test_an_admin_steps_down_once_another_admin_exists(token_client, workspace, admin_user, editor):
    client = token_client(admin_user)
    assert client.patch(f"{URL}{membership(workspace, editor).pk}/", {"role": "admin"}).status_code == 200
    response = client.patch(f"{URL}{membership(workspace, admin_user).pk}/", {"role": "viewer"})
    assert response.status_code == 200
    assert response.json()["role"] == "viewer"


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_only_admins_change_roles_and_a_refusal_changes_nothing(token_client, workspace, admin_user, role, request):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    target = membership(workspace, user)
    response = token_client(user).patch(f"{URL}{target.pk}/", {"role": "admin"})
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.role == role


def test_update_refuses_unknown_fields_and_bad_roles(token_client, workspace, admin_user, viewer):
    target = membership(workspace, viewer)
    client = token_client(admin_user)
    unknown = client.patch(f"{URL}{target.pk}/", {"user": admin_user.pk})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["fields"] == {"user": ["Unknown field."]}
    bad = client.patch(f"{URL}{target.pk}/", {"role": "owner"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"role"}
    target.refresh_from_db()
    assert target.role == Role.VIEWER


def test_admin_removes_a_member(token_client, workspace, admin_user, contributor):
    target = membership(workspace, contributor)
    response = token_client(admin_user).delete(f"{URL}{target.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_a_member_leaves_on_their_own(token_client, workspace, contributor):
    own = membership(workspace, contributor)
    response = token_client(contributor).delete(f"{URL}{own.pk}/")
    assert response.status_code == 204
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_the_last_admin_cannot_be_removed(token_client, workspace, admin_user):
    own = membership(workspace, admin_user)
    response = token_client(admin_user).delete(f"{URL}{own.pk}/")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "role": ["A workspace keeps at least one admin; make someone else admin before removing this one."]
    }
    assert Membership.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "contributor", "editor"])
def test_only_admins_remove_others_and_a_refusal_removes_no_one(token_client, workspace, admin_user, role, request):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    target = membership(workspace, admin_user)
    response = token_client(user).delete(f"{URL}{target.pk}/")
    assert response.status_code == 403
    assert Membership.objects.filter(pk=target.pk).exists()


def test_other_workspace_answers_404_for_every_method_and_nothing_changes(
    token_client, workspace, admin_user, contributor, outsider
):
    target = membership(workspace, contributor)
    client = token_client(outsider)
    url = f"{URL}{target.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"role": "admin"}).status_code == 404
    assert client.put(url, {"role": "admin"}).status_code == 404
    assert client.delete(url).status_code == 404
    target.refresh_from_db()
    assert target.role == Role.CONTRIBUTOR
    listed = client.get(URL, {"workspace": workspace.pk}).json()
    assert listed["count"] == 0


def test_stale_if_match_answers_412_and_changes_nothing(token_client, workspace, admin_user, viewer):
    target = membership(workspace, viewer)
    client = token_client(admin_user)
    etag = client.get(f"{URL}{target.pk}/")["ETag"]
    assert client.patch(f"{URL}{target.pk}/", {"title": "Finance"}, HTTP_IF_MATCH=etag).status_code == 200
    stale = client.patch(f"{URL}{target.pk}/", {"role": "editor"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    target.refresh_from_db()
    assert (target.role, target.title) == (Role.VIEWER, "Finance")


@pytest.mark.parametrize("count", [5, 50])
def test_member_list_query_budget_holds_for_5_and_50(
    token_client, workspace, viewer, count, django_assert_max_num_queries
):
    for _ in range(count - 1):
        MembershipFactory(workspace=workspace, role=Role.CONTRIBUTOR)
    client = token_client(viewer)
    with django_assert_max_num_queries(4):
        response = client.get(URL, {"workspace": workspace.pk, "page_size": 100})
    assert response.json()["count"] == count
