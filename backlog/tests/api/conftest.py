"""Fixtures for the backlog API tests: a token client per role."""

import pytest

ROLE_FIXTURES = {"viewer": "viewer", "contributor": "contributor", "editor": "editor", "admin": "admin_user"}


@pytest.fixture
def client_as(token_client, request):
    """A token client acting as the workspace member of this role ("viewer", "contributor", "editor", "admin")."""

    clients = {}

    def make(role: str):
        if role not in clients:
            clients[role] = token_client(request.getfixturevalue(ROLE_FIXTURES[role]))
        return clients[role]

    return make
