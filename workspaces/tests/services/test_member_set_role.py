"""member_set_role: roles change, but a workspace always keeps an admin."""

import contextlib
import threading

import pytest
from django.db import connection

from core.errors import ApplicationError
from workspaces.models import Membership, Role
from workspaces.services import member_set_role


def test_demoting_the_last_admin_is_refused_and_nothing_changes(admin_user, workspace):
    # given the only admin of the workspace
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_set_role(membership=membership, role=Role.EDITOR)
    assert excinfo.value.field == "role"
    assert excinfo.value.message == "A workspace keeps at least one admin; make someone else admin first."
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_an_admin_can_be_demoted_once_another_admin_exists(admin_user, member_factory, workspace):
    # given two admins
    member_factory(Role.ADMIN, user__username="grace")
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    # when
    updated = member_set_role(membership=membership, role=Role.VIEWER)
    # then
    assert updated.role == Role.VIEWER
    admins = Membership.objects.filter(workspace=workspace, role=Role.ADMIN)
    assert list(admins.values_list("user__username", flat=True)) == ["grace"]


def test_an_admin_in_another_workspace_does_not_count(admin_user, workspace, outsider):
    # given the only admin here; the outsider is an admin of another workspace
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    # when / then
    with pytest.raises(ApplicationError):
        member_set_role(membership=membership, role=Role.CONTRIBUTOR)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_promoting_a_member_to_admin(admin_user, contributor, workspace):
    # given
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    # when
    updated = member_set_role(membership=membership, role=Role.ADMIN)
    # then
    membership.refresh_from_db()
    assert (updated.role, membership.role) == (Role.ADMIN, Role.ADMIN)


def test_an_unknown_role_is_refused(contributor, workspace):
    # given
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_set_role(membership=membership, role="owner")
    assert excinfo.value.field == "role"
    membership.refresh_from_db()
    assert membership.role == Role.CONTRIBUTOR


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(admin_user, member_factory, workspace, monkeypatch):
    # given two admins, each about to demote the other; a barrier holds each save until both have checked
    grace = member_factory(Role.ADMIN, user__username="grace")
    memberships = list(Membership.objects.filter(workspace=workspace, role=Role.ADMIN).order_by("pk"))
    barrier = threading.Barrier(2)
    save = Membership.save

    def save_after_both_checked(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=1)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Membership, "save", save_after_both_checked)
    errors = []

    def demote(membership):
        try:
            member_set_role(membership=membership, role=Role.EDITOR)
        except ApplicationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=demote, args=(membership,)) for membership in memberships]
    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then one demotion went through and the other was refused
    assert [exc.field for exc in errors] == ["role"]
    roles = dict(Membership.objects.filter(workspace=workspace).values_list("user__username", "role"))
    assert sorted(roles.values()) == [Role.ADMIN, Role.EDITOR]
    assert set(roles) == {admin_user.username, grace.username}


def test_a_membership_removed_meanwhile_is_refused(contributor, workspace):
    # given a membership deleted after the caller loaded it
    membership = Membership.objects.get(workspace=workspace, user=contributor)
    Membership.objects.filter(pk=membership.pk).delete()
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_set_role(membership=membership, role=Role.EDITOR)
    assert excinfo.value.message == "This person is no longer a member of the workspace."
    assert not Membership.objects.filter(user=contributor).exists()
