"""The membership admin removes people through member_remove: the last admin of a workspace stays."""

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from workspaces.models import Membership, Role
from workspaces.tests.factories import UserFactory

LAST_ADMIN = "A workspace keeps at least one admin; make someone else admin before removing this one."
CHANGELIST = "/admin/workspaces/membership/"


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def workspace_admin_client(admin_user):
    """Ada, the workspace's admin, as a staff user with the workspaces app's admin permissions."""
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    admin_user.user_permissions.set(Permission.objects.filter(content_type__app_label="workspaces"))
    client = Client()
    client.force_login(admin_user)
    return client


def messages_of(response) -> list[str]:
    return [message.message for message in get_messages(response.wsgi_request)]


def delete_selected(client: Client, memberships: list[Membership]):
    return client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [m.pk for m in memberships], "post": "yes"},
    )


def test_superuser_cannot_delete_the_last_admin_and_nothing_changes(superuser_client, admin_user, workspace):
    # given the only admin of the workspace
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    # when
    response = superuser_client.post(f"{CHANGELIST}{membership.pk}/delete/", {"post": "yes"})
    # then
    assert response.status_code == 302
    assert response["Location"] == f"{CHANGELIST}{membership.pk}/change/"
    assert messages_of(response) == [LAST_ADMIN]
    assert Membership.objects.filter(pk=membership.pk, role=Role.ADMIN).exists()
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_superuser_deletes_a_contributor(superuser_client, admin_user, contributor, workspace):
    # given
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    # when
    response = superuser_client.post(f"{CHANGELIST}{membership.pk}/delete/", {"post": "yes"})
    # then
    assert response.status_code == 302
    assert response["Location"] == CHANGELIST
    assert list(Membership.objects.filter(workspace=workspace).values_list("user__username", flat=True)) == ["ada"]
    assert LogEntry.objects.filter(action_flag=DELETION, object_id=str(membership.pk)).count() == 1


def test_superuser_bulk_delete_of_every_admin_is_refused_whole(superuser_client, admin_user, member_factory, workspace):
    # given two admins, both selected
    member_factory(Role.ADMIN, user__username="grace")
    admins = list(Membership.objects.filter(workspace=workspace, role=Role.ADMIN).order_by("pk"))
    # when
    response = delete_selected(superuser_client, admins)
    # then neither is deleted, nor logged as deleted
    assert response.status_code == 302
    assert messages_of(response) == [LAST_ADMIN]
    assert Membership.objects.filter(workspace=workspace, role=Role.ADMIN).count() == 2
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_workspace_admin_cannot_delete_their_own_last_admin_membership(
    workspace_admin_client, admin_user, contributor, workspace
):
    # given Ada is the only admin; she selects herself and a contributor
    selected = list(Membership.objects.filter(workspace=workspace).order_by("pk"))
    # when
    response = delete_selected(workspace_admin_client, selected)
    # then nothing is deleted: the action is all or nothing
    assert response.status_code == 302
    assert messages_of(response) == [LAST_ADMIN]
    assert Membership.objects.filter(workspace=workspace).count() == 2
    assert not LogEntry.objects.filter(action_flag=DELETION).exists()


def test_workspace_admin_single_delete_of_the_last_admin_is_refused(workspace_admin_client, admin_user, workspace):
    # given
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    # when
    response = workspace_admin_client.post(f"{CHANGELIST}{membership.pk}/delete/", {"post": "yes"})
    # then
    assert response.status_code == 302
    assert messages_of(response) == [LAST_ADMIN]
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_workspace_admin_bulk_deletes_another_admin_and_a_contributor(
    workspace_admin_client, admin_user, member_factory, contributor, workspace
):
    # given a second admin and a contributor
    member_factory(Role.ADMIN, user__username="grace")
    selected = list(Membership.objects.filter(workspace=workspace).exclude(user=admin_user).order_by("pk"))
    # when
    response = delete_selected(workspace_admin_client, selected)
    # then
    assert response.status_code == 302
    assert messages_of(response) == ["Successfully deleted 2 memberships."]
    assert list(Membership.objects.filter(workspace=workspace).values_list("user__username", flat=True)) == ["ada"]


def test_removing_the_last_admin_in_the_workspace_inline_is_refused(
    superuser_client, admin_user, contributor, workspace
):
    # given the workspace page with its two memberships, the admin's marked for deletion
    memberships = list(Membership.objects.filter(workspace=workspace).order_by("pk"))
    data = {
        "name": workspace.name,
        "slug": workspace.slug,
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, membership in enumerate(memberships):
        data |= {
            f"memberships-{i}-id": str(membership.pk),
            f"memberships-{i}-workspace": str(workspace.pk),
            f"memberships-{i}-user": str(membership.user_id),
            f"memberships-{i}-role": membership.role,
            f"memberships-{i}-title": membership.title,
        }
        if membership.user_id == admin_user.pk:
            data[f"memberships-{i}-DELETE"] = "on"
    # when
    response = superuser_client.post(f"/admin/workspaces/workspace/{workspace.pk}/change/", data)
    # then
    assert response.status_code == 302
    assert messages_of(response) == [LAST_ADMIN]
    assert Membership.objects.filter(workspace=workspace).count() == 2
