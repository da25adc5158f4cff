"""Fixtures for the sync engine: a workspace product mapped to the stand-in's project ABC, quick retries."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

from backlog.models import WorkflowStatus
from jira_sync.models import JiraConnection, ProjectMapping
from jira_sync.services.connections import connection_create, connection_test
from jira_sync.services.mappings import mapping_create
from jira_sync.testing.stand_in import StandInJira
from jira_sync.tests.conftest import _serve
from tpm_workspace.celery import app

HUMAN = "557058:ann"


@pytest.fixture(autouse=True)
def _quick_sync(settings: Any) -> None:
    # Real HTTP, real retries — only the waits are short, so that a fault storm takes seconds.
    settings.JIRA_SYNC_RETRY = {
        "max_attempts": 4,
        "base_delay": 0.01,
        "max_delay": 0.05,
        "budget": 5.0,
        "max_inline_wait": 2.0,
    }
    settings.JIRA_SYNC_TIMEOUT = 5.0
    settings.JIRA_SYNC_UNCERTAIN_WAIT = 0
    settings.SITE_URL = "https://tpm.example"


def _with_human(stand_in: StandInJira) -> StandInJira:
    stand_in.state.add_user(HUMAN, "Ann Analyst", "ann@example.com", api_token="ann-token", pat="ann-pat")
    return stand_in


@pytest.fixture
def cloud(jira: StandInJira) -> StandInJira:
    return _with_human(jira)


@pytest.fixture
def cloud_premium() -> Iterator[StandInJira]:
    """Epic (level 2) → Feature (level 1) → Story (level 0): every link of our hierarchy is a Jira parent."""
    for stand_in in _serve("cloud", hierarchy="feature-between"):
        yield _with_human(stand_in)


@pytest.fixture
def dc(jira_dc: StandInJira) -> StandInJira:
    return _with_human(jira_dc)


def connect(workspace: Any, stand_in: StandInJira, *, policy: str = "ask") -> tuple[JiraConnection, str]:
    if stand_in.state.mode == "cloud":
        connection, secret = connection_create(
            workspace=workspace,
            actor=None,
            site_url=stand_in.url,
            deployment="cloud",
            email=stand_in.email,
            token=stand_in.api_token,
            conflict_policy=policy,
        )
    else:
        connection, secret = connection_create(
            workspace=workspace,
            actor=None,
            site_url=stand_in.url,
            deployment="data_center",
            token=stand_in.pat,
            conflict_policy=policy,
        )
    report = connection_test(connection=connection, project_key="ABC")
    assert report.ok, report.problems
    return connection, secret


@pytest.fixture
def make_mapping(workspace: Any, product: Any) -> Any:
    def make(stand_in: StandInJira, *, policy: str = "ask", **choices: Any) -> ProjectMapping:
        connection, secret = connect(workspace, stand_in, policy=policy)
        mapping = mapping_create(connection=connection, product=product, actor=None, project_key="ABC", **choices)
        mapping.webhook_secret_plain = secret  # type: ignore[attr-defined]
        return mapping

    return make


@pytest.fixture
def mapping(cloud: StandInJira, make_mapping: Any) -> ProjectMapping:
    return make_mapping(cloud)


@pytest.fixture
def statuses(product: Any) -> dict[str, WorkflowStatus]:
    return {status.name: status for status in WorkflowStatus.objects.filter(product=product)}


# --- a real Celery worker ------------------------------------------------------------------------------------


@pytest.fixture
def worker() -> Iterator[None]:
    """A real Celery worker on Redis in a thread of this process; meanwhile tasks go through the broker."""
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(condition: Callable[[], Any], timeout: float = 30.0, interval: float = 0.1) -> bool:
    """Poll until `condition()` holds (True) or the time is up (False): never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())
