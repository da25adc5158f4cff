"""Shared fixtures: people in a workspace with a product, one member per role, and an outsider."""

import pytest

from workspaces.models import Role
from workspaces.tests.factories import MembershipFactory, ProductFactory, UserFactory, WorkspaceFactory


@pytest.fixture
def workspace(db):
    return WorkspaceFactory(name="Acme")


@pytest.fixture
def product(workspace):
    return ProductFactory(workspace=workspace, name="Payments", key="PAY")


@pytest.fixture
def member_factory(workspace):
    def make(role: str = Role.CONTRIBUTOR, **kwargs):
        return MembershipFactory(workspace=workspace, role=role, **kwargs).user

    return make


@pytest.fixture
def admin_user(member_factory):
    return member_factory(Role.ADMIN, user__username="ada")


@pytest.fixture
def editor(member_factory):
    return member_factory(Role.EDITOR, user__username="eddie")


@pytest.fixture
def contributor(member_factory):
    return member_factory(Role.CONTRIBUTOR, user__username="cora")


@pytest.fixture
def viewer(member_factory):
    return member_factory(Role.VIEWER, user__username="vic")


@pytest.fixture
def user(editor):
    """The person most tests act as: an editor (a TPM) of the workspace."""
    return editor


@pytest.fixture
def other_workspace(db):
    return WorkspaceFactory(name="Globex")


@pytest.fixture
def other_product(other_workspace):
    return ProductFactory(workspace=other_workspace, name="Globex Payments", key="GPAY")


@pytest.fixture
def outsider(other_workspace):
    """A member of another workspace only."""
    return MembershipFactory(workspace=other_workspace, role=Role.ADMIN, user=UserFactory(username="mallory")).user
