"""The API tests reuse the engine's fixtures: the stand-in Jira over real HTTP, quick retries, a mapping."""

import pytest

from jira_sync.tests.sync.conftest import (  # noqa: F401 - fixtures
    _quick_sync,
    cloud,
    make_mapping,
    mapping,
    statuses,
)


@pytest.fixture
def token_client(token_client):
    """The root fixture's clients, one per user (a user's token names are unique)."""
    clients = {}

    def make(user):
        if user.pk not in clients:
            clients[user.pk] = token_client(user)
        return clients[user.pk]

    return make
