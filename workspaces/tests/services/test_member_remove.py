"""member_remove: people leave workspaces, but a workspace always keeps an admin."""

import contextlib
import threading

import pytest
from django.db import connection

from core.errors import ApplicationError
from workspaces.models import Membership, Role
from workspaces.services import member_remove
from workspaces.tests.factories import UserFactory


def test_removing_the_last_admin_is_refused_and_nothing_changes(admin_user, editor, workspace):
    # given the only admin of the workspace
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_remove(membership=membership, actor=admin_user)
    assert excinfo.value.field == "role"
    assert excinfo.value.message == (
        "A workspace keeps at least one admin; make someone else admin before removing this one."
    )
    assert Membership.objects.filter(pk=membership.pk, role=Role.ADMIN).exists()


def test_an_admin_removes_a_member(admin_user, contributor, workspace):
    # given
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    # when
    removed = member_remove(membership=membership, actor=admin_user)
    # then
    assert removed is True
    assert list(Membership.objects.filter(workspace=workspace).values_list("user__username", flat=True)) == ["ada"]


def test_an_admin_can_be_removed_once_another_admin_exists(admin_user, member_factory, workspace):
    # given two admins
    grace = member_factory(Role.ADMIN, user__username="grace")
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    # when
    removed = member_remove(membership=membership, actor=grace)
    # then
    assert removed is True
    admins = Membership.objects.filter(workspace=workspace, role=Role.ADMIN)
    assert list(admins.values_list("user__username", flat=True)) == ["grace"]


def test_a_member_may_leave_the_workspace(admin_user, viewer, workspace):
    # given
    membership = Membership.objects.get(workspace=workspace, user=viewer)
    # when
    removed = member_remove(membership=membership, actor=viewer)
    # then
    assert removed is True
    assert not Membership.objects.filter(user=viewer).exists()


def test_a_superuser_who_is_not_a_member_may_remove_a_member(admin_user, contributor, workspace):
    # given
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    # when
    removed = member_remove(membership=membership, actor=root)
    # then
    assert removed is True
    assert not Membership.objects.filter(user=contributor).exists()


@pytest.mark.parametrize("actor_role", [Role.EDITOR, Role.CONTRIBUTOR, Role.VIEWER])
def test_someone_below_admin_cannot_remove_others_and_nothing_changes(
    actor_role, admin_user, member_factory, contributor, workspace
):
    # given
    actor = member_factory(actor_role, user__username="nosy")
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_remove(membership=membership, actor=actor)
    assert excinfo.value.field == "user"
    assert excinfo.value.message == "Only an admin of the workspace can remove its members."
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_admin_of_another_workspace_cannot_remove_members_here(admin_user, contributor, outsider, workspace):
    # given the outsider is an admin, but of another workspace
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_remove(membership=membership, actor=outsider)
    assert excinfo.value.field == "user"
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_removed_meanwhile_is_nothing_to_do(admin_user, contributor, workspace):
    # given a membership deleted after the caller loaded it
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    Membership.objects.filter(pk=membership.pk).delete()
    # when
    removed = member_remove(membership=membership, actor=admin_user)
    # then
    assert removed is False
    assert Membership.objects.filter(workspace=workspace).count() == 1


@pytest.mark.django_db(transaction=True)
def test_removing_both_admins_at_once_leaves_one_admin(admin_user, member_factory, workspace, monkeypatch):
    # given two admins, and a superuser removing both at once; a barrier holds each delete until both have checked
    member_factory(Role.ADMIN, user__username="grace")
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    memberships = list(Membership.objects.filter(workspace=workspace).order_by("pk"))
    barrier = threading.Barrier(2)
    delete = Membership.delete

    def delete_after_both_checked(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return delete(self, *args, **kwargs)

    monkeypatch.setattr(Membership, "delete", delete_after_both_checked)
    errors = []

    def remove(membership):
        try:
            member_remove(membership=membership, actor=root)
        except ApplicationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=remove, args=(membership,)) for membership in memberships]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then one removal went through and the other was refused
    assert [exc.field for exc in errors] == ["role"]
    assert list(Membership.objects.filter(workspace=workspace).values_list("role", flat=True)) == [Role.ADMIN]


@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one_admin(admin_user, member_factory, workspace, monkeypatch):
    # given two admins, each about to remove the other
    grace = member_factory(Role.ADMIN, user__username="grace")
    ada_membership, grace_membership = Membership.objects.filter(workspace=workspace).order_by("pk")
    barrier = threading.Barrier(2)
    delete = Membership.delete

    def delete_after_both_checked(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        return delete(self, *args, **kwargs)

    monkeypatch.setattr(Membership, "delete", delete_after_both_checked)
    errors = []

    def remove(membership, actor):
        try:
            member_remove(membership=membership, actor=actor)
        except ApplicationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=remove, args=(grace_membership, admin_user)),
        threading.Thread(target=remove, args=(ada_membership, grace)),
    ]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then whoever went second was no longer an admin by then
    assert [exc.field for exc in errors] == ["user"]
    assert list(Membership.objects.filter(workspace=workspace).values_list("role", flat=True)) == [Role.ADMIN]
