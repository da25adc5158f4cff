"""member_update: role (a workspace keeps an admin) and title in one call."""

import pytest

from core.errors import ApplicationError
from workspaces.models import Membership, Role
from workspaces.services import member_update


def test_role_and_title_change_together(workspace, admin_user, viewer):
    membership = Membership.objects.get(workspace=workspace, user=viewer)
    updated = member_update(membership=membership, actor=admin_user, role=Role.EDITOR, title=" UX ")
    membership.refresh_from_db()
    assert (updated.role, updated.title) == (membership.role, membership.title) == (Role.EDITOR, "UX")


def test_title_alone_leaves_the_role(workspace, admin_user):
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    member_update(membership=membership, actor=admin_user, title="Head of product")
    membership.refresh_from_db()
    assert (membership.role, membership.title) == (Role.ADMIN, "Head of product")


def test_the_last_admin_keeps_the_role_and_the_title_is_not_written(workspace, admin_user):
    membership = Membership.objects.get(workspace=workspace, user=admin_user)
    with pytest.raises(ApplicationError) as excinfo:
        member_update(membership=membership, actor=admin_user, role=Role.VIEWER, title="Gone")
    assert excinfo.value.field == "role"
    membership.refresh_from_db()
    assert (membership.role, membership.title) == (Role.ADMIN, "")


def test_a_member_who_left_cannot_be_updated(workspace, admin_user, viewer):
    membership = Membership.objects.get(workspace=workspace, user=viewer)
    Membership.objects.filter(pk=membership.pk).delete()
    with pytest.raises(ApplicationError) as excinfo:
        member_update(membership=membership, actor=admin_user, title="Ghost")
    assert excinfo.value.message == "This person is no longer a member of the workspace."
    assert not Membership.objects.filter(pk=membership.pk).exists()
