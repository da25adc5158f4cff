"""The stand-in Jira over real HTTP, clients that talk to it, and a clock the tests control."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jira_sync.jira import JiraClient, JiraSite, RetryPolicy
from jira_sync.jira.transport import Hooks
from jira_sync.testing.stand_in import StandInJira


def _serve(mode: str, hierarchy: str = "standard") -> Iterator[StandInJira]:
    stand_in = StandInJira(mode, hierarchy=hierarchy).start()  # type: ignore[arg-type]
    try:
        yield stand_in
    finally:
        stand_in.stop()
    # A request or answer outside Atlassian's spec fails the test that caused it.
    stand_in.assert_contract_clean()


@pytest.fixture
def jira() -> Iterator[StandInJira]:
    """A Jira Cloud stand-in: /rest/api/3, Basic e-mail:token, ADF, search/jql."""
    yield from _serve("cloud")


@pytest.fixture
def jira_dc() -> Iterator[StandInJira]:
    """A Jira Data Center stand-in: /rest/api/2, Bearer PAT, wiki markup, search with startAt."""
    yield from _serve("dc")


@dataclass
class FakeTime:
    """Sleeps advance a fake clock instead of the test's wall time; jitter is fixed at its maximum."""

    now: datetime = field(default_factory=lambda: datetime(2026, 5, 1, 10, 0, tzinfo=UTC))
    sleeps: list[float] = field(default_factory=list)
    retries: list[tuple[str, float]] = field(default_factory=list)

    def hooks(self) -> Hooks:
        return Hooks(
            sleep=self.sleeps.append,
            now=lambda: self.now,
            random=lambda: 1.0,
            on_retry=lambda error, delay: self.retries.append((type(error).__name__, delay)),
        )


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def cloud_client(jira, fake_time) -> Iterator[JiraClient]:
    client = JiraClient(JiraSite.cloud(jira.url, jira.email, jira.api_token), hooks=fake_time.hooks(), timeout=5.0)
    yield client
    client.close()


@pytest.fixture
def dc_client(jira_dc, fake_time) -> Iterator[JiraClient]:
    client = JiraClient(JiraSite.data_center(jira_dc.url, jira_dc.pat), hooks=fake_time.hooks(), timeout=5.0)
    yield client
    client.close()


@pytest.fixture
def quick_policy() -> RetryPolicy:
    return RetryPolicy(max_attempts=3, base_delay=1.0, max_delay=4.0, budget=30.0, max_inline_wait=20.0)


# --- a receiver for webhook deliveries, and a site that is not Jira ---------------------------------------------


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.received: list[Received] = []
        self.statuses: list[int] = []  # answers to give, in order; 200 once they run out

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/jira"


class _ReceiverHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append(Received(dict(self.headers.items()), body))
        status = self.server.statuses.pop(0) if self.server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        page = b"<html><body>Welcome to our intranet</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    server = _Receiver()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def body_of(received: Received) -> dict:
    return json.loads(received.body)
