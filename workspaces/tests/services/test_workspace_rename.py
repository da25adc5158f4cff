"""workspace_rename: a new display name, the same address."""

import pytest

from core.errors import ApplicationError
from workspaces.services import workspace_rename


def test_rename_keeps_the_slug(workspace, admin_user):
    slug = workspace.slug
    renamed = workspace_rename(workspace=workspace, actor=admin_user, name="  Acme Corporation ")
    renamed.refresh_from_db()
    assert (renamed.name, renamed.slug) == ("Acme Corporation", slug)


@pytest.mark.parametrize(
    ("name", "message"), [("   ", "Give the workspace a name."), ("x" * 121, "Keep the name to 120 characters.")]
)
def test_blank_or_long_names_are_refused(workspace, admin_user, name, message):
    with pytest.raises(ApplicationError) as excinfo:
        workspace_rename(workspace=workspace, actor=admin_user, name=name)
    assert (excinfo.value.field, excinfo.value.message) == ("name", message)
    workspace.refresh_from_db()
    assert workspace.name == "Acme"
