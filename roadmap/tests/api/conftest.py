"""Fixtures for the roadmap API tests: a client per role, by fixture name."""

import pytest


@pytest.fixture
def client_as(request, token_client):
    """`client_as("viewer")`: a token client of the member the named fixture makes."""

    def make(role_fixture: str):
        return token_client(request.getfixturevalue(role_fixture))

    return make
