"""member_add: add a person with a role; re-adding changes the role under the same rules as member_set_role."""

import pytest

from core.errors import ApplicationError
from workspaces.models import Membership, Role
from workspaces.services import member_add
from workspaces.tests.factories import UserFactory


def test_a_new_member_is_added_with_role_and_title(workspace):
    # given
    person = UserFactory(username="archie")
    # when
    membership = member_add(workspace=workspace, user=person, role=Role.EDITOR, title="Architecture")
    # then
    stored = Membership.objects.get(workspace=workspace, user=person)
    assert (stored.pk, stored.role, stored.title) == (membership.pk, Role.EDITOR, "Architecture")


def test_adding_an_existing_member_again_changes_their_role(workspace, contributor):
    # given
    # when
    member_add(workspace=workspace, user=contributor, role=Role.VIEWER, title="Design")
    # then
    assert list(Membership.objects.filter(user=contributor).values_list("role", "title")) == [(Role.VIEWER, "Design")]


def test_adding_the_last_admin_again_with_a_lower_role_is_refused(workspace, admin_user):
    # given the only admin
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_add(workspace=workspace, user=admin_user, role=Role.CONTRIBUTOR)
    assert excinfo.value.field == "role"
    assert Membership.objects.get(workspace=workspace, user=admin_user).role == Role.ADMIN


def test_an_unknown_role_is_refused(workspace):
    # given
    person = UserFactory(username="archie")
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        member_add(workspace=workspace, user=person, role="owner")
    assert excinfo.value.field == "role"
    assert not Membership.objects.filter(user=person).exists()
