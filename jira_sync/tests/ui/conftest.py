"""Fixtures for the Jira pages: quick retries, and a workspace connected to the stand-in Jira (real HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from jira_sync.models import JiraConnection, ProjectMapping
from jira_sync.services.connections import connection_create
from jira_sync.services.mappings import mapping_create
from jira_sync.testing.stand_in import StandInJira


@pytest.fixture(autouse=True)
def _quick_sync(settings: Any) -> None:
    settings.JIRA_SYNC_RETRY = {
        "max_attempts": 2,
        "base_delay": 0.01,
        "max_delay": 0.05,
        "budget": 2.0,
        "max_inline_wait": 1.0,
    }
    settings.JIRA_SYNC_TIMEOUT = 5.0
    settings.JIRA_SYNC_UNCERTAIN_WAIT = 0
    settings.SITE_URL = "https://tpm.example"


@pytest.fixture
def connected(workspace: Any, jira: StandInJira) -> JiraConnection:
    connection, _ = connection_create(
        workspace=workspace, actor=None, site_url=jira.url, deployment="cloud", email=jira.email, token=jira.api_token
    )
    return connection


@pytest.fixture
def mapped(connected: JiraConnection, product: Any) -> ProjectMapping:
    return mapping_create(connection=connected, product=product, actor=None, project_key="ABC")
