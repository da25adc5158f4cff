"""workspace_create: a workspace whose creator is its first admin, at a unique address."""

import pytest

from core.errors import ApplicationError
from core.tests.helpers import miss_duplicate_checks
from workspaces.models import Membership, Role, Workspace
from workspaces.services import workspace_create
from workspaces.tests.factories import UserFactory


def test_the_creator_becomes_the_first_admin(db):
    # given
    creator = UserFactory(username="ada")
    # when
    workspace = workspace_create(name="Initech Labs", creator=creator)
    # then
    assert workspace.slug == "initech-labs"
    assert list(Membership.objects.filter(workspace=workspace).values_list("user__username", "role")) == [
        ("ada", Role.ADMIN)
    ]


def test_a_taken_address_is_refused_naming_slug(workspace):
    # given the Acme workspace
    creator = UserFactory(username="ada")
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        workspace_create(name="Another", slug=workspace.slug, creator=creator)
    assert excinfo.value.field == "slug"
    assert Workspace.objects.count() == 1


def test_a_name_without_letters_or_digits_is_refused_naming_name(db):
    # given
    creator = UserFactory(username="ada")
    # when / then
    with pytest.raises(ApplicationError) as excinfo:
        workspace_create(name="!!!", creator=creator)
    assert excinfo.value.field == "name"
    assert not Workspace.objects.exists()


def test_a_taken_address_that_slips_past_the_check_is_still_refused_naming_slug(workspace, monkeypatch):
    # given the Acme workspace, unseen by the service's check (as when another request created it meanwhile)
    miss_duplicate_checks(monkeypatch, Workspace)
    creator = UserFactory(username="ada")
    # when / then the unique constraint refuses it, and the caller gets the same error
    with pytest.raises(ApplicationError) as excinfo:
        workspace_create(name="Another", slug=workspace.slug, creator=creator)
    assert (excinfo.value.field, excinfo.value.message) == (
        "slug",
        f"A workspace with the address '{workspace.slug}' already exists.",
    )
    assert Workspace.objects.count() == 1
    assert not Membership.objects.filter(user=creator).exists()
